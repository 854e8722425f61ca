"""Mail goes out through a transactional outbox: a row is written in the same transaction as the change that
causes it, and an RQ job delivers it over SMTP. The row holds no message body, only what to render from, so no
rater link is ever stored in the database. Each kind of mail has a renderer registered by the package that owns it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.db import after_commit
from app.extensions import db
from app.queue import enqueue, job, on_worker_start
from app.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
RETRY_INTERVALS = [10, 30, 60, 300, 900, 1800, 3600]


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str


Renderer = Callable[[int], Message | None]  # given the mail's ref id; None when the mail is no longer wanted
_renderers: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(func: Renderer) -> Renderer:
        _renderers[kind] = func
        return func

    return register


class OutboundMail(db.Model):
    __tablename__ = "outbound_mail"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    ref_id: so.Mapped[int] = so.mapped_column()
    # One row per (what, why): the claim that makes a mail go out at most once.
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending", index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column()


def queue_mail(kind: str, ref_id: int, dedupe_key: str) -> OutboundMail | None:
    """Claim and queue a mail in the current transaction; None when that mail was already claimed."""
    exists = db.session.scalar(sa.select(OutboundMail.id).where(OutboundMail.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    mail = OutboundMail(kind=kind, ref_id=ref_id, dedupe_key=dedupe_key)
    db.session.add(mail)
    db.session.flush()
    mail_id = mail.id
    after_commit(lambda: enqueue(deliver, mail_id, retry=_retry()))
    return mail


def _retry():  # type: ignore[no-untyped-def]
    from rq import Retry

    return Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)


@on_worker_start
def enqueue_pending() -> int:
    """Queue every mail not yet sent (after a restart, or when a queue lost its jobs). Safe: delivery is idempotent."""
    ids = db.session.scalars(sa.select(OutboundMail.id).where(OutboundMail.status == "pending")).all()
    for mail_id in ids:
        enqueue(deliver, mail_id, retry=_retry())
    return len(ids)


@job
def deliver(mail_id: int) -> str:
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.status != "pending":
        return "skipped"
    try:
        message = _renderers[mail.kind](mail.ref_id)
        if message is not None:
            send(message)
    except Exception as exc:
        # Record every failure where an administrator can see it, then let RQ retry with back-off.
        db.session.rollback()
        _record_failure(mail_id, exc)
        raise
    mail.status = "sent" if message is not None else "cancelled"
    mail.attempts += 1
    mail.sent_at = utcnow() if message is not None else None
    db.session.commit()
    return mail.status


def _record_failure(mail_id: int, exc: Exception) -> None:
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None:
        return
    mail.attempts += 1
    mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = "failed"
    db.session.commit()
    log.warning("Mail %s (%s) not sent, attempt %s: %s", mail.id, mail.kind, mail.attempts, type(exc).__name__)


def build(message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=True)  # required by RFC 5322; the development outbox shows it as "Sent"
    email["Message-ID"] = make_msgid(domain="open360")
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def send(message: Message) -> None:
    config = current_app.config
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SECURITY"] == "ssl" else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config["SMTP_SECURITY"] == "starttls":
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(build(message))
