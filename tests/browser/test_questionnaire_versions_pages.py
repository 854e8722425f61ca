"""An administrator changes one word of the questionnaire on the site: downloads the version in use, uploads the
changed copy (first with a mistake, refused at its line), publishes it and gives it to new rounds; every page
checked by axe at phone and desktop width."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import person
from tests.browser.steps import follow, press_button, sign_in


def test_an_administrator_publishes_a_one_word_change_for_new_rounds(live: LiveServer, contexts: Contexts,
                                                                     audit: Auditor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with live.context():
        admin = person(Role.ADMIN, name="Ada Versions")
    page = contexts.page()
    sign_in(page, admin)
    follow(page, "Questionnaires")
    audit(page, "questionnaire-versions", "Questionnaire and prompt versions")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download questionnaire version 2026.1").click()
    shipped = download.value.path().read_text(encoding="utf-8")
    assert download.value.suggested_filename == "ccl-2026.1.yaml" and 'version: "2026.1"' in shipped

    follow(page, "Upload a new questionnaire version as a draft")
    changed = shipped.replace('version: "2026.1"', 'version: "2027.1"').replace(
        "I keep my professional skills up to date.", "I keep my work skills up to date.")
    broken = tmp_path / "ccl-broken.yaml"
    broken.write_text(changed.replace("I do my work to a high standard.", "We do our work well."), encoding="utf-8")
    page.get_by_label("YAML file").set_input_files(broken)
    press_button(page, "Upload as a draft")
    audit(page, "questionnaire-upload-refused", "Upload a new questionnaire version", error=True)
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), start=1) if "We do our work" in text)
    expect(page.get_by_role("alert")).to_contain_text(f"Line {line}: ")

    good = tmp_path / "ccl-2027.1.yaml"
    good.write_text(changed, encoding="utf-8")
    page.get_by_label("YAML file").set_input_files(good)
    press_button(page, "Upload as a draft")
    expect(page.get_by_role("status")).to_contain_text("uploaded as a draft")

    follow(page, "Publish questionnaire version 2027.1")
    audit(page, "questionnaire-publish", "Questionnaire: Publish version 2027.1?")
    press_button(page, "Publish")
    follow(page, "Use for new rounds questionnaire version 2027.1")
    press_button(page, "Use for new rounds")
    expect(page.get_by_role("status")).to_contain_text("New rounds now get version 2027.1")
    audit(page, "questionnaire-versions-chosen", "Questionnaire and prompt versions")

    follow(page, "See everything administrators have done here")
    audit(page, "questionnaire-audit", "Changes to questionnaire and prompt versions")
    # Other browser tests share this server's database and may choose versions too.
    chosen = page.get_by_role("row").filter(has_text="2027.1").filter(has_text="Chosen for new rounds")
    expect(chosen).to_have_count(1)
