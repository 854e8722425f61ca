"""The one clock. Code that needs "now" takes it as an argument; only the edges (views, jobs, column defaults) call
these. Every edge reads the time here, so a test can set the moment they all see (tests/fixtures/clock.py) and no
test depends on the real date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime


def system_utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_source: Callable[[], datetime] = system_utcnow


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return _source()


def today() -> date:
    return utcnow().date()


def read_time_from(source: Callable[[], datetime] | None) -> Callable[[], datetime]:
    """Where `utcnow` reads the time from (naive UTC); None puts back the system clock. Returns where it read it
    from before, to put back."""
    global _source
    before, _source = _source, source or system_utcnow
    return before
