"""The round's clock through the database: rounds close after their date, due reminders are claimed once and go out
once, in a few statements whatever the number of raters, and the reminder says nothing about the rater's answers."""

from __future__ import annotations

import re
import threading
import time as time_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.clock import tick
from app.extensions import db
from app.mail import OutboundMail
from app.models import User
from app.timeutil import today, utcnow
from surveys import reminder_claims, responses
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.mails import closes_phrase
from surveys.models import Cycle, Invitation, InvitationStatus
from tests.fixtures.reminders import due_reminders
from tests.fixtures.rounds import invited_days_ago, open_link
from tests.fixtures.smtp import MailCatcher

REMINDER_SUBJECT = "Reminder: Olivia Owner would value your feedback"
LINK = re.compile(r"http://localhost/r/[\w-]+")


def reminders_in(mailbox: MailCatcher) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages if m["Subject"] == REMINDER_SUBJECT)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


# --- closing --------------------------------------------------------------------------------------------------

def test_the_tick_closes_a_round_once_its_close_date_has_passed(app: Flask, open_round: Cycle,
                                                                mailbox: MailCatcher) -> None:
    tick(now=datetime.combine(open_round.close_on, time(23, 59)))
    assert open_round.state is CycleState.OPEN  # open until the end of its close date
    mailbox.clear()
    tick(now=datetime.combine(open_round.close_on + timedelta(days=1), time(0, 1)))
    db.session.expire_all()
    assert db.session.get(Cycle, open_round.id).state is CycleState.NO_RESPONSES  # nobody answered: no report
    assert [m["Subject"] for m in mailbox.to("olivia@trust.example")][:1] == [
        "Your feedback round has closed with no responses"]
    assert reminders_in(mailbox) == []  # a round past its date is closed, and its raters are not reminded


def test_closing_twice_is_harmless(app: Flask, open_round: Cycle, mailbox: MailCatcher) -> None:
    after = datetime.combine(open_round.close_on + timedelta(days=1), time(9))
    tick(now=after)
    tick(now=after + timedelta(minutes=1))
    assert len([m for m in mailbox.to("olivia@trust.example") if m["Subject"].startswith("Your feedback round has "
                                                                                      "closed")]) == 1


# --- reminders ------------------------------------------------------------------------------------------------

def test_due_reminders_go_once_to_raters_who_have_not_replied(app: Flask, open_round: Cycle,
                                                              mailbox: MailCatcher) -> None:
    mo, pat, pip, dee = open_round.invitations
    invited_days_ago(open_round, 6)
    responses.decline(pip)
    dee.status = InvitationStatus.DONE
    unit.commit()
    mailbox.clear()
    now = utcnow()

    tick(now=now)
    assert reminders_in(mailbox) == ["mo@trust.example", "pat@trust.example"]
    tick(now=now + timedelta(hours=3))  # later the same day: nothing new, nothing twice
    assert reminders_in(mailbox) == ["mo@trust.example", "pat@trust.example"]
    tick(now=now + timedelta(days=5))
    assert reminders_in(mailbox) == ["mo@trust.example"] * 2 + ["pat@trust.example"] * 2
    keys = set(db.session.scalars(sa.select(OutboundMail.dedupe_key).where(OutboundMail.kind == "reminder")))
    assert keys == {f"reminder:{i.id}:periodic-{n}" for i in (mo, pat) for n in (1, 2)}


def test_the_last_reminder_goes_2_days_before_close(app: Flask, owner: User, create_round: Callable[..., Cycle],
                                                    mailbox: MailCatcher) -> None:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")], close_in_days=2)
    invited_days_ago(cycle, 3)
    mailbox.clear()
    tick(now=datetime.combine(today(), time(7, 59)))
    assert reminders_in(mailbox) == []
    tick(now=datetime.combine(today(), time(8, 0)))
    assert reminders_in(mailbox) == ["pat@trust.example"]
    assert db.session.scalar(sa.select(OutboundMail.dedupe_key).where(OutboundMail.kind == "reminder")) == \
        f"reminder:{cycle.invitations[0].id}:last"
    assert "feedback closes on" in MailCatcher.text(mailbox.to("pat@trust.example")[-1])


def test_the_reminder_is_from_the_owner_with_the_raters_own_working_link(app: Flask, open_round: Cycle,
                                                                         client: FlaskClient,
                                                                         mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 6)
    mailbox.clear()
    tick(now=utcnow())
    [message] = [m for m in mailbox.to("pat@trust.example") if m["Subject"] == REMINDER_SUBJECT]
    assert message["From"] == app.config["MAIL_FROM"]
    assert {p.get_content_type() for p in message.iter_parts()} == {"text/plain", "text/html"}
    text = MailCatcher.text(message)
    assert "Dear Pat Peer" in text and "Olivia Owner has asked for your feedback" in text
    assert "on behalf of Olivia Owner (Test Trust)" in text and "I do not want to give feedback" in text
    link = LINK.search(text)
    assert link is not None
    assert open_link(client, link.group(0).removeprefix("http://localhost")) == "/feedback"
    assert client.get("/feedback").status_code == 200


