"""Claiming many mails at once: `app.mail.queue_mail`, set-based, for the clock's reminders.

`queue_mail` reads before it writes, one SELECT and one INSERT per mail. That is right for a view queueing one
mail, but the clock may claim thousands of reminders in one tick, and two ticks running at once could both read
"not claimed yet" before either writes. Here the claim is the write itself: `INSERT … ON CONFLICT (dedupe_key) DO
NOTHING … RETURNING id`, sent in batches of up to a thousand rows, so the database's unique index decides who wins
(a second transaction inserting the same key waits for the first and then inserts nothing) and the number of
statements does not grow per mail. Rows, delivery job and retries are exactly those of `queue_mail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rq import Queue, Retry
from sqlalchemy.dialects import postgresql, sqlite

from app.db import after_commit
from app.extensions import db
from app.mail import RETRY_INTERVALS, OutboundMail, deliver
from app.queue import queue

_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def claim_mails(kind: str, claims: Sequence[tuple[int, str]], now: datetime) -> list[int]:
    """Claim and queue a mail for each (ref_id, dedupe_key) not claimed before, in the current transaction.

    Returns the ids of the outbox rows this call created; keys already claimed (by anyone, ever) are skipped.
    Delivery is enqueued once the transaction commits, as with `queue_mail`."""
    if not claims:
        return []
    table = OutboundMail.__table__
    dialect = db.session.get_bind().dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"claim_mails needs ON CONFLICT DO NOTHING: SQLite or PostgreSQL, not {dialect}")
    statement = insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key]).returning(table.c.id)
    rows = [{"kind": kind, "ref_id": ref_id, "dedupe_key": key, "status": "pending", "attempts": 0,
             "created_at": now} for ref_id, key in claims]
    ids = list(db.session.execute(statement, rows).scalars())
    if ids:
        after_commit(lambda: enqueue_deliveries(ids))
    return ids


def enqueue_deliveries(mail_ids: Sequence[int]) -> None:
    """One Redis round trip for the lot (a pipeline), rather than one per mail."""
    retry = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
    queue().enqueue_many([Queue.prepare_data(deliver, args=(mail_id,), retry=retry) for mail_id in mail_ids])
