"""Goal check-ins end to end in the app: sending, a rater's link and answer, closing once, the results for the
owner and their facilitator only, reminders exactly once, the purge and the export (PRODUCT §10)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app import db as unit
from app.extensions import db
from app.mail import OutboundMail
from app.models import Role, User
from app.timeutil import today, utcnow
from facilitator.operations import assign
from followup.checkin import operations
from followup.checkin.models import CheckIn, CheckInLink, CheckInRater, CheckInResponse, CheckInSession
from followup.checkin.rules import CheckInState
from surveys.models import Cycle, InvitationStatus
from tests.conftest import post_form
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher
from tests.followup.checkins import agreed_plan, answer, answer_form, open_checkin_link, rater_token, send_checkin
from tests.surveys.test_owner_cannot_tell import _VARYING, _seen  # pages with only the CSRF token and nonce masked


def _form(close: str = "", raters: str = "", early: bool = False) -> dict[str, str]:
    day, month, year = close.split("-")[::-1] if close else ("", "", "")
    data = {"day": day.lstrip("0"), "month": month.lstrip("0"), "year": year, "raters": raters}
    return data | ({"early": "y"} if early else {})


def test_the_owner_sends_a_check_in_to_people_checked_like_a_rounds_raters(
        app: Flask, owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle],
        mailbox: MailCatcher) -> None:
    cycle = agreed_plan(owner, create_round)
    page = owner_client.get("/development/check-in").get_data(as_text=True)
    assert "peer0@trust.example" in page  # the last round's list, to check and send
    close = (utcnow().date() + timedelta(days=14)).isoformat()
    bad = post_form(owner_client, "/development/check-in", _form(close, "Olivia, olivia+x@trust.example\n"
                                                                        "Out, someone@elsewhere.example\n"
                                                                        "Sam, sam@trust.example"),
                    page="/development/check-in")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "<title>Error:" in html and "There is a problem" in html
    assert "reaches your own mailbox" in html and "not an address in your organisation" in html
    assert "Sam, sam@trust.example" in html  # nothing lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0
    two = post_form(owner_client, "/development/check-in", _form(close, "A, a@trust.example\nB, b@trust.example"),
                    page="/development/check-in")
    assert "Add at least 3 people" in two.get_data(as_text=True)
    sent = post_form(owner_client, "/development/check-in",
                     _form(close, "A, a@trust.example\nB, b@trust.example\n\"Smith, C\", c@trust.example"),
                     page="/development/check-in")
    assert sent.status_code == 302
    checkin = db.session.scalar(sa.select(CheckIn))
    assert checkin.cycle_id == cycle.id and [r.name for r in checkin.raters] == ["A", "B", "Smith, C"]
    assert checkin.counts == [3, 0, 0]
    mail = mailbox.to("a@trust.example")[0]
    text = mail.get_body(("plain",)).get_content()
    assert "Olivia Owner" in mail["Subject"] and "/c/" in text and "about two minutes" in text
    assert "Hand over" not in text  # the goals are the owner's plan, not in a mail
    # One open at a time: the page goes to the open one.
    assert owner_client.get("/development/check-in").headers["Location"] == f"/development/check-ins/{checkin.id}"


def test_check_in_errors_speak_of_what_its_form_asks_name_and_email(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    """Walk-through item 8: the round's parser with the check-in's words, never a group or a self-assessment."""
    agreed_plan(owner, create_round)
    close = (utcnow().date() + timedelta(days=14)).isoformat()
    lines = ("Sam, sam@trust.example\nJust a name\nKim, kim@trust.example, Boss\nMe, olivia@trust.example\n"
             "Me again, Olivia+x@trust.example")
    page = post_form(owner_client, "/development/check-in", _form(close, lines), page="/development/check-in")
    html = page.get_data(as_text=True)
    assert "Line 2: write name and email separated by a comma" in html
    assert "Line 3: write name and email separated by a comma" in html
    assert "Line 4: you cannot invite yourself – your own view goes in the progress you record on each goal" in html
    assert ("Line 5: olivia+x@trust.example reaches your own mailbox – you cannot invite yourself; your own view goes"
            " in the progress you record on each goal") in html
    assert "group" not in html.split('id="raters-problems"')[1].split("</ul>")[0]
    assert "self-assessment" not in html


def test_before_the_first_review_date_the_owner_chooses_to_send_early(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round, days_ago=10)
    close = (utcnow().date() + timedelta(days=14)).isoformat()
    raters = "A, a@trust.example\nB, b@trust.example\nC, c@trust.example"
    refused = post_form(owner_client, "/development/check-in", _form(close, raters), page="/development/check-in")
    assert "Tick the box to send your check-in before it" in refused.get_data(as_text=True)
    assert post_form(owner_client, "/development/check-in", _form(close, raters, early=True),
                     page="/development/check-in").status_code == 302


def test_a_rater_answers_on_one_page_and_the_link_then_gets_the_rounds_plain_page(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner)
    rater = checkin.raters[0]
    browser = app.test_client()
    token = rater_token(rater)
    open_checkin_link(browser, token)
    page = browser.get("/check-in")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Goal 3 of 3: Lead the discharge project" in page.get_data(as_text=True)
    partial = answer_form(checkin)
    del partial[f"g-{checkin.goal_keys[1]}"]
    missing = browser.post("/check-in", data=partial | {"comment": "kept"})
    html = missing.get_data(as_text=True)
    assert "<title>Error:" in html and "Choose an answer for goal 2" in html and "kept" in html
    elsewhere = app.test_client()
    open_checkin_link(elsewhere, rater_token(rater))
    assert elsewhere.post("/check-in", data=answer_form(checkin, "2"), headers={"Origin": "https://evil.example"}
                          ).status_code == 404
    assert browser.post("/check-in", data=answer_form(checkin, "2", "Good")).status_code == 302
    used = app.test_client().get(f"/c/{token}")
    wrong = app.test_client().get("/c/" + "A" * 43)
    again = browser.get("/check-in")
    assert used.status_code == wrong.status_code == again.status_code == 404
    assert len({_VARYING.sub("", r.get_data(as_text=True)) for r in (used, wrong, again)}) == 1
    assert "This link does not work" in used.get_data(as_text=True)
    assert db.session.get(CheckInRater, rater.id).status is InvitationStatus.DONE
    for table in (CheckInLink, CheckInSession):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.rater_id == rater.id)) == 0
    assert browser.post("/check-in", data=answer_form(checkin)).status_code == 404  # never twice


def test_the_owner_cannot_tell_who_answered_pages_identical_around_a_submission(
        app: Flask, owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner)
    pages = (f"/development/check-ins/{checkin.id}", "/development")

    def seen() -> list[str]:
        return _seen(owner_client, pages)

    before = seen()
    answer(app.test_client(), checkin, checkin.raters[1], "-1", "a comment")
    assert seen() == before
    browser = app.test_client()
    open_checkin_link(browser, rater_token(checkin.raters[2]))
    assert browser.post("/check-in/decline").status_code == 302
    assert seen() == before
    export_before = _export(owner_client)
    answer(app.test_client(), checkin, checkin.raters[0], "2")
    assert _export(owner_client) == export_before
    # The next daily update moves the counts, for everyone at once, answered and declined apart but unnamed.
    clock.tick(now=utcnow() + timedelta(days=1))
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin.id).counts == [4, 2, 1]


def _export(client: FlaskClient) -> list:
    data = client.get("/account/export").get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read("open360-export.json"))
    return document["goal_checkins"]


def test_it_closes_once_by_the_clock_and_shows_figures_only_on_three_answers(
        app: Flask, owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle],
        create_user: Callable[..., User], mailbox: MailCatcher) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=5, close_in_days=7)
    for rater, value in zip(checkin.raters[:3], ("2", "1", "n"), strict=True):
        answer(app.test_client(), checkin, rater, value, f"comment {value}")
    waiting = owner_client.get(f"/development/check-ins/{checkin.id}").get_data(as_text=True)
    assert "Shown when the check-in closes" in waiting and "comment 2" not in waiting
    clock.tick(now=utcnow() + timedelta(days=8))
    db.session.expire_all()
    closed = db.session.get(CheckIn, checkin.id)
    assert closed.state is CheckInState.CLOSED and closed.closed_at is not None
    assert {r.status for r in closed.raters} == {InvitationStatus.DONE}  # no row says who answered
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail).where(
        OutboundMail.kind.in_(operations.RATER_MAIL_KINDS))) == 0
    html = owner_client.get(f"/development/check-ins/{checkin.id}").get_data(as_text=True)
    assert "Too few answers to show" in html  # two answers and one "not able to say"
    assert "3 people answered" in html and "comment 1" in html
    profile = owner_client.get("/development").get_data(as_text=True)
    assert "What others said" in profile and "Too few answers to show" in profile
    assert [m["Subject"] for m in mailbox.to(owner.email)].count("Your goal check-in has closed") == 1
    # Closing again is refused in words; it never reopens.
    assert owner_client.get(f"/development/check-ins/{checkin.id}/close").status_code == 302
    clock.tick(now=utcnow() + timedelta(days=9))
    assert db.session.get(CheckIn, checkin.id).closed_at == closed.closed_at


def test_results_are_the_owners_and_their_facilitators_only(
        app: Flask, owner: User, create_round: Callable[..., Cycle], create_user: Callable[..., User]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3)
    for rater in checkin.raters:
        answer(app.test_client(), checkin, rater, "1", "steady")
    operations.close_early(db.session.get(CheckIn, checkin.id), utcnow())
    unit.commit()
    facilitator, other = create_user(Role.FACILITATOR), create_user(Role.FACILITATOR)
    admin, lead = create_user(Role.ADMIN), create_user(Role.LOCAL_LEAD)
    manager, stranger = create_user(Role.MANAGER), create_user(Role.OWNER)
    assign(owner, facilitator, admin)
    unit.commit()
    page = signed_in(app, facilitator).get(f"/facilitator/owners/{owner.id}/check-ins")
    assert page.status_code == 200 and "+1.0" in page.get_data(as_text=True) and "steady" in page.get_data(
        as_text=True)
    assert signed_in(app, other).get(f"/facilitator/owners/{owner.id}/check-ins").status_code == 404
    for person in (lead, manager, stranger, admin):
        browser = signed_in(app, person)
        assert browser.get(f"/facilitator/owners/{owner.id}/check-ins").status_code in (403, 404)
        assert browser.get(f"/development/check-ins/{checkin.id}").status_code in (403, 404)
    assert "+1.0" in signed_in(app, owner).get(f"/development/check-ins/{checkin.id}").get_data(as_text=True)


def test_reminders_go_exactly_once_each_and_never_after_an_answer(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3, close_in_days=20)
    answer(app.test_client(), checkin, checkin.raters[0])
    day6 = utcnow() + timedelta(days=6)
    for _ in range(3):
        clock.tick(now=day6)
    keys = sorted(db.session.scalars(sa.select(OutboundMail.dedupe_key).where(
        OutboundMail.kind == operations.REMINDER_KIND)))
    assert keys == [f"checkin_reminder:{r.id}:periodic-1" for r in checkin.raters[1:]]
    last = utcnow().replace(hour=9) + timedelta(days=18)
    clock.tick(now=last)
    clock.tick(now=last + timedelta(hours=1))
    kinds = sorted(k.rsplit(":", 1)[1] for k in db.session.scalars(sa.select(OutboundMail.dedupe_key).where(
        OutboundMail.kind == operations.REMINDER_KIND, OutboundMail.ref_id == checkin.raters[1].id)))
    assert kinds.count("last") == 1 and len(kinds) == len(set(kinds))


def test_rater_details_are_purged_after_the_close_as_a_rounds_are(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3, close_in_days=3)
    after_close = (checkin.close_on - today()).days + 1  # the close is a working day: 3 days on, or the next
    clock.tick(now=utcnow() + timedelta(days=after_close))
    assert all(r.email.endswith("@trust.example") for r in db.session.get(CheckIn, checkin.id).raters)
    clock.tick(now=utcnow() + timedelta(days=after_close + owner.organisation.rater_purge_days + 1))
    db.session.expire_all()
    raters = db.session.get(CheckIn, checkin.id).raters
    assert all(r.name == "" and r.email.startswith("purged:") for r in raters)


def test_the_owners_export_holds_their_check_ins(
        app: Flask, owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3)
    for rater in checkin.raters:
        answer(app.test_client(), checkin, rater, "2", "Much more confident")
    operations.close_early(db.session.get(CheckIn, checkin.id), utcnow())
    unit.commit()
    [exported] = _export(owner_client)
    assert [g["figure"] for g in exported["goals"]] == [2.0, 2.0, 2.0]
    assert exported["responses"] == 3 and exported["comments"] == ["Much more confident"] * 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckInResponse)) == 3


def test_people_pasted_from_a_spreadsheet_or_with_a_group_are_read_as_typed(
        owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    entries, problems = operations.parse_raters(owner, "Jo Bloggs\tjo@trust.example\n"
                                                       "\"Smith, Al\", al@trust.example, Peer\n"
                                                       "Kim, kim@trust.example\n\nnot a line")
    assert [e.email for e in entries] == ["jo@trust.example", "al@trust.example", "kim@trust.example"]
    assert [p.text for p in problems] == ["not a line"]
    assert problems[0].message == "Line 5: write name and email separated by a comma"
