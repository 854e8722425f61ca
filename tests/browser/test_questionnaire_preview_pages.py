"""An administrator previews a draft questionnaire as a rater on a phone and as the owner, stepping through every
page with its checks, then compares it with the version in use and declares what carries over (first with a
mistake, refused at its field). Every page is checked by axe at 390 and 1280 px."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Role, User
from surveys import questionnaire_store as store
from surveys.questionnaire import QUESTIONNAIRES_DIR
from surveys.questionnaire_models import ContentVersion
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import Person, person
from tests.browser.steps import answer_every_statement, follow, press_button, sign_in


def _draft(admin: Person, version: str) -> int:
    """The shipped version with one word changed and two statements swapped between Ability's sub-areas."""
    text = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8")
    a = ("            self: I do my work to a high standard.\n"
         "            rater: This person does their work to a high standard.\n")
    b = ("            self: I give people a clear sense of direction.\n"
         "            rater: This person gives people a clear sense of direction.\n")
    text = (text.replace('version: "2026.1"', f'version: "{version}"').replace(a, "@A@").replace(b, a)
            .replace("@A@", b).replace("keeps their professional skills", "keeps their work skills"))
    store.seed_shipped()
    row = store.upload_draft(store.KINDS["questionnaire"], text, db.session.get(User, admin.id))
    return row.id


def _publish(version_id: int, admin: Person) -> None:
    store.publish(db.session.get(ContentVersion, version_id), db.session.get(User, admin.id))


PREVIEWED, COMPARED = "2031.4", "2031.5"  # numbers no other browser test uses: they share one database


def test_an_administrator_steps_through_a_draft_as_a_rater_on_a_phone_and_as_the_owner(
        live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN, name="Ada Preview")
        version_id = _draft(admin, PREVIEWED)
    page = contexts.page()
    sign_in(page, admin)
    follow(page, "Questionnaires")
    follow(page, f"Preview questionnaire version {PREVIEWED}")
    audit(page, "preview-rater-start", f"Preview of version {PREVIEWED}: Start")
    frame = page.frame_locator("iframe.app-phone-frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Give feedback for Sam Sample")
    expect(frame.get_by_text("Nothing you choose or write here is saved or sent")).to_be_visible()
    assert page.locator("iframe.app-phone-frame").bounding_box()["width"] == 394  # 390 inside its border

    phone = contexts.phone()
    sign_in(phone, admin)
    phone.goto(f"/admin/questionnaires/{version_id}/preview/rater/start/frame")
    audit(phone, "preview-frame-rater-start", "Give feedback for Sam Sample")
    press_button(phone, "Start")
    press_button(phone, "Save and continue")  # nothing chosen: the rater's own error pattern
    audit(phone, "preview-frame-rater-area-error", "Ability (1 of 6)", error=True)
    expect(phone.get_by_text("This person keeps their work skills up to date.").first).to_be_visible()
    for number, title in enumerate(["Ability", "Insight", "Values", "Ambition"], start=1):
        if number > 1:
            audit(phone, f"preview-frame-rater-area-{number}", f"{title} ({number} of 6)", sizes=False)
        answer_every_statement(phone, "Not able to say", quick=True)
        press_button(phone, "Save and continue")
    audit(phone, "preview-frame-rater-comments", "Your comments (5 of 6)")
    press_button(phone, "Save and continue")
    audit(phone, "preview-frame-rater-check", "Check your answers (6 of 6)")
    expect(phone.get_by_text("Some statements are not answered yet")).to_be_visible()  # nothing was kept

    follow(page, "Preview the owner’s self-assessment")
    audit(page, "preview-self-area", f"Preview of version {PREVIEWED}: Ability")
    follow(page, "Next")
    expect(page.frame_locator("iframe.app-phone-frame").get_by_role("heading", level=1)).to_have_text("Insight")
    phone.goto(f"/admin/questionnaires/{version_id}/preview/self/1/frame")
    audit(phone, "preview-frame-self-area", "Ability (1 of 5)")
    expect(phone.get_by_role("group", name="I do my work to a high standard.")).to_be_visible()
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto(f"/admin/questionnaires/{version_id}/preview/self/check/frame")
    audit(phone, "preview-frame-self-check", "Check your self-assessment", sizes=False)


def _page_at_phone_width(contexts: Contexts, admin: Person) -> Page:
    phone = contexts.phone()
    sign_in(phone, admin)
    return phone




def test_an_administrator_compares_versions_and_declares_what_carries_over(live: LiveServer, contexts: Contexts,
                                                                          audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN, name="Ada Compare")
        version_id = _draft(admin, COMPARED)
        shipped = db.session.scalar(sa.select(ContentVersion.id).where(ContentVersion.kind == "questionnaire",
                                                                       ContentVersion.version == "2026.1"))
    url = f"/admin/questionnaires/compare?older={shipped}&newer={version_id}"
    page = contexts.page()
    sign_in(page, admin)
    page.goto(url)
    title = f"Compare questionnaire versions: 2026.1 and {COMPARED}"
    audit(page, "compare-draft", title)
    expect(page.get_by_text("only be declared between published versions")).to_be_visible()
    expect(page.locator("del").first).to_contain_text("professional")
    expect(page.locator("ins").first).to_contain_text("work")

    with live.context():
        _publish(version_id, admin)
    phone = _page_at_phone_width(contexts, admin)
    phone.goto(url)
    audit(phone, "compare-published-phone", title)
    phone.get_by_label("ability.professional.2: This person does their work to a high standard.").select_option(
        "ability.leadership.1")
    phone.get_by_label("ability.leadership.1: This person gives people a clear sense of direction.").select_option(
        "ability.leadership.1")
    press_button(phone, "Save what carries over")
    audit(phone, "compare-carry-over-error", title, error=True)
    phone.get_by_label("ability.leadership.1: This person gives people a clear sense of direction.").select_option(
        "ability.professional.2")
    press_button(phone, "Save what carries over")
    expect(phone.get_by_role("status")).to_contain_text(f"of version 2026.1 carry over to version {COMPARED}")
    page.goto(url)
    audit(page, "compare-declared", title)
    expect(page.get_by_text("Declared on")).to_be_visible()
