"""When each demo round's steps happened, derived from the moment the demo is loaded, so that its story reads true on
every page whatever day `make run` is first started: a round opened before it closed, its report was built after,
the session was held after the report, the summary proposed after the session and agreed after that, the
evaluation after the agreement, and nothing in the future. Starts, sessions and proposals fall on working days
(never a weekend or a UK bank holiday), as people would choose them.

The demo builds its rounds through the same operations the pages use, and those read the time from the product's
one clock (app.timeutil): `DemoClock` is set to each step's moment while that step runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import timeutil
from app.extensions import db
from surveys.cycle import default_close_date, is_working_day
from surveys.rules.daily_counts import latest_update_moment

# How many days before the demo is loaded each owner's session was held (the rounds before it follow from it).
SESSION_DAYS_AGO = {"proposed": 30, "agreed": 40, "evaluated": 130}
OPEN_DAYS_AGO = 9  # the open round started about this long ago: some raters have answered, its close date is ahead
CLOSED_DAYS_AGO = 30  # the closed rounds started about this long ago: closed on their date, report ready since
REPORT_BEFORE_SESSION_DAYS = 10  # the report was ready about this long before the session


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


@dataclass(frozen=True)
class RoundDates:
    started: datetime  # the owner starts it, writes the preparation document, rates themself, adds raters
    opened: datetime
    close_on: date
    closed: datetime | None = None
    report: datetime | None = None
    session: date | None = None
    proposed: datetime | None = None
    agreed: datetime | None = None
    evaluated: datetime | None = None
    progress: datetime | None = None  # goal progress last recorded

    def answering_days(self, now: datetime) -> list[datetime]:
        """Moments raters answered on, one a working day from the day after opening until it closed (or now)."""
        end = self.closed or now
        days, day = [], self.opened.date() + timedelta(days=1)
        while at(day, 13) < end and day <= self.close_on:  # 11:00 and the two hours a day's answers take
            if is_working_day(day):
                days.append(at(day, 11))
            day += timedelta(days=1)
        return days or [self.opened + timedelta(hours=2)]


def _round(started_on: date) -> tuple[datetime, datetime, date]:
    started = working_day_on_or_before(started_on)
    return at(started, 9), at(started, 10), default_close_date(started)


def open_round(now: datetime) -> RoundDates:
    started, opened, close_on = _round(now.date() - timedelta(days=OPEN_DAYS_AGO))
    return RoundDates(started, opened, close_on)


def closed_round(now: datetime) -> RoundDates:
    started, opened, close_on = _round(now.date() - timedelta(days=CLOSED_DAYS_AGO))
    closed = at(close_on + timedelta(days=1), 0, 5)  # the clock closes a round once its close date has passed
    return RoundDates(started, opened, close_on, closed, closed + timedelta(minutes=2))


def facilitated_round(now: datetime, stage: str, session_days_ago: int | None = None) -> RoundDates:
    """A round whose session was held SESSION_DAYS_AGO[stage] days ago (or `session_days_ago`), and as far on as
    `stage`."""
    days_ago = SESSION_DAYS_AGO[stage] if session_days_ago is None else session_days_ago
    session = working_day_on_or_before(now.date() - timedelta(days=days_ago))
    report_by = session - timedelta(days=REPORT_BEFORE_SESSION_DAYS)
    # Started far enough back that its close date (21 days on, moved off holidays) is before the report.
    started, opened, close_on = _round(report_by - timedelta(days=27))
    closed = at(close_on + timedelta(days=1), 0, 5)
    proposed = at(working_day_on_or_after(session + timedelta(days=1)), 16)
    agreed = proposed + timedelta(days=2, hours=-6) if stage in {"agreed", "evaluated"} else None
    evaluated = agreed + timedelta(days=5) if agreed and stage == "evaluated" else None
    progress = now - timedelta(days=7) if evaluated else None
    return RoundDates(started, opened, close_on, closed, closed + timedelta(minutes=2), session, proposed, agreed,
                      evaluated, progress)


def counts_moment(now: datetime) -> datetime:
    """When the open round's daily counts were last taken: the latest daily update, never later than now."""
    return latest_update_moment(now)


class DemoClock:
    """The time the product reads while the demo loads: each step's moment, a microsecond on at every reading (as
    a real clock's two readings differ, so rows made one after another keep their order)."""

    def __init__(self, moment: datetime) -> None:
        self._at = moment

    def __call__(self) -> datetime:
        self._at += timedelta(microseconds=1)
        return self._at

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Run a step at `moment`; what it wrote is flushed before the clock moves on (column defaults read it)."""
        self._at = moment
        yield
        db.session.flush()


@contextmanager
def clock(now: datetime) -> Iterator[DemoClock]:
    demo_clock = DemoClock(now)
    before = timeutil.read_time_from(demo_clock)
    try:
        yield demo_clock
    finally:
        timeutil.read_time_from(before)
