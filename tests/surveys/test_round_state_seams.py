"""The owner's round page says what is true in every state (walk-through items 1, 4, 9, 10, 18 and 19): finishing
without a session only once the report is the owner's to read, documents the round moved past, a cancelled round,
the optional part of the preparation document, a finished round's label, and a typed close date on a non-working
day. Through the test client, with CSRF on."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Role, User
from facilitator.operations import assign
from surveys.models import Cycle, PreparationDocument
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import signed_in

SIZES = {"manager": 1, "peer": 3, "direct_report": 3}
TOKEN_PAGE = "/account/delete"  # a page with a form whatever the round's state: a CSRF token for a refused POST


def _main(client: FlaskClient, url: str) -> str:
    return html.unescape(" ".join(client.get(url).get_data(as_text=True).split("<main")[1].split()))


def _task(page: str, title: str) -> str:
    """The "Your progress" item that starts with `title`, as HTML."""
    return page.split("Your progress")[1].split(title)[1].split("</li>")[0]


@pytest.fixture
def releasing(owner: User) -> User:
    """The owner's organisation asks the facilitator to read the report first and release it (PRODUCT §5)."""
    owner.organisation.facilitator_releases_report = True
    unit.commit()
    return owner


@pytest.fixture
def lead(create_user: Callable[..., User]) -> User:
    return create_user(Role.LOCAL_LEAD, name="Lee Lead")


# --- 1. Finishing without a session comes after the report is released -------------------------------------------

def test_with_no_facilitator_a_held_report_cannot_be_finished_and_the_page_says_who_assigns_the_releaser(
        releasing: User, owner_client: FlaskClient, create_closed_round,  # type: ignore[no-untyped-def]
        lead: User) -> None:
    cycle = create_closed_round(releasing, SIZES)
    page = _main(owner_client, "/round")
    assert "Finish this round without a session" not in page
    assert ("What to do next</h2> <p class=\"nhsuk-card__description\"> Receive your report: your local lead assigns "
            "you a facilitator, who reads it first and releases it to you") in page
    assert "when your facilitator releases it" not in page and "your facilitator reads it first" not in page
    assert ("You do not have a facilitator yet. In your organisation a facilitator reads your report first and "
            "releases it to you, so ask Lee Lead, your organisation's local lead, to assign you one.") in page

    confirmation = _main(owner_client, "/round/finish")
    assert "<button" not in confirmation and "stays yours to read" not in confirmation
    assert "once your report has been released to you" in confirmation
    refused = post_form(owner_client, "/round/finish", {}, page=TOKEN_PAGE)
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).finished_early_at is None


def test_once_the_facilitator_releases_the_report_the_owner_may_finish_and_the_page_agrees(
        app: Flask, releasing: User, owner_client: FlaskClient, create_closed_round,  # type: ignore[no-untyped-def]
        create_user: Callable[..., User], lead: User) -> None:
    fay = create_user(Role.FACILITATOR, name="Fay Facilitator", email="fay@trust.example")
    assign(releasing, fay, lead)
    unit.commit()
    cycle = create_closed_round(releasing, SIZES)
    page = _main(owner_client, "/round")
    assert "Finish this round without a session" not in page
    assert "Receive your report when your facilitator releases it, at or before your session" in page
    assert post_form(owner_client, "/round/finish", {}, page=TOKEN_PAGE).status_code == 409

    facilitator = signed_in(app, fay)
    round_page = facilitator.get(f"/facilitator/rounds/{cycle.id}").get_data(as_text=True)
    facilitator.post(f"/facilitator/rounds/{cycle.id}/release", data={"csrf_token": csrf_from(round_page)})
    assert "Finish this round without a session" in _main(owner_client, "/round")
    assert "Your report stays yours to read" in _main(owner_client, "/round/finish")
    assert post_form(owner_client, "/round/finish", {}).status_code == 302
    page = _main(owner_client, "/round")
    assert "You finished this round without a session. Your report stays yours to read." in page
    assert "What to do next" not in page and "releases it" not in page


