"""Questionnaire and prompt versions kept on the site: only administrators manage them, uploads are checked as the
shipped files are, a round keeps its version whatever happens to the versions after it, and every action is logged."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from facilitator import prompts
from surveys import questionnaire
from surveys.models import Cycle
from surveys.questionnaire import QUESTIONNAIRES_DIR, QuestionnaireError, load_version
from surveys.questionnaire_models import ContentAudit, ContentVersion
from surveys.questionnaire_rules import Status
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import signed_in

SHIPPED = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8")
BASE = "/admin/questionnaires"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Versions are cached in the process; each test's database is new, and may reuse a version name.
    questionnaire.forget_cached()
    prompts.forget_cached()
    yield
    questionnaire.forget_cached()
    prompts.forget_cached()


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    return create_user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    return signed_in(app, admin)


def new_version(version: str = "2027.1", word: str = "professional skills", to: str = "work skills") -> str:
    """The shipped file as a team would change it: a new version number and one word changed."""
    return (SHIPPED.replace('version: "2026.1"', f'version: "{version}"')
            .replace(f"I keep my {word} up to date.", f"I keep my {to} up to date."))


def upload(client: FlaskClient, text: str | bytes, kind: str = "questionnaire", name: str = "ccl.yaml"):  # type: ignore[no-untyped-def]
    import io

    url = f"{BASE}/{kind}/upload"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = text.encode() if isinstance(text, str) else text
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def row(version: str, kind: str = "questionnaire") -> ContentVersion:
    found = db.session.scalar(db.select(ContentVersion).where(ContentVersion.kind == kind,
                                                              ContentVersion.version == version))
    assert found is not None
    return found


def act(client: FlaskClient, version: str, action: str, kind: str = "questionnaire"):  # type: ignore[no-untyped-def]
    return post_form(client, f"{BASE}/{row(version, kind).id}/{action}", {})


# --- who may --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LOCAL_LEAD, Role.OWNER, Role.FACILITATOR, Role.MANAGER])
def test_only_administrators_see_versions_and_drafts(app: Flask, admin_client: FlaskClient, role: Role,
                                                     create_user: Callable[..., User]) -> None:
    assert upload(admin_client, new_version()).status_code == 302
    draft = row("2027.1")
    other = signed_in(app, create_user(role))
    for url in (BASE, f"{BASE}/audit", f"{BASE}/questionnaire/2027.1.yaml", f"{BASE}/questionnaire/upload",
                f"{BASE}/{draft.id}/publish"):
        assert other.get(url).status_code == 403, url
    assert other.post(f"{BASE}/{draft.id}/publish").status_code in (400, 403)  # refused, whatever the token
    db.session.refresh(draft)
    assert draft.status is Status.DRAFT
    # A draft is never served to a round, so no rater or owner page can show it.
    with pytest.raises(QuestionnaireError, match="draft"):
        load_version("2027.1")


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(BASE)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- listing, download ----------------------------------------------------------------------------------------


def test_the_page_lists_the_shipped_versions_and_what_new_rounds_get(admin_client: FlaskClient, owner: User,
                                                                     create_round: Callable[..., Cycle]) -> None:
    create_round(owner)
    page = admin_client.get(BASE).get_data(as_text=True)
    assert row("2026.1").status is Status.PUBLISHED and row("2026.1", "prompts").status is Status.PUBLISHED
    assert "New rounds get version <strong>2026.1</strong>" in page
    assert "2026.1 (new rounds get this)" in page
    assert '<span class="nhsuk-table-responsive__heading" aria-hidden="true">Rounds using it </span>1' in page
    assert "Session prompts" in page


def test_a_version_downloads_as_the_file_the_product_ships(admin_client: FlaskClient, admin: User) -> None:
    admin_client.get(BASE)
    response = admin_client.get(f"{BASE}/questionnaire/2026.1.yaml")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == SHIPPED
    assert 'filename="ccl-2026.1.yaml"' in response.headers["Content-Disposition"]
    prompts_file = admin_client.get(f"{BASE}/prompts/2026.1.yaml")
    assert prompts_file.get_data(as_text=True) == (prompts.PROMPTS_DIR / "prompts-2026.1.yaml").read_text()
    assert admin_client.get(f"{BASE}/questionnaire/1999.1.yaml").status_code == 404
    assert admin_client.get(f"{BASE}/nonsense/2026.1.yaml").status_code == 404


def test_a_downloaded_file_uploaded_again_round_trips(admin_client: FlaskClient) -> None:
    admin_client.get(BASE)
    text = admin_client.get(f"{BASE}/questionnaire/2026.1.yaml").get_data(as_text=True)
    assert upload(admin_client, text.replace('version: "2026.1"', 'version: "2026.2"')).status_code == 302
    assert admin_client.get(f"{BASE}/questionnaire/2026.2.yaml").get_data(as_text=True) == text.replace(
        'version: "2026.1"', 'version: "2026.2"')


# --- upload refusals ----------------------------------------------------------------------------------------------


def _problems(page: str) -> list[str]:
    import re

    return re.findall(r'<a href="#file"\s*>\s*(.*?)\s*</a>', page, re.S)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


MALFORMED = {
    "not YAML": (new_version().replace("title: Career conversation 360", "title: [unclosed"), None),
    "repeated key": (new_version().replace("title: Career conversation 360",
                                           "title: Career conversation 360\ntitle: Again"), "title: Again"),
    "self wording": (new_version().replace("I do my work to a high standard.", "We do our work well."),
                     "We do our work well."),
    "rater wording": (new_version().replace("This person asks for help when they need it.", "Asks for help."),
                      "rater: Asks for help."),
    "key out of order": (new_version().replace("key: ability.professional.2", "key: ability.professional.7"),
                         "key: ability.professional.7"),
    "misspelt field": (new_version().replace("    summary: The skills", "    sumary: The skills"), "sumary:"),
    "version taken": (SHIPPED, 'version: "2026.1"'),
    "version unsafe": (new_version().replace('version: "2027.1"', 'version: "../x"'), 'version: "../x"'),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_naming_its_line(admin_client: FlaskClient, case: str) -> None:
    text, needle = MALFORMED[case]
    response = upload(admin_client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page and 'href="#file"' in page
    if needle is not None:
        assert f"Line {_line_of(text, needle)}: " in page, _problems(page)
    else:
        assert "Line " in page and "not valid YAML" in page
    assert db.session.scalar(db.select(ContentVersion).where(ContentVersion.status == Status.DRAFT)) is None


def test_three_statements_in_a_sub_area_is_refused_at_that_sub_area(admin_client: FlaskClient) -> None:
    data = yaml.safe_load(new_version())
    data["areas"][0]["sub_areas"][1]["statements"] = data["areas"][0]["sub_areas"][1]["statements"][:3]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    page = upload(admin_client, text).get_data(as_text=True)
    assert f"Line {_line_of(text, 'key: leadership') + 2}: areas → 0 → sub_areas → 1 → statements: must have 4 or 5" \
        in page, _problems(page)


@pytest.mark.parametrize(("body", "message"), [
    (b"\xff\xfe not text", "not text in UTF-8"),
    (b"- just\n- a list\n", "must be a questionnaire"),
    (b"", "must be a questionnaire"),
])
def test_a_file_that_is_no_questionnaire_at_all_is_refused(admin_client: FlaskClient, body: bytes,
                                                           message: str) -> None:
    page = upload(admin_client, body).get_data(as_text=True)
    assert message in page and "<title>Error: " in page


def test_a_prompts_file_is_checked_at_its_line(admin_client: FlaskClient) -> None:
    text = (prompts.PROMPTS_DIR / "prompts-2026.1.yaml").read_text().replace('version: "2026.1"',
                                                                             'version: "2027.1"')
    broken = text.replace("      exploring:\n        - What might get in the way", "      exploring: []\n      x:\n"
                          "        - What might get in the way")
    page = upload(admin_client, broken, kind="prompts").get_data(as_text=True)
    assert f"Line {_line_of(broken, '      x:')}: framework → 2 → groups → x:" in page, _problems(page)
    assert upload(admin_client, text, kind="prompts").status_code == 302
    assert row("2027.1", "prompts").status is Status.DRAFT


# --- publish, choose, retire: a round keeps its version ----------------------------------------------------------


def test_a_round_keeps_its_version_after_the_next_is_published_and_it_is_retired(
        app: Flask, admin_client: FlaskClient, create_user: Callable[..., User],
        create_round: Callable[..., Cycle]) -> None:
    first = create_round(create_user(Role.OWNER))
    assert first.questionnaire_version == "2026.1"
    assert upload(admin_client, new_version()).status_code == 302
    assert act(admin_client, "2027.1", "publish").status_code == 302
    assert act(admin_client, "2027.1", "choose").status_code == 302
    assert act(admin_client, "2026.1", "retire").status_code == 302
    assert row("2026.1").status is Status.RETIRED and row("2027.1").status is Status.PUBLISHED

    second = create_round(create_user(Role.OWNER))
    db.session.refresh(first)
    assert first.questionnaire_version == "2026.1" and second.questionnaire_version == "2027.1"
    questionnaire.forget_cached()  # as in another process: both read from the database
    assert first.questionnaire().statements()[0].self_text == "I keep my professional skills up to date."
    assert second.questionnaire().statements()[0].self_text == "I keep my work skills up to date."


def test_a_published_version_cannot_be_published_again_nor_the_chosen_one_retired(
        admin_client: FlaskClient) -> None:
    admin_client.get(BASE)
    for action, reason in [("publish", "Only a draft can be published; this version is published."),
                           ("retire", "Choose another version for new rounds before you retire this one."),
                           ("discard", "A published or retired version is kept for good")]:
        assert act(admin_client, "2026.1", action).status_code == 302
        assert reason in admin_client.get(BASE).get_data(as_text=True)
    assert row("2026.1").status is Status.PUBLISHED
    assert db.session.scalar(db.select(ContentAudit.id)) is None  # nothing done, nothing logged


def test_a_draft_can_be_deleted_and_its_number_used_again(admin_client: FlaskClient) -> None:
    upload(admin_client, new_version())
    assert act(admin_client, "2027.1", "discard").status_code == 302
    assert upload(admin_client, new_version(to="own skills")).status_code == 302


def test_chosen_prompts_are_what_facilitators_see(app: Flask, admin_client: FlaskClient) -> None:
    text = (prompts.PROMPTS_DIR / "prompts-2026.1.yaml").read_text().replace('version: "2026.1"',
                                                                             'version: "2027.1"')
    upload(admin_client, text.replace("Where are you now?", "Where are you today?"), kind="prompts")
    assert prompts.in_use().version == "2026.1"
    act(admin_client, "2027.1", "publish", "prompts")
    act(admin_client, "2027.1", "choose", "prompts")
    assert prompts.in_use().framework[0].question == "Where are you today?"


# --- audit ---------------------------------------------------------------------------------------------------------


def test_every_action_is_in_the_audit_log_with_who_and_when(admin_client: FlaskClient) -> None:
    upload(admin_client, new_version())
    admin_client.get(f"{BASE}/questionnaire/2027.1.yaml")
    act(admin_client, "2027.1", "publish")
    act(admin_client, "2027.1", "choose")
    act(admin_client, "2026.1", "retire")
    actions = [entry.action for entry in db.session.scalars(db.select(ContentAudit).order_by(ContentAudit.id))]
    assert actions == ["Uploaded as a draft", "Downloaded", "Published", "Chosen for new rounds",
                       "Retired for new rounds"]
    page = admin_client.get(f"{BASE}/audit").get_data(as_text=True)
    assert page.count('aria-hidden="true">Who </span>Ada Admin') == 5
    assert "Questionnaire 2026.1" in page and "Retired for new rounds" in page


def test_two_administrators_uploading_one_version_number_at_once_get_a_message_not_an_error(
        admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both pass the check that the number is free; the database refuses the second row. It is told so in words."""
    from surveys import questionnaire_store as store
    from surveys.questionnaire_models import ContentText

    original = store.upload_draft

    def raced(kind, text, actor):  # type: ignore[no-untyped-def]
        row = original(kind, text, actor)
        db.session.add(ContentVersion(kind=row.kind, version=row.version, status=Status.DRAFT,
                                      texts=[ContentText(language="en", source=text)]))
        db.session.flush()
        return row

    monkeypatch.setattr(store, "upload_draft", raced)
    page = upload(admin_client, new_version())
    assert page.status_code == 200 and "Someone else has just uploaded a version with this number" in \
        page.get_data(as_text=True)
