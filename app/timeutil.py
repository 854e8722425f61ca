"""The one clock. Code that needs "now" takes it as an argument; only the edges (views, jobs) call these."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