def test_where_the_owner_reads_the_report_at_once_finishing_is_offered_as_soon_as_it_is_ready(
        owner: User, owner_client: FlaskClient, create_closed_round) -> None:  # type: ignore[no-untyped-def]
    create_closed_round(owner, SIZES)
    assert "Finish this round without a session" in _main(owner_client, "/round")
    assert post_form(owner_client, "/round/finish", {}).status_code == 302


# --- 4. Documents the round moved past -----------------------------------------------------------------------------

def test_documents_never_submitted_before_the_close_are_not_called_submitted(
        owner: User, owner_client: FlaskClient, create_closed_round) -> None:  # type: ignore[no-untyped-def]
    create_closed_round(owner, SIZES)  # self-assessment answers saved, never submitted; no preparation document
    preparation = _main(owner_client, "/round/preparation")
    assert "You have submitted" not in preparation
    assert "Your round closed before you submitted your preparation document, so it can no longer be written." \
        in preparation
    assert "Not written" not in preparation  # nothing was saved: no list of empty answers
    for url in ("/round/self/1", "/round/self/check"):
        page = _main(owner_client, url)
        assert "has been submitted" not in page and "Submit my self-assessment" not in page, url
        assert ("Your round closed before you submitted your self-assessment, so it can no longer be changed. The "
                "answers you saved are shown below.") in page, url
    assert "Change<span" not in _main(owner_client, "/round/self/check")

    page = _main(owner_client, "/round")
    for title in ("Write your preparation document", "Rate yourself"):
        item = _task(page, title)
        assert "Not done" in item and "Not yet" not in item, title
    assert 'href="/round/preparation"' not in page and 'href="/round/self/1"' not in page


def test_a_draft_saved_before_the_close_is_shown_as_a_draft_the_facilitator_can_read(
        owner: User, owner_client: FlaskClient, create_closed_round) -> None:  # type: ignore[no-untyped-def]
    cycle = create_closed_round(owner, SIZES)
    # saved as a draft while the round was open, never submitted (written here, as the round has closed since)
    db.session.add(PreparationDocument(cycle_id=cycle.id, texts={"highs_and_lows": "Winter on the ward"}, ratings={}))
    unit.commit()
    page = _main(owner_client, "/round/preparation")
    assert "You have submitted" not in page
    assert "What you last saved is shown below, and your facilitator can read it." in page
    assert "Winter on the ward" in page


# --- 9. A cancelled round ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("with_raters", [True, False])
def test_a_cancelled_round_says_it_was_cancelled_and_when_and_what_comes_next(
        owner: User, owner_client: FlaskClient, create_round, with_raters: bool) -> None:  # type: ignore[no-untyped-def]
    create_round(owner, [("Pat Peer", "pat@trust.example", "peer")] if with_raters else None)
    assert post_form(owner_client, "/round/cancel", {}).status_code == 302
    page = _main(owner_client, "/round")
    assert "You cancelled this round on 13 May 2026." in page  # the test clock's day
    assert "You have completed" not in page and " of 0 steps" not in page and "Your round closed on" not in page
    assert ("Raters' links stopped working and no report was made." if with_raters else
            "No invitations had gone out, so nobody was asked for feedback.") in page
    assert "Start a new feedback round" in page
    assert ("What you did before you cancelled" in page) is with_raters  # invitations went; nothing else was done
    assert "Your progress" not in page


# --- 10. The optional part of the preparation document -------------------------------------------------------------

