"""Mail goes through the outbox table and a real SMTP server; each mail at most once."""

from __future__ import annotations

import smtplib

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.mail import Message, OutboundMail, deliver, queue_mail, renderer
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