def test_the_reminder_says_nothing_about_the_rater_but_their_name_and_link(app: Flask, open_round: Cycle,
                                                                           mailbox: MailCatcher) -> None:
    mo, pat = open_round.invitations[:2]
    responses.save_answers(mo, {open_round.questionnaire().statement_keys()[0]: 4})  # a manager, part-way through
    unit.commit()
    invited_days_ago(open_round, 6)
    mailbox.clear()
    tick(now=utcnow())

    def body(invitation: Invitation, content_type: str) -> str:
        [message] = [m for m in mailbox.to(invitation.email) if m["Subject"] == REMINDER_SUBJECT]
        part = message.get_body(preferencelist=(content_type,))
        assert part is not None
        return LINK.sub("LINK", part.get_content()).replace(invitation.name, "NAME")

    for content_type in ("plain", "html"):
        assert body(mo, content_type) == body(pat, content_type)  # no category, no progress, no count of others
    assert Category.MANAGER.label not in body(mo, "plain").replace("NAME", "")


def test_the_reminder_says_plainly_how_long_is_left() -> None:
    day = date(2026, 12, 31)  # the year's last day: tomorrow is in the next year
    assert closes_phrase(day, day) == "at the end of today"
    assert closes_phrase(day + timedelta(days=1), day) == "tomorrow, 1 January 2027"
    assert closes_phrase(day + timedelta(days=9), day) == "on 9 January 2027"


def test_a_reminder_claimed_just_before_the_rater_answers_is_cancelled_not_sent(app: Flask, open_round: Cycle,
                                                                                mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 6)
    mailbox.clear()
    assert reminder_claims.claim_due(utcnow()) == 4
    for invitation in open_round.invitations:
        invitation.status = InvitationStatus.DONE
    unit.commit()  # the deliveries run now, and find nobody left to remind
    assert reminders_in(mailbox) == []
    assert set(db.session.scalars(sa.select(OutboundMail.status).where(OutboundMail.kind == "reminder"))) == \
        {"cancelled"}


def test_a_reminder_held_up_until_after_close_is_cancelled(app: Flask, open_round: Cycle,
                                                           mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 6)
    mailbox.clear()
    reminder_claims.claim_due(utcnow())
    open_round.close_on = today() - timedelta(days=1)  # as if SMTP had been down past the close date
    unit.commit()
    assert reminders_in(mailbox) == []


def test_the_same_reminder_is_claimed_once_however_often_it_is_decided(app: Flask, open_round: Cycle,
                                                                       mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 6)
    now = utcnow()
    assert reminder_claims.claim_due(now) == 4
    assert reminder_claims.claim_due(now) == 0  # the same transaction, deciding again: the unique key says no
    unit.commit()
    assert len(reminders_in(mailbox)) == 4


def test_two_ticks_at_once_claim_each_reminder_once(app: Flask, open_round: Cycle, mailbox: MailCatcher) -> None:
    """Two transactions decide the same reminders at the same moment: the database lets only one claim them."""
    invited_days_ago(open_round, 6)
    mailbox.clear()
    now = utcnow()
    assert reminder_claims.claim_due(now) == 4  # the first transaction holds its claims, not yet committed
    second: list[int] = []

    def other_tick() -> None:
        with app.app_context():
            try:
                second.append(reminder_claims.claim_due(now))
                unit.commit()
            finally:
                db.session.remove()

    thread = threading.Thread(target=other_tick)
    thread.start()
    thread.join(timeout=0.5)  # it waits: on the first's unique keys (PostgreSQL), or for the write lock (SQLite)
    assert thread.is_alive()
    unit.commit()
    thread.join(timeout=10)
    assert second == [0]  # it decided the same reminders were due, and the database gave it none of them
    assert len(reminders_in(mailbox)) == 4


# --- batched SQL ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [1, 20])
def test_the_number_of_statements_does_not_grow_with_the_number_of_raters(app: Flask, scale: int) -> None:
    due_reminders(10 * scale, per_round=5)
    with counting_statements() as statements:
        claimed = reminder_claims.claim_due(utcnow())
    unit.rollback()  # decided and claimed; no need to send them
    assert claimed == 10 * scale
    assert len(statements) == 3  # invitations, their claims, one batched insert


def test_on_one_machine_the_clock_thread_and_the_embedded_worker_send_due_reminders(
        tmp_path, mail_server: MailCatcher, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """What `flask serve` starts: the clock as a thread enqueueing ticks, an RQ worker thread running them, on the
    in-process fakeredis."""
    from app import create_app
    from app import queue as jobs
    from app.clock import start_clock_thread

    mail_server.clear()
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'one-machine.sqlite3'}",
                              "SMTP_PORT": mail_server.port, "QUEUE_MODE": "embedded"})
    monkeypatch.setattr(jobs, "_worker_app", app)  # what start_embedded_worker sets, undone after the test
    with app.app_context():
        db.create_all()
        emails = due_reminders(20)
        queues = jobs.worker_queues(app)
        worker = jobs.ThreadWorker(queues, connection=queues[0].connection)
        thread = threading.Thread(target=worker.work, kwargs={"max_idle_time": 2, "logging_level": "WARNING"},
                                  daemon=True)
        thread.start()
        stop = start_clock_thread(app)
        try:
            deadline = time_module.monotonic() + 30
            while {m["To"] for m in mail_server.messages} != emails and time_module.monotonic() < deadline:
                time_module.sleep(0.05)
        finally:
            stop.set()
            thread.join(timeout=10)
            db.session.remove()
            db.engine.dispose()
    assert sorted(m["To"] for m in mail_server.messages) == sorted(emails)
