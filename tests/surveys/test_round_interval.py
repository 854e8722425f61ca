"""The minimum interval between rounds (PRODUCT §2.1): a new round starts no sooner than the organisation's interval
after the owner's previous round closed, because two reports of nearly the same raters subtract. The owner is told
the date before trying; deleting a round does not skip the wait; a cancelled round does not start one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app import db as unit
from app.extensions import db
from app.models import Organisation, User
from surveys import cycle as rules
from surveys import operations, rights
from surveys.cycle import CycleRuleError
from surveys.models import Cycle
from tests.conftest import post_form
from tests.fixtures.clock import TestClock

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2200, 12, 31))
months = st.integers(min_value=1, max_value=36)


@given(days, months)
def test_months_after_is_the_same_day_or_the_months_last_day(day: date, count: int) -> None:
    later = rules.months_after(day, count)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == count
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)


def test_months_after_at_the_ends_of_months() -> None:
    assert rules.months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert rules.months_after(date(2026, 12, 15), 1) == date(2027, 1, 15)


@given(days, months, st.integers(min_value=-400, max_value=1200))
def test_a_round_starts_exactly_from_the_interval_after_the_last_close(closed: date, count: int, offset: int
                                                                       ) -> None:
    today = closed + timedelta(days=offset)
    earliest = rules.months_after(closed, count)
    if today < earliest:
        with pytest.raises(CycleRuleError, match=f"on or after {earliest:%-d %B %Y}"):
            rules.check_interval(closed, count, today)
    else:
        rules.check_interval(closed, count, today)


@given(days, months)
def test_an_owner_whose_rounds_never_closed_may_start(today: date, count: int) -> None:
    assert rules.earliest_next_start(None, count) is None
    rules.check_interval(None, count, today)


# --- as the owner sees it ---------------------------------------------------------------------------------------

def _finished_round(create_round: Callable[..., Cycle], owner: User) -> Cycle:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    cycle.closed_at = cycle.opened_at
    cycle.state = rules.CycleState.EVALUATED  # closed, reported and finished: no longer the owner's active round
    unit.commit()
    return cycle


def test_the_owner_is_told_when_they_can_start_and_can_start_then(owner_client: FlaskClient, owner: User,
                                                                  create_round: Callable[..., Cycle],
                                                                  clock: TestClock) -> None:
    closed_on = _finished_round(create_round, owner).closed_at.date()  # type: ignore[union-attr]
    earliest = rules.months_after(closed_on, 6)
    page = owner_client.get("/round").get_data(as_text=True)
    assert f"on or after {earliest:%-d %B %Y}" in page and "Start a new feedback round" not in page
    refused = owner_client.get("/round/start")
    assert f"on or after {earliest:%-d %B %Y}" in refused.get_data(as_text=True)
    assert 'name="day"' not in refused.get_data(as_text=True)  # no form whose button could only be refused

    clock.set(clock() + (earliest - closed_on) - timedelta(days=1))
    assert operations.start_refusal(owner, clock().date()) is not None  # the day before
    clock.advance(days=1)
    assert "Start a new feedback round" in owner_client.get("/round").get_data(as_text=True)
    day = rules.default_close_date(clock().date())  # a working day, as a typed one must be
    done = post_form(owner_client, "/round/start", {"day": str(day.day), "month": str(day.month),
                                                    "year": str(day.year)})
    assert done.status_code == 302 and operations.current_cycle(owner).state is rules.CycleState.DRAFT  # type: ignore[union-attr]


def test_the_organisations_interval_sets_the_date(owner: User, organisation: Organisation,
                                                  create_round: Callable[..., Cycle]) -> None:
    closed_on = _finished_round(create_round, owner).closed_at.date()  # type: ignore[union-attr]
    organisation.min_round_interval_months = 12
    unit.commit()
    refusal = operations.start_refusal(owner, closed_on + timedelta(days=200))
    assert refusal and "12 months" in refusal
    assert f"on or after {rules.months_after(closed_on, 12):%-d %B %Y}" in refusal


def test_deleting_the_round_does_not_skip_the_wait(owner: User, create_round: Callable[..., Cycle]) -> None:
    cycle = _finished_round(create_round, owner)
    closed_on = cycle.closed_at.date()  # type: ignore[union-attr]
    rights.delete_round(cycle)
    unit.commit()
    assert db.session.get(Cycle, cycle.id) is None
    assert operations.last_closed_on(owner) == closed_on
    assert operations.start_refusal(owner, closed_on + timedelta(days=30)) is not None
    with pytest.raises(CycleRuleError):
        operations.start_cycle(owner, closed_on + timedelta(days=51), closed_on + timedelta(days=30))


def test_a_cancelled_round_starts_no_wait(owner: User, create_round: Callable[..., Cycle]) -> None:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    operations.cancel_round(cycle)  # it opened, and cancelling sets its closing time: but it makes no report
    unit.commit()
    assert cycle.closed_at is not None and operations.start_refusal(owner, cycle.closed_at.date()) is None
