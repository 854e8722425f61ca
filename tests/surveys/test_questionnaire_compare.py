"""An administrator previews any questionnaire version as the owner and as a rater (the survey's own pages, nothing
saved), compares two versions statement by statement, and declares which statements carry over. Nobody else may."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Role, User
from surveys import questionnaire
from surveys.models import Cycle, RaterDraft, Response, SelfAssessment
from surveys.questionnaire_carry_over import CarryOver
from surveys.questionnaire_models import ContentAudit
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import signed_in
from tests.surveys.test_questionnaire_versions import BASE, act, new_version, row, upload


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Versions are cached in the process; each test's database is new, and reuses the version names.
    questionnaire.forget_cached()
    yield
    questionnaire.forget_cached()


@pytest.fixture
def admin_client(app: Flask, create_user: Callable[..., User]) -> FlaskClient:
    return signed_in(app, create_user(Role.ADMIN, name="Ada Admin"))


@pytest.fixture
def draft(admin_client: FlaskClient) -> int:
    assert upload(admin_client, new_version()).status_code == 302
    return row("2027.1").id


def _frame(version_id: int, audience: str, page: str) -> str:
    return f"{BASE}/{version_id}/preview/{audience}/{page}/frame"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LOCAL_LEAD, Role.OWNER, Role.FACILITATOR, Role.MANAGER])
def test_only_administrators_preview_and_compare(app: Flask, draft: int, role: Role,
                                                 create_user: Callable[..., User]) -> None:
    other = signed_in(app, create_user(role))
    shipped = row("2026.1").id
    for url in (f"{BASE}/{draft}/preview", f"{BASE}/{draft}/preview/self/1", _frame(draft, "rater", "1"),
                _frame(draft, "self", "check"), f"{BASE}/compare", f"{BASE}/compare?older={shipped}&newer={draft}"):
        response = other.get(url)
        assert response.status_code == 403, url
        assert "work skills" not in response.get_data(as_text=True)
    assert other.post(f"{BASE}/compare/{shipped}/{draft}/carry-over").status_code in (400, 403)
    assert db.session.scalar(sa.select(CarryOver.older_key)) is None


def test_signed_out_visitors_see_no_preview(client: FlaskClient, draft: int) -> None:
    response = client.get(_frame(draft, "rater", "start"))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- preview ------------------------------------------------------------------------------------------------------


def test_a_draft_is_previewed_as_a_rater_on_a_phone_width_page_that_says_nothing_is_saved(
        admin_client: FlaskClient, draft: int) -> None:
    shell = admin_client.get(f"{BASE}/{draft}/preview")
    page = shell.get_data(as_text=True)
    assert shell.status_code == 200
    assert "This is a preview of questionnaire version 2027.1 (draft). Nothing you choose or write here is saved" \
        in _text(page)
    assert f'<iframe class="app-phone-frame" src="{_frame(draft, "rater", "start")}"' in page
    assert "frame-ancestors 'none'" in shell.headers["Content-Security-Policy"]
    frame = admin_client.get(_frame(draft, "rater", "start"))
    assert frame.status_code == 200 and "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    html = frame.get_data(as_text=True)
    assert "Give feedback for Sam Sample" in html and "This is a preview of questionnaire version 2027.1" in html
    assert f'href="{_frame(draft, "rater", "1")}"' in html and f'href="{_frame(draft, "rater", "decline")}"' in html
    assert "Sign out" not in html  # as a rater sees it: not the administrator's account and menu


def test_every_area_page_steps_through_with_the_survey_checks_and_nothing_is_saved(
        admin_client: FlaskClient, draft: int) -> None:
    html = admin_client.get(_frame(draft, "self", "1")).get_data(as_text=True)
    assert "I keep my work skills up to date." in html and "Rate yourself" in html
    keys = re.findall(r'name="(s-[a-z_-]+-\d+)" type="radio" value="1"', html) or \
        sorted(set(re.findall(r'name="(s-[a-z0-9_-]+)"', html)))
    assert len(keys) >= 8
    missing = post_form(admin_client, _frame(draft, "self", "1"), {keys[0]: "4"})
    page = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "<title>Error: " in page and "There is a problem" in page
    assert "Choose an answer for" in page and 'value="4" checked' in page  # what was given stays on the page
    done = post_form(admin_client, _frame(draft, "self", "1"), {k: "4" for k in keys})
    assert done.status_code == 302 and done.headers["Location"].endswith(_frame(draft, "self", "2"))
    rater_last = _frame(draft, "rater", "4")
    rater_keys = sorted(set(re.findall(r'name="(s-[a-z0-9_-]+)"', admin_client.get(rater_last).get_data(
        as_text=True))))
    last = post_form(admin_client, rater_last, dict.fromkeys(rater_keys, "n"))  # "Not able to say" for raters
    assert last.status_code == 302 and last.headers["Location"].endswith(_frame(draft, "rater", "comments"))
    too_long = post_form(admin_client, _frame(draft, "rater", "comments"), {"q-strengths": "x" * 2001})
    assert "<title>Error: " in too_long.get_data(as_text=True) and "2000 characters or fewer" in \
        too_long.get_data(as_text=True)
    ok = post_form(admin_client, _frame(draft, "rater", "comments"), {"q-strengths": "Kind"})
    assert ok.headers["Location"].endswith(_frame(draft, "rater", "check"))
    check = admin_client.get(_frame(draft, "rater", "check")).get_data(as_text=True)
    assert "Some statements are not answered yet" in check  # each page starts empty: nothing was kept
    saved = post_form(admin_client, _frame(draft, "rater", "2"), {"action": "save"})
    assert saved.status_code == 302
    assert "This is a preview: nothing has been saved." in admin_client.get(saved.headers["Location"]).get_data(
        as_text=True)
    for model in (Cycle, SelfAssessment, RaterDraft, Response):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert [a.action for a in db.session.scalars(sa.select(ContentAudit))] == ["Uploaded as a draft"]


def test_the_preview_lists_every_page_and_a_published_version_previews_too(admin_client: FlaskClient,
                                                                         draft: int) -> None:
    page = admin_client.get(f"{BASE}/{draft}/preview/self/2").get_data(as_text=True)
    for number in (1, 3, 4):
        assert f'href="{BASE}/{draft}/preview/self/{number}"' in page
    assert 'aria-current="page"' in page and "Check answers" in page
    shipped = admin_client.get(f"{BASE}/{row('2026.1').id}/preview/self/1/frame").get_data(as_text=True)
    assert "I keep my professional skills up to date." in shipped and "(published)" in shipped
    assert admin_client.get(f"{BASE}/{draft}/preview/self/9").status_code == 404
    assert admin_client.get(_frame(draft, "self", "start")).status_code == 404
    assert admin_client.get(_frame(draft, "boss", "1")).status_code == 404
    assert admin_client.get(f"{BASE}/{row('2026.1', 'prompts').id}/preview").status_code == 404


def test_a_draft_deleted_and_uploaded_again_under_its_number_previews_its_new_words(
        admin_client: FlaskClient, draft: int) -> None:
    """The answer radios are cached by version; a published version never changes, but a draft's number can come
    back with other words, the scale included."""
    assert "Strongly agree" in admin_client.get(_frame(draft, "rater", "1")).get_data(as_text=True)
    act(admin_client, "2027.1", "discard")
    upload(admin_client, new_version().replace("label: Strongly agree", "label: Agree strongly"))
    html = admin_client.get(_frame(row("2027.1").id, "rater", "1")).get_data(as_text=True)
    assert "Agree strongly" in html and "Strongly agree" not in html


# --- compare ------------------------------------------------------------------------------------------------------


def _moved() -> str:
    """2027.1 with one word changed, a statement of Values – Shared reworded, and two statements swapped between
    the sub-areas of Ability."""
    text = new_version().replace("This person keeps their professional skills up to date.",
                                 "This person keeps their work skills up to date.")
    a = ("            self: I do my work to a high standard.\n"
         "            rater: This person does their work to a high standard.\n")
    b = ("            self: I give people a clear sense of direction.\n"
         "            rater: This person gives people a clear sense of direction.\n")
    assert a in text and b in text
    return text.replace(a, "@A@").replace(b, a).replace("@A@", b)


def test_two_versions_compare_statement_by_statement_with_changed_words_marked(admin_client: FlaskClient) -> None:
    upload(admin_client, _moved())
    older, newer = row("2026.1").id, row("2027.1").id
    page = admin_client.get(f"{BASE}/compare?older={older}&newer={newer}").get_data(as_text=True)
    assert "<title>Compare questionnaire versions: 2026.1 and 2027.1 – " in page
    assert ('<del><span class="nhsuk-u-visually-hidden">[removed: </span>professional '
            '<span class="nhsuk-u-visually-hidden">]</span></del>') in page
    assert '<ins><span class="nhsuk-u-visually-hidden">[added: </span>work' in page
    text = _text(page)
    assert "2 statements moved to another sub-area" in text and "0 statements added" in text
    assert "ability.professional.2 → ability.leadership.1 (from Ability: Professional)" in text
    assert "Open questions" in text and "The open questions are the same." in text


def test_the_default_page_compares_what_new_rounds_get_with_the_newest(admin_client: FlaskClient,
                                                                      draft: int) -> None:
    text = _text(admin_client.get(f"{BASE}/compare").get_data(as_text=True))
    assert "What changed from 2026.1 to 2027.1" in text and "1 statement with wording changed" in text
    assert "only be declared between published versions" in text  # the later one is still a draft


# --- carry-over ---------------------------------------------------------------------------------------------------


def _selected(html: str, field: str) -> str:
    select = html.split(f'id="{field}"')[1].split("</select>")[0]
    found = re.search(r'<option value="([^"]*)" selected\s*>', select)
    assert found, field
    return found.group(1)


def _declare_url(older: str, newer: str) -> tuple[str, str]:
    o, n = row(older).id, row(newer).id
    return f"{BASE}/compare/{o}/{n}/carry-over", f"{BASE}/compare?older={o}&newer={n}"


def test_carry_over_is_declared_between_published_versions_stored_and_audited(admin_client: FlaskClient) -> None:
    upload(admin_client, _moved())
    url, page = _declare_url("2026.1", "2027.1")
    assert "only be declared between published versions" in _text(admin_client.get(page).get_data(as_text=True))
    refused = post_form(admin_client, url, {}, page=f"{BASE}/{row('2027.1').id}/publish")  # a token from elsewhere
    assert refused.status_code == 302 and db.session.scalar(sa.select(CarryOver.older_key)) is None
    act(admin_client, "2027.1", "publish")
    html = admin_client.get(page).get_data(as_text=True)
    # The proposal: the same key with the same rater wording (the reworded and the swapped statements are not).
    assert _selected(html, "carry-ability-professional-1") == "none"
    assert _selected(html, "carry-ability-professional-2") == "none"
    assert _selected(html, "carry-ability-professional-3") == "ability.professional.3"
    fields = re.findall(r'<select class="[^"]*" id="(carry-[a-z_-]+-\d)"', html)
    assert len(fields) == 36
    chosen = {field: _selected(html, field) for field in fields}
    chosen["carry-ability-professional-2"] = "ability.leadership.1"  # the swapped statement, declared by hand
    saved = post_form(admin_client, url, chosen, page=page)
    assert saved.status_code == 302
    stored = dict(db.session.execute(sa.select(CarryOver.older_key, CarryOver.newer_key)).all())
    assert stored["ability.professional.2"] == "ability.leadership.1"
    assert stored["ability.professional.1"] is None and stored["ability.professional.3"] == "ability.professional.3"
    assert len(stored) == 36
    actions = [a.action for a in db.session.scalars(sa.select(ContentAudit).order_by(ContentAudit.id))]
    assert actions[-1] == "Carry-over from 2026.1 declared"
    assert "Declared on" in admin_client.get(page).get_data(as_text=True)


def test_two_statements_carried_over_to_one_are_refused_at_the_field(admin_client: FlaskClient) -> None:
    upload(admin_client, new_version())
    act(admin_client, "2027.1", "publish")
    url, page = _declare_url("2026.1", "2027.1")
    response = post_form(admin_client, url, {"carry-ability-professional-2": "ability.professional.3",
                                             "carry-ability-professional-3": "ability.professional.3"}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in html
    assert 'href="#carry-ability-professional-3"' in html
    assert "ability.professional.3 is already carried over from ability.professional.2" in html
    assert _selected(html, "carry-ability-professional-2") == "ability.professional.3"  # what was chosen stays
    assert db.session.scalar(sa.select(CarryOver.older_key)) is None


def test_a_target_that_is_no_statement_of_the_later_version_is_refused(admin_client: FlaskClient) -> None:
    upload(admin_client, new_version())
    act(admin_client, "2027.1", "publish")
    url, page = _declare_url("2026.1", "2027.1")
    html = post_form(admin_client, url, {"carry-ability-professional-2": "nonsense.1"}, page=page).get_data(
        as_text=True)
    assert "Choose a statement of the newer version" in html and csrf_from(html)


def test_two_declarations_in_a_row_carry_statements_across_both(app: Flask,
                                                                create_user: Callable[..., User]) -> None:
    """2026.1 → 2027.1 and 2027.1 → 2028.1 are declared, 2026.1 → 2028.1 is not: a round on 2026.1 and its next on
    2028.1 still compare the statements that carried over at both steps."""
    from surveys import questionnaire_carry_over as carry_over
    from surveys import questionnaire_store as store
    from surveys.questionnaire import QUESTIONNAIRES_DIR, load_version

    admin = create_user(Role.ADMIN)
    store.seed_shipped()
    shipped = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text()
    rows = {"2026.1": db.session.scalar(sa.select(store.ContentVersion).where(
        store.ContentVersion.kind == "questionnaire", store.ContentVersion.version == "2026.1"))}
    for version in ("2027.1", "2028.1"):
        rows[version] = store.upload_draft(store.KINDS["questionnaire"],
                                           shipped.replace('version: "2026.1"', f'version: "{version}"'), admin)
        store.publish(rows[version], admin)
    keys = load_version("2026.1").statement_keys()
    carry_over.declare(rows["2026.1"], rows["2027.1"], {key: key for key in keys}, admin)
    carry_over.declare(rows["2027.1"], rows["2028.1"], {key: (None if key == keys[0] else key) for key in keys}, admin)
    db.session.commit()
    assert carry_over.carried("2026.1", "2028.1") == {key: key for key in keys[1:]}
    assert carry_over.carried("2028.1", "2026.1") == {key: key for key in keys[1:]}
