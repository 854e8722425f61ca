"""How long what a round gathers is kept (PRODUCT §7): pure rules, no database, no clock (`now` is passed in).

- Rater names, emails and every token hash are purged `purge_days` after the round closes (the organisation's
  `rater_purge_days`, default 30); the invitations keep only their category and whether they were answered.
- A round that has closed (or was cancelled) is deleted `retention_days` after that (default 1095, three years).
  The owner is told 30 days before, and a round is never deleted less than 30 days after its owner was told, so a
  shortened retention period or a clock that was stopped never deletes without the full notice.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

NOTICE_DAYS = 30


class RetentionStep(enum.StrEnum):
    KEEP = "keep"
    NOTIFY = "notify"
    DELETE = "delete"


def raters_due_for_purge(ended: datetime | None, purged_at: datetime | None, purge_days: int, now: datetime) -> bool:
    return ended is not None and purged_at is None and now >= ended + timedelta(days=purge_days)


def retention_step(ended: datetime | None, notified_at: datetime | None, retention_days: int,
                   now: datetime) -> RetentionStep:
    if ended is None:
        return RetentionStep.KEEP
    delete_at = ended + timedelta(days=retention_days)
    if notified_at is None:
        return RetentionStep.NOTIFY if now >= delete_at - timedelta(days=NOTICE_DAYS) else RetentionStep.KEEP
    if now >= max(delete_at, notified_at + timedelta(days=NOTICE_DAYS)):
        return RetentionStep.DELETE
    return RetentionStep.KEEP


def deletion_date(ended: datetime, notified_at: datetime, retention_days: int) -> datetime:
    """The date the owner is told: the later of the retention period's end and 30 days after the notice."""
    return max(ended + timedelta(days=retention_days), notified_at + timedelta(days=NOTICE_DAYS))
