"""Where the round meets the facilitated session (issue 25, seams 1 to 3): closing early whatever the count, a round
that ends with no response, settings that change only rounds started after them, and what each mail and task row
says where the facilitator reads the report first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Role, User
from app.timeutil import today
from facilitator.operations import assign
from reports import build
from reports.models import Report
from surveys import operations
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher
from tests.surveys.test_owner_cannot_tell import _answer

SIZES = {"manager": 1, "peer": 3, "direct_report": 3}


@pytest.fixture
def fay(create_user: Callable[..., User], owner: User) -> User:
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator", email="fay@trust.example")
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    assign(owner, facilitator, lead)
    unit.commit()
    return facilitator


def _texts(mailbox: MailCatcher, address: str) -> str:
    return " ".join(" ".join(f"{m['Subject']} {mailbox.text(m)}" for m in mailbox.to(address)).split())


def _main(client: FlaskClient, url: str) -> str:
    return " ".join(client.get(url).get_data(as_text=True).split("<main")[1].split())


def test_the_owner_closes_early_with_responses_the_daily_count_does_not_show_yet(
        app: Flask, owner_client: FlaskClient, open_round: Cycle) -> None:
    for invitation in open_round.invitations[1:]:
        _answer(app, invitation)
    assert operations.completion_counts(open_round)[0].responded == 0  # the morning update has not run
    response = post_form(owner_client, "/round/close", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cycle, open_round.id).state is CycleState.REPORT_READY


def test_a_round_closed_with_no_response_ends_without_a_report_and_says_so(
        app: Flask, owner: User, owner_client: FlaskClient, open_round: Cycle, fay: User,
        mailbox: MailCatcher) -> None:
    response = post_form(owner_client, "/round/close", {})
    assert response.status_code == 302
    db.session.expire_all()
    cycle = db.session.get(Cycle, open_round.id)
    assert cycle.state is CycleState.NO_RESPONSES and cycle.closed_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0
    page = _main(owner_client, "/round")
    assert "Nobody had responded when your round closed, so there is no report" in page
    assert "Receive your report" not in page and "What to do next" not in page
    assert "Start a new feedback round" in page
    assert "there is no report" in _texts(mailbox, owner.email)
    assert "being prepared" not in _texts(mailbox, owner.email)
    assert "closed with no responses" in _texts(mailbox, fay.email)
    portal = _main(signed_in(app, fay), "/facilitator")
    assert "closed with no responses, so there is no report" in portal
    # and the round is over: a new one can start
    assert operations.start_refusal(owner, today()) is None


def test_a_closed_round_found_with_no_response_ends_at_the_build(owner: User, create_round) -> None:  # type: ignore[no-untyped-def]
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    cycle.state = CycleState.CLOSED  # closed before a round with no response ended at closing
    unit.commit()
    assert build.build_report(cycle) is None
    assert cycle.state is CycleState.NO_RESPONSES


def test_switching_report_release_on_leaves_rounds_already_started_as_they_were(
        app: Flask, owner: User, owner_client: FlaskClient, create_closed_round, fay: User) -> None:  # type: ignore[no-untyped-def]
    cycle = create_closed_round(owner, SIZES)
    report_id = db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id))
    assert owner_client.get(f"/reports/{report_id}").status_code == 200
    owner.organisation.facilitator_releases_report = True
    owner.organisation.requires_nomination_approval = True
    unit.commit()
    assert owner_client.get(f"/reports/{report_id}").status_code == 200  # still hers
    page = _main(owner_client, "/round")
    assert "reads it first" not in page and "list confirmed" not in page.lower()
    assert "Have your list confirmed" not in page


def test_a_round_started_after_the_switch_takes_the_new_setting(
        owner: User, create_round: Callable[..., Cycle]) -> None:
    owner.organisation.facilitator_releases_report = True
    owner.organisation.requires_nomination_approval = True
    unit.commit()
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")], open_it=False)
    assert cycle.facilitator_releases_report and cycle.requires_nomination_approval
    owner.organisation.facilitator_releases_report = False  # switched off again: this round keeps what it took
    unit.commit()
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).facilitator_releases_report


def test_the_settings_page_says_a_change_is_for_rounds_started_after_it(
        app: Flask, create_user: Callable[..., User], organisation) -> None:  # type: ignore[no-untyped-def]
    admin = signed_in(app, create_user(Role.ADMIN, name="Ada Admin"))
    page = _main(admin, f"/admin/organisations/{organisation.id}")
    assert page.count("A change applies to rounds started after it") == 2


def test_in_release_mode_every_mail_and_task_row_says_what_is_true(
        app: Flask, owner: User, owner_client: FlaskClient, create_closed_round, fay: User,  # type: ignore[no-untyped-def]
        mailbox: MailCatcher) -> None:
    owner.organisation.facilitator_releases_report = True
    unit.commit()
    cycle = create_closed_round(owner, SIZES)
    owner_mail = _texts(mailbox, owner.email)
    assert "release it to you at or before your session" in owner_mail
    assert "Sign in to read it" not in owner_mail and "Your feedback report is ready" not in owner_mail
    fay_mail = _texts(mailbox, fay.email)
    assert "report is ready" in fay_mail and "cannot read it until you release it" in fay_mail
    page = _main(owner_client, "/round")
    assert "Receive your report when your facilitator releases it" in page
    report_row = page.split("Your progress")[1].split("Receive your report")[1].split("</li>")[0]
    assert "Completed" not in report_row and "In progress" in report_row
    assert "Read your feedback report" not in page

    fac = signed_in(app, fay)
    round_page = fac.get(f"/facilitator/rounds/{cycle.id}").get_data(as_text=True)
    fac.post(f"/facilitator/rounds/{cycle.id}/release", data={"csrf_token": csrf_from(round_page)})
    assert "has been released to you" in _texts(mailbox, owner.email)
    page = _main(owner_client, "/round")
    assert "Read your feedback report" in page
    assert "Completed" in page.split("Your progress")[1].split("Receive your report")[1].split("</li>")[0]


def test_without_release_the_owner_reads_at_once_and_the_facilitator_is_told(
        owner: User, create_closed_round, fay: User, mailbox: MailCatcher) -> None:  # type: ignore[no-untyped-def]
    create_closed_round(owner, SIZES)
    assert "Sign in to read it" in _texts(mailbox, owner.email)
    assert "They can read it now" in _texts(mailbox, fay.email)


def test_after_a_second_round_starts_the_first_report_and_plan_are_one_click_from_the_round_page(
        app: Flask, owner: User, owner_client: FlaskClient, create_closed_round, fay: User,  # type: ignore[no-untyped-def]
        clock) -> None:
    from facilitator import operations as facilitation
    from tests.fixtures.access_walk import _agree

    first = create_closed_round(owner, SIZES)
    _agree(first, fay, goals=1)
    unit.commit()
    report_id = db.session.scalar(sa.select(Report.id).where(Report.cycle_id == first.id))
    assert facilitation.agreed_summary(first) is not None
    clock.advance(days=200)  # past the organisation's minimum interval between rounds (6 months)
    assert post_form(owner_client, "/round/start", _close_date_form()).status_code == 302
    round_page = owner_client.get("/round").get_data(as_text=True)
    assert f"/reports/{report_id}" not in round_page  # the round page is the new round's
    assert 'href="/rounds"' in round_page  # in the navigation and on the page
    history = _main(owner_client, "/rounds")
    assert f'href="/reports/{report_id}"' in history
    assert f'href="/development/{first.id}/plan"' in history
    assert history.count('class="nhsuk-card__heading') == 2 and "Go to this round" in history


def _close_date_form() -> dict[str, str]:
    from surveys.cycle import default_close_date

    close = default_close_date(today())  # a working day, as a typed one must be
    return {"day": str(close.day), "month": str(close.month), "year": str(close.year)}
