"""The clock's part in check-ins (registered with app.clock.on_tick): close those past their close date, take the
daily counts, claim reminders due, purge raters' details once due, and forget lapsed cookie sessions."""

from __future__ import annotations

from datetime import datetime

from app import db as unit
from followup.checkin import operations


def tick(now: datetime) -> str:
    closed = operations.close_due(now)
    counted = operations.update_due_counts(now)
    reminded = operations.claim_reminders(now)
    purged = operations.purge_due(now)
    operations.forget_expired_sessions(now)
    unit.commit()
    return f"{closed} check-ins closed, {counted} counted, {reminded} reminders claimed, {purged} purged"
