"""Mail goes through the outbox table and a real SMTP server; each mail at most once."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.mail import (
    MAX_ATTEMPTS,
    SEND_LEASE,
    Message,
    OutboundMail,
    Status,
    deliver,
    enqueue_pending,
    message_id,
    queue_mail,
    release_interrupted_sends,
    renderer,
    send_again,
)
from app.timeutil import utcnow
from tests.fixtures.smtp import MailCatcher


@renderer("test-note")
def _note(ref_id: int) -> Message | None:
    if ref_id == 0:
        return None
    return Message(to=f"person{ref_id}@trust.example", subject="A note", text="Plain words", html="<p>Plain words</p>")


def test_a_queued_mail_goes_out_after_commit_with_text_and_html(app: Flask, mailbox: MailCatcher) -> None:
    queue_mail("test-note", 7, "note:7")
    assert mailbox.messages == []  # nothing leaves before the transaction commits
    unit.commit()
    [message] = mailbox.to("person7@trust.example")
    assert message["From"] == app.config["MAIL_FROM"]
    assert {p.get_content_type() for p in message.iter_parts()} == {"text/plain", "text/html"}
    assert db.session.scalar(sa.select(OutboundMail.status)) == "sent"


def test_the_same_mail_is_claimed_only_once(app: Flask, mailbox: MailCatcher) -> None:
    assert queue_mail("test-note", 8, "note:8") is not None
    unit.commit()
    assert queue_mail("test-note", 8, "note:8") is None
    unit.commit()
    deliver(db.session.scalar(sa.select(OutboundMail.id)))  # a duplicate job changes nothing
    assert len(mailbox.to("person8@trust.example")) == 1


def test_a_mail_no_longer_wanted_is_cancelled_not_sent(app: Flask, mailbox: MailCatcher) -> None:
    queue_mail("test-note", 0, "note:0")
    unit.commit()
    assert mailbox.messages == []
    assert db.session.scalar(sa.select(OutboundMail.status)) == "cancelled"


def test_a_failed_send_is_kept_for_retry(app: Flask, mailbox: MailCatcher) -> None:
    app.config["SMTP_PORT"] = 1  # nothing listens there
    mail = OutboundMail(kind="test-note", ref_id=9, dedupe_key="note:9")
    db.session.add(mail)
    db.session.commit()
    with pytest.raises((OSError, smtplib.SMTPException)):
        deliver(mail.id)
    db.session.refresh(mail)
    assert (mail.status, mail.attempts) == ("pending", 1) and mail.last_error
    app.config["SMTP_PORT"] = mailbox.port
    assert deliver(mail.id) == "sent"
    assert len(mailbox.to("person9@trust.example")) == 1


def test_of_two_jobs_for_one_mail_only_the_one_that_claims_it_talks_to_smtp(app: Flask, mailbox: MailCatcher) -> None:
    mail = OutboundMail(kind="test-note", ref_id=10, dedupe_key="note:10")
    db.session.add(mail)
    db.session.commit()
    db.session.execute(sa.update(OutboundMail).values(status=Status.SENDING, claimed_at=utcnow()))  # another job
    db.session.commit()
    assert deliver(mail.id) == "skipped"
    assert mailbox.messages == []


def test_a_send_cut_off_by_a_dead_worker_goes_again_after_its_lease_with_the_same_message_id(
        app: Flask, mailbox: MailCatcher) -> None:
    claimed_at = datetime(2026, 11, 24, 9, 0)
    mail = OutboundMail(kind="test-note", ref_id=11, dedupe_key="note:11", status=Status.SENDING, attempts=1,
                        claimed_at=claimed_at)
    db.session.add(mail)
    db.session.commit()
    assert release_interrupted_sends(claimed_at + SEND_LEASE - timedelta(seconds=1)) == 0  # it may still be going
    assert mailbox.messages == []
    assert release_interrupted_sends(claimed_at + SEND_LEASE + timedelta(seconds=1)) == 1
    [message] = mailbox.to("person11@trust.example")
    assert message["Message-ID"] == message_id(mail.id)
    db.session.refresh(mail)
    assert (mail.status, mail.attempts, mail.interrupted) == (Status.SENT, 2, 1)


def test_the_message_id_is_the_same_for_every_try_and_says_nothing_about_the_mail(app: Flask) -> None:
    assert message_id(12) == message_id(12) != message_id(13)
    assert "12" not in message_id(12).split("@")[0] and message_id(12).endswith("@open360.localhost>")


def test_a_mail_that_fails_for_good_waits_for_an_administrator_and_keeps_no_address(
        app: Flask, mailbox: MailCatcher) -> None:
    app.config["SMTP_PORT"] = 1
    mail = OutboundMail(kind="test-note", ref_id=14, dedupe_key="note:14", attempts=MAX_ATTEMPTS - 1)
    db.session.add(mail)
    db.session.commit()
    with pytest.raises((OSError, smtplib.SMTPException)):
        deliver(mail.id)
    db.session.refresh(mail)
    assert mail.status == Status.FAILED
    assert enqueue_pending() == 0  # a restart does not hammer a server that refused it eight times
    app.config["SMTP_PORT"] = mailbox.port
    assert send_again(mail.id)
    unit.commit()
    assert len(mailbox.to("person14@trust.example")) == 1
    assert not send_again(mail.id)  # sent now: nothing to send again


def test_an_smtp_error_is_kept_without_the_address_it_quotes(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = smtplib.SMTPRecipientsRefused({"person15@trust.example": (550, b"<person15@trust.example> unknown")})

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise refused

    monkeypatch.setattr("app.mail.send", refuse)
    mail = OutboundMail(kind="test-note", ref_id=15, dedupe_key="note:15")
    db.session.add(mail)
    db.session.commit()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(mail.id)
    db.session.refresh(mail)
    assert mail.last_error and "SMTPRecipientsRefused" in mail.last_error and "person15" not in mail.last_error
