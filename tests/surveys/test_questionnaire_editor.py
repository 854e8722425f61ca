"""Administrators edit a draft questionnaire on the site: a new draft from a published version, every kind of text
edited and stored back as the file the product ships, refusals named at their field, every edit logged, only
administrators, published versions never changed, and rounds keep their own version's words."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from facilitator import prompts
from surveys import questionnaire
from surveys.models import Cycle
from surveys.questionnaire import QUESTIONNAIRES_DIR, _parse, load_version
from surveys.questionnaire_models import ContentAudit, ContentVersion
from surveys.questionnaire_rules import Status
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import signed_in
from tests.test_error_pattern import error_pattern_problems

BASE = "/admin/questionnaires"
SHIPPED = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
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
    client = signed_in(app, admin)
    client.get(BASE)  # stores the shipped versions
    return client


def row(version: str, kind: str = "questionnaire") -> ContentVersion:
    found = db.session.scalar(db.select(ContentVersion).where(ContentVersion.kind == kind,
                                                              ContentVersion.version == version))
    assert found is not None
    db.session.refresh(found)
    return found


def start_draft(client: FlaskClient, version: str = "2027.1", source: str = "2026.1", kind: str = "questionnaire"):  # type: ignore[no-untyped-def]
    return post_form(client, f"{BASE}/{row(source, kind).id}/new-draft", {"version": version})


def edit(client: FlaskClient, path: str, data: dict[str, str], version: str = "2027.1"):  # type: ignore[no-untyped-def]
    return post_form(client, f"{BASE}/{row(version).id}/edit{path}", data)


def draft_text(version: str = "2027.1") -> str:
    return row(version).text()


def draft(version: str = "2027.1") -> questionnaire.Questionnaire:
    return _parse(draft_text(version), f"ccl-{version}.yaml")


STATEMENT = {"title": "Keeps work skills up to date", "self_text": "I keep my work skills up to date.",
             "rater_text": "This person keeps their work skills up to date."}


def preparation_form(version: str = "2027.1") -> dict[str, str]:
    """The Preparation Document page's fields, filled with the draft's words."""
    words = draft(version).preparation
    return {f"{r.key}_{part}": getattr(r, part) for r in words.ratings for part in ("question", "label", "missing")
            } | {f"position_{p.key}": p.label for p in words.positions}


def errors(page: str) -> list[str]:
    """The error summary's messages, once the page is shown to follow the design system's error pattern."""
    assert error_pattern_problems(page) == []
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', page, re.S)
    assert summary is not None
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
            for text in re.findall(r'<a href="#[^"]+"[^>]*>(.*?)</a>', summary.group(0), re.S)]


# --- a new draft ---------------------------------------------------------------------------------------------------


def test_a_new_draft_starts_with_every_word_of_its_source_under_a_new_number(admin_client: FlaskClient) -> None:
    page = admin_client.get(f"{BASE}/{row('2026.1').id}/new-draft").get_data(as_text=True)
    assert 'value="2026.2"' in page  # the next free number is offered
    response = start_draft(admin_client)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{row('2027.1').id}/edit")
    assert row("2027.1").status is Status.DRAFT
    assert draft_text() == SHIPPED.replace('version: "2026.1"', 'version: "2027.1"')
    entry = db.session.scalar(db.select(ContentAudit).order_by(ContentAudit.id.desc()))
    assert entry is not None and (entry.action, entry.version, entry.user_name) == (
        "Draft started from 2026.1", "2027.1", "Ada Admin")


@pytest.mark.parametrize(("version", "message"), [
    ("2026.1", 'Version "2026.1" already exists'),
    ("next", "The version number must be a year and a number"),
    ("", "The version number must be a year and a number")])
def test_a_new_draft_needs_a_new_well_formed_number(admin_client: FlaskClient, version: str, message: str) -> None:
    response = start_draft(admin_client, version)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in page
    assert errors(page)[0].startswith(message)
    assert db.session.scalar(db.select(db.func.count(ContentVersion.id)).where(
        ContentVersion.status == Status.DRAFT)) == 0


# --- edits are stored as the file -----------------------------------------------------------------------------------


def test_an_edited_statement_keeps_its_key_and_is_stored_as_the_shipped_file_with_that_change(
        admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    response = edit(admin_client, "/statement/ability.professional.1", STATEMENT)
    assert response.status_code == 302
    assert draft().statements()[0].key == "ability.professional.1"
    expected = (SHIPPED.replace("2026.1", "2027.1")  # the number, and the comment that names it
                .replace("title: Keeps professional skills up to date", "title: Keeps work skills up to date")
                .replace("I keep my professional skills", "I keep my work skills")
                .replace("This person keeps their professional skills", "This person keeps their work skills"))
    assert draft_text() == expected
    # The text downloads as it is stored, and uploads again as another version.
    downloaded = admin_client.get(f"{BASE}/questionnaire/2027.1.yaml").get_data(as_text=True)
    assert downloaded == expected
    token = csrf_from(admin_client.get(f"{BASE}/questionnaire/upload").get_data(as_text=True))
    again = admin_client.post(f"{BASE}/questionnaire/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(expected.replace("2027.1", "2027.2").encode()), "ccl.yaml")})
    assert again.status_code == 302 and row("2027.2").status is Status.DRAFT


@pytest.mark.parametrize(("field", "value", "message"), [
    ("self_text", "We keep skills up to date.", "Owner's wording must start with 'I '"),
    ("rater_text", "They keep skills up to date.", "Raters' wording must start with 'This person '"),
    ("title", "I keep skills.", "Short title must be a short title"),
    ("title", "", "Enter the short title"),
    ("self_text", "I " + "x" * 250, "Owner's wording must be at most 200 characters, not 252"),
])
def test_a_refused_statement_names_its_field_and_keeps_what_was_typed(admin_client: FlaskClient, field: str,
                                                                     value: str, message: str) -> None:
    start_draft(admin_client)
    before = draft_text()
    response = edit(admin_client, "/statement/ability.professional.2", {**STATEMENT, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in page
    assert [text.startswith(message) for text in errors(page)] == [True]
    assert f'href="#{field}"' in page and f'id="{field}-error"' in page  # summary links to the field's message
    if value:
        assert f'value="{value}"' in page or value in page  # nothing typed is lost
    assert draft_text() == before


def test_a_statement_can_be_added_to_a_sub_area_of_four_and_only_the_last_of_five_removed(
        admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    assert len(draft().area("ability").sub_areas[1].statements) == 4
    assert edit(admin_client, "/ability/leadership/new", STATEMENT).status_code == 302
    added = draft().area("ability").sub_areas[1].statements
    assert [s.key for s in added][-1] == "ability.leadership.5" and added[-1].self_text == STATEMENT["self_text"]
    # A sixth is not offered, and posting one is refused at the page's field.
    assert "Add a statement<span class=\"nhsuk-u-visually-hidden\"> to Ability: Leadership" not in \
        admin_client.get(f"{BASE}/{row('2027.1').id}/edit").get_data(as_text=True)
    refused = edit(admin_client, "/ability/leadership/new", STATEMENT).get_data(as_text=True)
    assert "must have 4 or 5 statements, not 6" in refused
    # A middle statement cannot go (the keys after it would move); the last can.
    middle = admin_client.get(f"{BASE}/{row('2027.1').id}/edit/statement/ability.leadership.2/remove")
    assert middle.status_code == 302
    assert post_form(admin_client, f"{BASE}/{row('2027.1').id}/edit/statement/ability.leadership.5/remove",
                     {}).status_code == 302
    assert [s.key for s in draft().area("ability").sub_areas[1].statements] == [
        f"ability.leadership.{n}" for n in range(1, 5)]
    assert admin_client.get(f"{BASE}/{row('2027.1').id}/edit/statement/ability.leadership.4/remove"
                            ).status_code == 302  # four left: none can go


def test_areas_open_questions_answers_and_the_preparation_document_are_edited(admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    assert edit(admin_client, "/area/insight", {"title": "Insight", "summary": "How someone sees themselves.",
                                                "sub_self_awareness": "Knowing yourself",
                                                "sub_strategic": "Strategic insight"}).status_code == 302
    assert edit(admin_client, "/open-questions", {
        "strengths_text": "What should this person keep doing?", "strengths_hint": "Something they do well.",
        "develop_text": "What one thing could this person develop?", "develop_hint": "The one that matters most.",
        "other_text": "Anything else?", "other_hint": "You can leave this blank."}).status_code == 302
    general = {"title": "Career 360", "not_able_to_say": "Cannot say",
               **{f"scale_{n}": label for n, label in enumerate(
                   ["Strongly disagree", "Disagree", "Not sure", "Agree", "Strongly agree"], start=1)}}
    assert edit(admin_client, "/general", general).status_code == 302
    base = draft()
    preparation = preparation_form()
    preparation["position_step_up"] = "Thinking about a more senior role"
    assert edit(admin_client, "/preparation", preparation).status_code == 302
    edited = draft()
    assert edited.area("insight").sub_areas[0].title == "Knowing yourself"
    assert edited.open_questions[2].text == "Anything else?"
    assert edited.scale[2].label == "Not sure" and edited.not_able_to_say == "Cannot say"
    assert edited.preparation.position_label("step_up") == "Thinking about a more senior role"
    assert [s.key for s in edited.statements()] == [s.key for s in base.statements()]


def test_a_preparation_word_left_blank_is_refused_at_its_field(admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    data = preparation_form()
    page = edit(admin_client, "/preparation", {**data, "workload_missing": " "}).get_data(as_text=True)
    assert errors(page) == ["Enter the rating 2: message when it is missing"]


def test_every_edit_is_in_the_audit_log_saying_what_changed(admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    edit(admin_client, "/statement/ability.professional.1", {**STATEMENT, "title": "Keeps professional skills up "
                                                                                    "to date"})
    edit(admin_client, "/statement/ability.professional.1", {**STATEMENT, "title": "Keeps professional skills up "
                                                                                    "to date"})  # no change
    entries = list(db.session.scalars(db.select(ContentAudit).order_by(ContentAudit.id)))
    assert [(e.action, e.detail) for e in entries] == [
        ("Draft started from 2026.1", None),
        ("Edited a statement", "ability.professional.1: Owner's wording, Raters' wording")]
    page = admin_client.get(f"{BASE}/audit").get_data(as_text=True)
    assert "Edited a statement: ability.professional.1: Owner&#39;s wording, Raters&#39;" in page


def test_the_draft_page_shows_a_reading_ease_beside_each_statement_and_which_language(
        admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    page = admin_client.get(f"{BASE}/{row('2027.1').id}/edit").get_data(as_text=True)
    assert page.count("Reading ease ") == 2 * len(draft().statements())
    assert "You are editing the English text of this version" in page
    statement_page = admin_client.get(f"{BASE}/{row('2027.1').id}/edit/statement/ability.professional.1")
    assert re.search(r"Reading ease: \d+ out of 100", statement_page.get_data(as_text=True))


# --- what may never change ------------------------------------------------------------------------------------------


def test_a_published_version_is_never_edited(admin_client: FlaskClient) -> None:
    published = row("2026.1")
    before = published.text()
    token_page = f"{BASE}/{published.id}/new-draft"
    response = post_form(admin_client, f"{BASE}/{published.id}/edit/statement/ability.professional.1", STATEMENT,
                         page=token_page)
    assert response.status_code == 302
    assert "A published version is never changed" in admin_client.get(BASE).get_data(as_text=True)
    assert row("2026.1").text() == before
    assert admin_client.get(f"{BASE}/{published.id}/edit").status_code == 302


def test_a_draft_cannot_be_the_source_of_a_new_draft_and_unknown_parts_are_not_found(
        admin_client: FlaskClient) -> None:
    start_draft(admin_client)
    assert post_form(admin_client, f"{BASE}/{row('2027.1').id}/new-draft", {"version": "2027.2"},
                     page=f"{BASE}/{row('2026.1').id}/new-draft").status_code == 302
    assert db.session.scalar(db.select(ContentVersion).where(ContentVersion.version == "2027.2")) is None
    draft_id = row("2027.1").id
    for path in ("/statement/ability.professional.9", "/area/courage", "/ability/courage/new",
                 "/statement/nonsense/remove"):
        assert admin_client.get(f"{BASE}/{draft_id}/edit{path}").status_code == 404, path
    prompts_id = row("2026.1", "prompts").id
    assert admin_client.get(f"{BASE}/{prompts_id}/edit").status_code == 404  # prompts have their own editor


@pytest.mark.parametrize("role", [Role.LOCAL_LEAD, Role.OWNER, Role.FACILITATOR, Role.MANAGER])
def test_only_administrators_edit_or_see_a_draft(app: Flask, admin_client: FlaskClient, role: Role,
                                                create_user: Callable[..., User]) -> None:
    start_draft(admin_client)
    draft_id, before = row("2027.1").id, draft_text()
    other = signed_in(app, create_user(role))
    for path in ("/edit", "/edit/statement/ability.professional.1", "/edit/area/ability", "/edit/general",
                 "/edit/open-questions", "/edit/preparation", "/edit/ability/leadership/new",
                 "/edit/statement/ability.professional.5/remove", "/new-draft"):
        assert other.get(f"{BASE}/{draft_id}{path}").status_code == 403, path
        assert other.post(f"{BASE}/{draft_id}{path}", data=STATEMENT).status_code in (400, 403), path
    assert draft_text() == before


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient, app: Flask) -> None:
    response = client.get(f"{BASE}/1/edit")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- rounds keep their version's words ------------------------------------------------------------------------------


def test_a_round_keeps_its_versions_words_after_an_edited_version_is_published_and_its_own_retired(
        app: Flask, admin_client: FlaskClient, create_user: Callable[..., User],
        create_round: Callable[..., Cycle]) -> None:
    first = create_round(create_user(Role.OWNER))
    start_draft(admin_client)
    edit(admin_client, "/statement/ability.professional.1", STATEMENT)
    edit(admin_client, "/preparation",
         {**preparation_form(), "fulfilment_question": "How much do you enjoy your role?"})
    for version, action in [("2027.1", "publish"), ("2027.1", "choose"), ("2026.1", "retire")]:
        assert post_form(admin_client, f"{BASE}/{row(version).id}/{action}", {}).status_code == 302
    second = create_round(create_user(Role.OWNER))
    questionnaire.forget_cached()
    db.session.refresh(first)
    assert (first.questionnaire_version, second.questionnaire_version) == ("2026.1", "2027.1")
    assert first.questionnaire().statements()[0].self_text == "I keep my professional skills up to date."
    assert second.questionnaire().statements()[0].self_text == "I keep my work skills up to date."
    assert second.questionnaire().preparation.ratings[0].question == "How much do you enjoy your role?"
    assert load_version("2026.1").preparation.ratings[0].question == "How fulfilled do you feel in your current role?"


def test_the_preparation_page_asks_in_the_words_of_the_rounds_version(
        app: Flask, admin_client: FlaskClient, owner: User, create_round: Callable[..., Cycle]) -> None:
    start_draft(admin_client)
    edit(admin_client, "/preparation", {**preparation_form(), "position_stay": "Happy where I am, still learning",
                                        "workload_question": "Is your workload one you can manage?"})
    for action in ("publish", "choose"):
        post_form(admin_client, f"{BASE}/{row('2027.1').id}/{action}", {})
    create_round(owner)
    page = signed_in(app, owner).get("/round/preparation").get_data(as_text=True)
    assert "Is your workload one you can manage?" in page and "Happy where I am, still learning" in page
    assert "How manageable is your workload?" not in page


# --- session prompts ------------------------------------------------------------------------------------------------


def test_session_prompts_are_edited_in_their_groups_and_facilitators_see_them_once_chosen(
        admin_client: FlaskClient) -> None:
    assert start_draft(admin_client, source="2026.1", kind="prompts").status_code == 302
    draft_id = row("2027.1", "prompts").id
    url = f"/admin/questionnaires/prompts/{draft_id}/edit/now"
    current = prompts.parse(row("2027.1", "prompts").text(), "prompts-2027.1.yaml").framework[0]
    data = {"question": "Where are you today?", **{key: "\n".join(items) for key, _, items in current.groups.items()}}
    data["openers"] += "\n\nWhat stood out for you first?\n"  # a blank line is no prompt
    assert post_form(admin_client, url, data).status_code == 302
    edited = prompts.parse(row("2027.1", "prompts").text(), "prompts-2027.1.yaml")
    assert edited.framework[0].question == "Where are you today?"
    assert edited.framework[0].groups.openers[-1] == "What stood out for you first?"
    refused = post_form(admin_client, url, {**data, "actions": "", "exploring": "x" * 201})
    page = refused.get_data(as_text=True)
    assert errors(page) == ["Exploring questions, line 1: must be at most 200 characters, not 201",
                            "Enter at least one prompt in agreeing actions"]
    for action in ("publish", "choose"):
        post_form(admin_client, f"{BASE}/{draft_id}/{action}", {})
    assert prompts.in_use().framework[0].question == "Where are you today?"
    entry = db.session.scalar(db.select(ContentAudit).where(ContentAudit.action == "Edited the session prompts"))
    assert entry is not None and entry.detail == "Where are you now?"


def test_only_administrators_edit_session_prompts(app: Flask, admin_client: FlaskClient,
                                                  create_user: Callable[..., User]) -> None:
    start_draft(admin_client, kind="prompts")
    draft_id = row("2027.1", "prompts").id
    lead = signed_in(app, create_user(Role.LOCAL_LEAD))
    for path in ("/edit", "/edit/now"):
        assert lead.get(f"/admin/questionnaires/prompts/{draft_id}{path}").status_code == 403
    assert admin_client.get(f"/admin/questionnaires/prompts/{row('2026.1', 'prompts').id}/edit").status_code == 302
    assert admin_client.get(f"/admin/questionnaires/prompts/{draft_id}/edit/later").status_code == 404


# --- two administrators on one draft -------------------------------------------------------------------------------


def test_two_administrators_editing_one_statement_keep_each_others_words_or_are_told(
        app: Flask, admin_client: FlaskClient, create_user: Callable[..., User]) -> None:
    start_draft(admin_client)
    other = signed_in(app, create_user(Role.ADMIN, name="Bea Admin"))
    url = f"{BASE}/{row('2027.1').id}/edit/statement/ability.professional.1"
    mine, theirs = (client.get(url).get_data(as_text=True) for client in (admin_client, other))
    shown = draft().statements()[0]
    form = {"title": shown.title, "self_text": shown.self_text, "rater_text": shown.rater_text}

    def post(client: FlaskClient, page: str, **changes: str):  # type: ignore[no-untyped-def]
        seen = html.unescape(re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1))  # type: ignore[union-attr]
        return client.post(url, data={"csrf_token": csrf_from(page), "seen": seen, **form, **changes})

    # Bea changes the title; Ada, who opened the page before, changes only the raters' wording: both are kept.
    assert post(other, theirs, title="Keeps work skills up to date").status_code == 302
    assert post(admin_client, mine, rater_text="This person keeps their work skills up to date.").status_code == 302
    kept = draft().statements()[0]
    assert (kept.title, kept.rater_text) == ("Keeps work skills up to date",
                                              "This person keeps their work skills up to date.")

    # Both change the owner's wording differently: the second is told what it says now and loses nothing typed.
    assert post(other, theirs, self_text="I keep my skills current.").status_code == 302
    refused = post(admin_client, mine, self_text="I keep my skills fresh.")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert errors(page) == ["Another administrator changed owner's wording after you opened this page. It now says: "
                            "“I keep my skills current.”. Your words are in the box: save again to keep them"]
    assert "I keep my skills fresh." in page and draft().statements()[0].self_text == "I keep my skills current."
    # Saving again from that page keeps Ada's words.
    assert post(admin_client, page, self_text="I keep my skills fresh.").status_code == 302
    assert draft().statements()[0].self_text == "I keep my skills fresh."


def test_two_administrators_editing_one_prompt_question_are_told_when_they_clash(
        app: Flask, admin_client: FlaskClient, create_user: Callable[..., User]) -> None:
    draft_row = start_draft(admin_client, "2027.1", kind="prompts")
    assert draft_row.status_code == 302
    other = signed_in(app, create_user(Role.ADMIN, name="Bea Admin"))
    parsed = prompts.parse(row("2027.1", "prompts").text(), "prompts-2027.1.yaml")
    question = parsed.framework[0]
    url = f"/admin/questionnaires/prompts/{row('2027.1', 'prompts').id}/edit/{question.key}"
    pages = [client.get(url).get_data(as_text=True) for client in (admin_client, other)]
    form = {"question": question.question,
            **{key: "\r\n".join(items) for key, _label, items in question.groups.items()}}

    def post(client: FlaskClient, page: str, **changes: str):  # type: ignore[no-untyped-def]
        seen = html.unescape(re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1))  # type: ignore[union-attr]
        return client.post(url, data={"csrf_token": csrf_from(page), "seen": seen, **form, **changes})

    assert post(other, pages[1], question="Where are you now, in your work?").status_code == 302
    refused = post(admin_client, pages[0], question="Where are you today?")
    assert refused.status_code == 200 and "It now says: “Where are you now, in your work?”" in html.unescape(
        refused.get_data(as_text=True))


def test_on_postgresql_a_save_waits_for_a_publish_under_way_and_is_then_refused(admin_client: FlaskClient) -> None:
    """A save and a publish of one draft run one after the other: a save that waited for the publish finds the version
    published and changes nothing (a published version never changes)."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    start_draft(admin_client)
    version_id = row("2027.1").id
    url = f"{BASE}/{version_id}/edit/statement/ability.professional.1"
    page = admin_client.get(url).get_data(as_text=True)
    db.session.commit()
    results: list[int] = []
    with db.engine.connect() as publisher:
        publisher.exec_driver_sql(f"SELECT id FROM questionnaire_versions WHERE id = {version_id} FOR UPDATE")
        saving = threading.Thread(target=lambda: results.append(admin_client.post(url, data={
            "csrf_token": csrf_from(page), **STATEMENT}).status_code))
        saving.start()
        saving.join(1.5)
        assert saving.is_alive(), "the save did not wait for the lock"
        publisher.exec_driver_sql(f"UPDATE questionnaire_versions SET status = 'published' WHERE id = {version_id}")
        publisher.commit()
    saving.join(30)
    assert results == [302]
    assert "I keep my work skills" not in draft_text()
