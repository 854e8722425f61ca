"""What the clock's tick (app/clock.py) does for feedback rounds, at the time it is given.

Three steps, each committed on its own so one cannot hold up the other: close the rounds whose close date has passed
(which queues the owner's "round closed" mail and, through the round_closed signal, the report build), then claim
the reminders now due to raters of the rounds still open. Both are safe to run twice or at once: a round is
locked while it is closed (FOR UPDATE SKIP LOCKED on PostgreSQL) and its mail is claimed once, and each reminder is
claimed once in the outbox.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from surveys import operations, reminder_claims, rights
from surveys.cycle import CycleState
from surveys.models import Cycle


def close_rounds_past_their_date(now: datetime) -> int:
    today = now.date()
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.state == CycleState.OPEN, Cycle.close_on < today).order_by(Cycle.id)
        .with_for_update(skip_locked=True)).all()
    for cycle in cycles:
        operations.close_round_on_date(cycle, today)
    return len(cycles)


def tick(now: datetime) -> str:
    """Registered with `app.clock.on_tick` by `surveys.init_app`."""
    closed = close_rounds_past_their_date(now)
    unit.commit()
    reminded = reminder_claims.claim_due(now)
    unit.commit()
    counted = operations.update_due_counts(now)
    kept = rights.purge_and_retain(now)
    unit.commit()
    return f"{closed} rounds closed, {reminded} reminders claimed, {counted} rounds' counts updated; {kept}"
