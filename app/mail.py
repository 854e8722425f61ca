"""Mail goes out through a transactional outbox: a row is written in the same transaction as the change that
causes it, and an RQ job delivers it over SMTP. The row holds no message body, only what to render from, so no
rater link is ever stored in the database. Each kind of mail has a renderer registered by the package that owns it.

Each mail is claimed twice over, so that it goes out once:
- **Queueing** is `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`: the database's unique index decides, so two
  requests, ticks or clocks deciding the same mail at once create one row. Batches of claims are one statement
  per thousand rows, not one per mail.
- **Sending** first moves the row from `pending` to `sending` with a guarded UPDATE and commits, so of two jobs for
  the same mail (a worker's start re-queues every pending mail) only one talks to SMTP. A row left in `sending`
  by a worker that died is put back to `pending` once its lease has run out, and sent again with the same
  Message-ID. The one window no SMTP client can close is a crash after the server took the message and before
  its reply arrived; the repeat then carries the same Message-ID, which mail systems use to fold duplicates, and
  the administrator's mail page shows every mail that was interrupted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from rq import Queue, Retry

from app.clock import on_tick
from app.db import after_commit, insert_unless_there
from app.extensions import db
from app.queue import MAIL, forget_jobs, job, lost_jobs, on_worker_start, queue
from app.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
RETRY_INTERVALS = [10, 30, 60, 300, 900, 1800, 3600]
# A delivery job is stopped by RQ well within its lease, so a row still `sending` when the lease is over belongs to a
# worker that died, never to one that is still talking to the SMTP server.
SEND_LEASE = timedelta(minutes=10)
DELIVERY_TIMEOUT = 300  # seconds
_BATCH = 1000
# SMTP errors often quote the recipient; the error is kept for an administrator, who has no need of a rater's address.
_EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+")


class Status:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"  # no longer wanted when its turn came (the rater answered, the round ended)
    FAILED = "failed"  # gave up after MAX_ATTEMPTS; an administrator can send it again


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str


Renderer = Callable[[int], Message | None]  # given the mail's ref id; None when the mail is no longer wanted
_renderers: dict[str, Renderer] = {}
# Kinds someone is waiting for at their screen (a password reset): queued at the front of the mail queue, so they
# never wait behind a tick's thousands of reminders.
_waited_for: set[str] = set()


def renderer(kind: str, waited_for: bool = False) -> Callable[[Renderer], Renderer]:
    def register(func: Renderer) -> Renderer:
        _renderers[kind] = func
        if waited_for:
            _waited_for.add(kind)
        return func

    return register


class OutboundMail(db.Model):
    __tablename__ = "outbound_mail"
    # By status and age: the clock's look for stranded mail and the health check's for late mail read the oldest
    # pending rows first, not every pending row (a reminder burst leaves tens of thousands).
    __table_args__ = (sa.Index("ix_outbound_mail_kind_ref_id", "kind", "ref_id"),
                      sa.Index("ix_outbound_mail_status_created_at", "status", "created_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    ref_id: so.Mapped[int] = so.mapped_column()
    # One row per (what, why): the claim that makes a mail go out at most once.
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default=Status.PENDING)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    interrupted: so.Mapped[int] = so.mapped_column(default=0, server_default="0")  # sends cut off by a dead worker
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column()  # when the current or last send began
    sent_at: so.Mapped[datetime | None] = so.mapped_column()


def queue_mail(kind: str, ref_id: int, dedupe_key: str) -> int | None:
    """Claim and queue one mail in the current transaction: its outbox id, or None when it was claimed before."""
    ids = claim_mails(kind, [(ref_id, dedupe_key)])
    return ids[0] if ids else None


def claim_mails(kind: str, claims: Sequence[tuple[int, str]], now: datetime | None = None) -> list[int]:
    """Claim and queue a mail for each (ref_id, dedupe_key) not claimed before (by anyone, ever), in the current
    transaction; returns the ids of the rows this call created. Delivery is enqueued once the transaction commits:
    a mail never leaves for a change that was rolled back."""
    if not claims:
        return []
    table = OutboundMail.__table__
    statement = insert_unless_there(table, table.c.dedupe_key).returning(table.c.id)
    created_at = now or utcnow()
    ids: list[int] = []
    for start in range(0, len(claims), _BATCH):
        rows = [{"kind": kind, "ref_id": ref_id, "dedupe_key": key, "status": Status.PENDING, "attempts": 0,
                 "interrupted": 0, "created_at": created_at} for ref_id, key in claims[start:start + _BATCH]]
        ids.extend(db.session.execute(statement, rows).scalars())
    if ids:
        after_commit(lambda: enqueue_deliveries(ids, first=kind in _waited_for))
    return ids


def forget_mails(kinds: Sequence[str], *ref_ids: int, in_flight: bool = True) -> None:
    """Drop the outbox rows of mail about something deleted (or, for a closed round's raters, no longer to be kept).
    Its claims must go with it: SQLite gives a deleted newest row's id to the next row, and a leftover claim would
    stop that row's own mail. A delivery still queued for a dropped row finds nothing to send. `in_flight=False`
    keeps a row a worker is sending right now, so its job can still mark it done."""
    if not ref_ids:
        return
    where = [OutboundMail.kind.in_(kinds), OutboundMail.ref_id.in_(ref_ids)]
    if not in_flight:
        where.append(OutboundMail.status != Status.SENDING)
    db.session.execute(sa.delete(OutboundMail).where(*where).execution_options(synchronize_session=False))


def delivery_job_id(mail_id: int) -> str:
    """One RQ job id per mail, so the clock can ask Redis whether a pending mail's job is still there."""
    return f"open360-mail-{mail_id}"


def enqueue_deliveries(mail_ids: Sequence[int], first: bool = False) -> None:
    """One Redis round trip for the lot (a pipeline), rather than one per mail; `first` puts them at the front of
    the mail queue."""
    retry = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
    queue(MAIL).enqueue_many([Queue.prepare_data(deliver, args=(mail_id,), retry=retry, timeout=DELIVERY_TIMEOUT,
                                                 job_id=delivery_job_id(mail_id), at_front=first)
                              for mail_id in mail_ids])


# A mail is given this long to reach Redis after the commit that queued it, before the clock calls it stranded.
STRANDED_AFTER = timedelta(minutes=1)


@on_worker_start
def enqueue_pending() -> int:
    """After a restart: put back interrupted sends, and queue every pending mail whose job Redis does not hold
    (an embedded queue loses them all when its process ends)."""
    release_interrupted_sends(utcnow())
    return requeue_stranded(utcnow() + STRANDED_AFTER)


@on_tick
def requeue_stranded(now: datetime) -> int:
    """Queue again each pending mail whose job Redis will never run: its enqueue failed after the commit (Redis was
    down), Redis restarted empty, or a worker died holding it (app.queue lost_jobs). Its job id says which
    (delivery_job_id); one waiting in its queue, waiting to retry, or running on a worker that still beats is left
    alone. Even a repeat would send nothing twice: the first job to move the row to `sending` has it."""
    pending = list(db.session.scalars(sa.select(OutboundMail.id).where(
        OutboundMail.status == Status.PENDING, OutboundMail.created_at < now - STRANDED_AFTER)))
    db.session.commit()
    if not pending:
        return 0
    jobs = {delivery_job_id(mail_id): mail_id for mail_id in pending}
    lost = lost_jobs(queue(MAIL), list(jobs), now - STRANDED_AFTER)
    stranded = [mail_id for job_id, mail_id in jobs.items() if job_id in lost]
    if stranded:
        log.warning("Mail: %s pending mail(s) had no job in the queue, queued again", len(stranded))
        _forget_dead_jobs(stranded)
        enqueue_deliveries(stranded)
    return len(stranded)


@on_tick
def release_interrupted_sends(now: datetime) -> int:
    """Put back to pending, and queue again, each mail whose worker died while sending it (its lease ran out)."""
    stale = (OutboundMail.status == Status.SENDING) & (OutboundMail.claimed_at < now - SEND_LEASE)
    ids = list(db.session.scalars(sa.update(OutboundMail).where(stale).values(
        status=Status.PENDING, interrupted=OutboundMail.interrupted + 1,
        last_error="The worker stopped while sending; sent again with the same Message-ID.",
    ).returning(OutboundMail.id)))
    db.session.commit()
    if ids:
        log.warning("Mail: %s send(s) interrupted by a stopped worker, queued again", len(ids))
        _forget_dead_jobs(ids)
        enqueue_deliveries(ids)
    return len(ids)


def _forget_dead_jobs(mail_ids: Sequence[int]) -> None:
    """The job a killed worker was running still says "started" (or "queued") in Redis under the mail's job id, and
    a job of that id queued again would not run: delete the old one first."""
    forget_jobs(queue(MAIL), [delivery_job_id(mail_id) for mail_id in mail_ids])


@job(queue_name=MAIL)
def deliver(mail_id: int) -> str:
    if not _claim_for_sending(mail_id):
        return "skipped"
    mail = db.session.get(OutboundMail, mail_id)
    assert mail is not None  # just claimed
    try:
        message = _renderers[mail.kind](mail.ref_id)
        if message is not None:
            send(message, message_id=message_id(mail.id))
    except Exception as exc:
        # Record every failure where an administrator can see it, then let RQ retry with back-off.
        db.session.rollback()
        _record_failure(mail_id, exc)
        raise
    mail.status = Status.SENT if message is not None else Status.CANCELLED
    mail.sent_at = utcnow() if message is not None else None
    db.session.commit()
    return mail.status


def _claim_for_sending(mail_id: int) -> bool:
    """pending -> sending, committed before SMTP is touched; False when another job has it or it is done."""
    claimed = db.session.execute(
        sa.update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.status == Status.PENDING)
        .values(status=Status.SENDING, claimed_at=utcnow(), attempts=OutboundMail.attempts + 1)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _record_failure(mail_id: int, exc: Exception) -> None:
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None:
        return
    mail.last_error = _EMAIL_ADDRESS.sub("[an address]", f"{type(exc).__name__}: {exc}")[:500]
    mail.status = Status.FAILED if mail.attempts >= MAX_ATTEMPTS else Status.PENDING
    db.session.commit()
    log.warning("Mail %s (%s) not sent, attempt %s: %s", mail.id, mail.kind, mail.attempts, type(exc).__name__)


def send_again(mail_id: int) -> bool:
    """An administrator's retry of a mail that failed for good; False when it is not in that state."""
    again = db.session.execute(
        sa.update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.status == Status.FAILED)
        .values(status=Status.PENDING, attempts=0)
    ).rowcount
    if again:
        after_commit(lambda: enqueue_deliveries([mail_id]))
    return again == 1


def message_id(mail_id: int) -> str:
    """The same for every attempt at one mail, so a repeat can be recognised; opaque, so it says nothing about how
    many mails the service has sent or to whom."""
    config = current_app.config
    digest = hmac.new(config["SECRET_KEY"].encode(), f"outbound-mail:{mail_id}".encode(), hashlib.sha256)
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "open360.localhost"
    return f"<{digest.hexdigest()[:32]}@{domain}>"


def build(message: Message, message_id: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=True)  # required by RFC 5322; the development outbox shows it as "Sent"
    email["Message-ID"] = message_id
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def send(message: Message, message_id: str) -> None:
    config = current_app.config
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SECURITY"] == "ssl" else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config["SMTP_SECURITY"] == "starttls":
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(build(message, message_id))