def test_the_preparation_document_submits_without_its_optional_life_factors(
        owner: User, owner_client: FlaskClient, create_round) -> None:  # type: ignore[no-untyped-def]
    create_round(owner, open_it=False)
    form = owner_client.get("/round/preparation").get_data(as_text=True)
    assert "Other things in your life that may have an impact (optional)" in form
    assert form.count("(optional)") == 1  # every other question is needed to submit, and none says otherwise
    answers = {name: "Some words" for name in ("highs_and_lows", "implications", "growth", "aims", "support")}
    answers |= {f"rating_{k}": "3" for k in ("fulfilment", "workload", "equipped", "relationships", "purpose")}
    answers |= {"position": "stay", "life_factors": "  ", "action": "submit"}
    assert post_form(owner_client, "/round/preparation", answers).status_code == 302
    cycle = db.session.scalar(sa.select(Cycle))
    assert cycle.preparation.submitted_at is not None and cycle.preparation.texts["life_factors"] == ""
    without_support = post_form(owner_client, "/round/preparation", {**answers, "support": ""},
                                page=TOKEN_PAGE)
    assert without_support.status_code == 200  # submitted already: nothing more is taken


def test_a_required_part_of_the_preparation_document_is_still_asked_for(
        owner: User, owner_client: FlaskClient, create_round) -> None:  # type: ignore[no-untyped-def]
    create_round(owner, open_it=False)
    answers = {name: "Some words" for name in ("highs_and_lows", "implications", "growth", "aims")}
    answers |= {f"rating_{k}": "3" for k in ("fulfilment", "workload", "equipped", "relationships", "purpose")}
    answers |= {"position": "stay", "action": "submit"}
    page = post_form(owner_client, "/round/preparation", answers).get_data(as_text=True)
    assert "Enter the support you would need" in page
    assert "Enter other things in your life" not in page


# --- 18. A round finished without a session --------------------------------------------------------------------------

def test_a_round_finished_without_a_session_is_labelled_finished_and_has_no_summary_to_write(
        app: Flask, owner: User, owner_client: FlaskClient, create_closed_round,  # type: ignore[no-untyped-def]
        create_user: Callable[..., User], lead: User) -> None:
    fay = create_user(Role.FACILITATOR, name="Fay Facilitator", email="fay@trust.example")
    assign(owner, fay, lead)
    unit.commit()
    cycle = create_closed_round(owner, SIZES)
    assert post_form(owner_client, "/round/finish", {}).status_code == 302
    rounds = _main(owner_client, "/rounds")
    assert "(finished without a session)" in rounds and "(report ready)" not in rounds

    facilitator = signed_in(app, fay)
    summary = facilitator.get(f"/facilitator/rounds/{cycle.id}/summary")
    text = " ".join(summary.get_data(as_text=True).split())
    assert summary.status_code == 409
    assert "They finished this round without a session, so there is no conversation summary to write." in text
    assert "Record the session" not in text
    assert "Finished without a session" in _main(facilitator, f"/facilitator/rounds/{cycle.id}")


# --- 19. A typed close date on a day that is not a working day -----------------------------------------------------

@pytest.mark.parametrize(("typed", "message"), [
    (date(2026, 5, 30), "30 May 2026 is a Saturday. Choose a working day, such as Monday 1 June 2026."),
    (date(2026, 5, 25), "25 May 2026 is a bank holiday in the UK. Choose a working day, such as Tuesday 26 May "
                        "2026."),  # the spring bank holiday
])
def test_a_typed_close_date_on_a_weekend_or_bank_holiday_is_refused_with_the_error_pattern(
        owner_client: FlaskClient, typed: date, message: str) -> None:
    response = post_form(owner_client, "/round/start", {"day": str(typed.day), "month": str(typed.month),
                                                         "year": str(typed.year)})
    page = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "<title>Error:" in page and "There is a problem" in page
    assert f'<a href="#close-day" > {message} </a>' in page  # the summary, linked to the field
    assert re.search(r'visually-hidden">Error: </span>\s*' + re.escape(message), page)  # and at the field
    assert f'value="{typed.day}"' in page  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cycle)) == 0
    # the working day it offers is taken
    offered = {"day": "1", "month": "6", "year": "2026"} if typed.day == 30 else {"day": "26", "month": "5",
                                                                                   "year": "2026"}
    assert post_form(owner_client, "/round/start", offered).status_code == 302
