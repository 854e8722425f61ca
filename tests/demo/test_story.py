"""The demo's story reads true on every page whatever day `make run` is first started: loaded at moments chosen to
be awkward (a weekend, the turn of a year, a bank holiday, before the daily count update), each owner's round
opened before it closed, its report came after, then the session, the proposal, the agreement and the
evaluation, with nothing in the future and every start and session on a working day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.models import User
from demo import data, story
from facilitator.models import Evaluation, FacilitatorAssignment, GoalProgress, SessionRecord, Summary
from facilitator.rules import SummaryStatus
from reports.models import Report
from surveys import operations
from surveys.cycle import CycleState, is_working_day
from surveys.models import Cycle
from tests.fixtures.reports import pdfs_left_to_first_download

MOMENTS = [
    datetime(2026, 12, 5, 10, 0),  # a Saturday
    datetime(2027, 1, 1, 2, 0),  # New Year's Day, before the 05:00 count update
    datetime(2027, 3, 29, 9, 0),  # Easter Monday
]


def _round_of(email: str) -> Cycle:
    owner = db.session.scalars(sa.select(User).where(User.email == email)).one()
    return db.session.scalars(sa.select(Cycle).where(Cycle.owner_id == owner.id)).one()


def _every_stored_moment() -> list[tuple[str, datetime]]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.DateTime):
                found += [(f"{table.name}.{column.name}", v) for v in
                          db.session.scalars(sa.select(column).where(column.is_not(None)))]
    return found


@pytest.mark.parametrize("now", MOMENTS, ids=[m.isoformat() for m in MOMENTS])
def test_the_demo_story_is_in_order_and_in_the_past_on_any_day(app: Flask, clock, now: datetime) -> None:  # type: ignore[no-untyped-def]
    clock.set(now)
    with pdfs_left_to_first_download():  # PDFs are no part of the story, and rendering them is most of a load
        data.load(now)
    future = [(name, v) for name, v in _every_stored_moment() if v > now + timedelta(seconds=1)]
    assert future == []

    olivia = _round_of("olivia@demo.open360.test")
    assert olivia.state is CycleState.OPEN and olivia.opened_at < now and olivia.close_on > now.date()
    assert olivia.counts_updated_at is not None and olivia.counts_updated_at <= now
    assert sum(c.responded for c in operations.completion_counts(olivia)) == 4  # as the last daily update counted

    for email in ("daniel", "sophie", "hannah", "isaac", "jade"):
        cycle = _round_of(f"{email}@demo.open360.test")
        assert cycle.opened_at and cycle.closed_at and cycle.opened_at > cycle.created_at, email
        assert is_working_day(cycle.created_at.date()) and cycle.close_on > cycle.opened_at.date(), email
        assert cycle.close_on < cycle.closed_at.date() and is_working_day(cycle.close_on), email  # closed on its date
        report = db.session.scalars(sa.select(Report).where(Report.cycle_id == cycle.id)).one()
        assert cycle.closed_at < report.built_at < now, email
        assignment = db.session.get(FacilitatorAssignment, cycle.owner_id)
        assert assignment is not None and assignment.assigned_at < cycle.opened_at, email

    for email, agreed, evaluated in (("hannah", False, False), ("isaac", True, False), ("jade", True, True)):
        cycle = _round_of(f"{email}@demo.open360.test")
        report = db.session.scalars(sa.select(Report).where(Report.cycle_id == cycle.id)).one()
        session = db.session.get(SessionRecord, cycle.id)
        assert session is not None and is_working_day(session.held_on), email
        assert report.built_at.date() < session.held_on <= session.recorded_at.date(), email
        summary = db.session.scalars(sa.select(Summary).where(Summary.cycle_id == cycle.id)).one()
        assert session.recorded_at < summary.proposed_at < now, email
        assert (summary.status is SummaryStatus.AGREED) is agreed, email
        if agreed:
            assert summary.proposed_at < summary.agreed_at < now, email
        evaluation = db.session.get(Evaluation, cycle.id)
        assert (evaluation is not None) is evaluated, email
        if evaluation is not None:
            assert summary.agreed_at < evaluation.submitted_at < now
            progress = db.session.scalars(sa.select(GoalProgress).where(GoalProgress.cycle_id == cycle.id)).all()
            assert progress and all(evaluation.submitted_at < p.updated_at < now for p in progress)
            assert all(p.completed_on is None or session.held_on < p.completed_on <= now.date() for p in progress)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2035, 12, 31)))
def test_the_story_dates_are_in_order_for_every_moment(now: datetime) -> None:
    """The dates alone, at every moment of ten years: the loads above are too slow to try more than a few."""
    opened = story.open_round(now)
    assert opened.started < opened.opened < now and opened.close_on > now.date()
    assert all(opened.opened < moment < now for moment in opened.answering_days(now))
    rounds = [story.closed_round(now)] + [story.facilitated_round(now, s) for s in story.SESSION_DAYS_AGO]
    for dates in rounds:
        assert is_working_day(dates.started.date()) and is_working_day(dates.close_on)
        assert dates.started < dates.opened < dates.closed < dates.report < now  # type: ignore[operator]
        assert dates.opened.date() < dates.close_on < dates.closed.date()  # type: ignore[union-attr]
        assert all(dates.opened < moment < dates.closed for moment in dates.answering_days(now))  # type: ignore[operator]
    for dates in rounds[1:]:
        assert dates.session is not None and is_working_day(dates.session)
        assert dates.report.date() < dates.session < dates.proposed.date()  # type: ignore[union-attr]
        later = [m for m in (dates.proposed, dates.agreed, dates.evaluated, dates.progress) if m is not None]
        assert later == sorted(later) and later[-1] < now


def test_a_working_day_is_never_a_weekend_or_bank_holiday() -> None:
    assert story.working_day_on_or_before(date(2026, 12, 28)) == date(2026, 12, 24)
    assert story.working_day_on_or_after(date(2026, 12, 25)) == date(2026, 12, 29)
