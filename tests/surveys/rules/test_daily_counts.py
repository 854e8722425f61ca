"""The owner's completion counts move once a day at most (PRODUCT §2.6): the refresh rule and the tally, as pure
functions, with properties over any timing of page loads, submissions and clock ticks."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import example, given
from hypothesis import strategies as st

from surveys.categories import Category
from surveys.rules.daily_counts import (
    UPDATE_AT,
    CategoryCounts,
    any_response,
    from_stored,
    is_due,
    latest_update_moment,
    next_update_moment,
    not_replied,
    tally,
    to_stored,
)

MONDAY = datetime(2026, 11, 30)
times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31))


def test_the_update_moment_is_early_each_morning() -> None:
    assert latest_update_moment(MONDAY.replace(hour=4, minute=59)) == datetime(2026, 11, 29, 5, 0)
    assert latest_update_moment(MONDAY.replace(hour=5)) == datetime(2026, 11, 30, 5, 0)
    assert latest_update_moment(MONDAY.replace(hour=23, minute=59)) == datetime(2026, 11, 30, 5, 0)
    assert next_update_moment(MONDAY.replace(hour=9)) == datetime(2026, 12, 1, 5, 0)


def test_counts_taken_today_after_the_update_are_not_due_again_until_tomorrow() -> None:
    taken = MONDAY.replace(hour=5, minute=1)
    assert not is_due(taken, MONDAY.replace(hour=23, minute=59))
    assert is_due(taken, datetime(2026, 12, 1, 5, 0))
    assert is_due(None, MONDAY)
    # Taken at opening, at 14:00: the next counts come the following morning, not at once.
    opened = MONDAY.replace(hour=14)
    assert not is_due(opened, MONDAY.replace(hour=20)) and is_due(opened, datetime(2026, 12, 1, 5, 0))


@given(times)
def test_the_latest_update_moment_is_within_the_last_day(now: datetime) -> None:
    moment = latest_update_moment(now)
    assert moment <= now < moment + timedelta(days=1) and moment.time() == UPDATE_AT


@given(st.lists(times, min_size=1, max_size=60))
def test_a_clock_following_the_rule_updates_at_most_once_between_two_update_moments(ticks: list[datetime]) -> None:
    updated_at: datetime | None = None
    updates: list[datetime] = []
    for now in sorted(ticks):
        if is_due(updated_at, now):
            updated_at = now
            updates.append(now)
    windows = [latest_update_moment(u) for u in updates]
    assert len(windows) == len(set(windows))


@st.composite
def days_of_events(draw: st.DrawFn) -> list[tuple[datetime, str]]:
    """Ticks and submissions through a few days, in time order."""
    # Quarter hours over three days: enough collisions for ticks, submissions and loads to interleave in a day.
    within = st.integers(0, 3 * 24 * 4).map(lambda q: datetime(2026, 11, 1) + timedelta(minutes=15 * q))
    events = draw(st.lists(st.tuples(within, st.sampled_from(["tick", "submit", "load"])), max_size=100))
    return sorted(events)


_DAY = datetime(2026, 11, 2)
_TWO_SUBMISSIONS_ONE_DAY = [(_DAY.replace(hour=h), kind) for h, kind in
                            [(6, "tick"), (8, "load"), (9, "submit"), (10, "tick"), (10, "load"), (11, "submit"),
                             (12, "tick"), (12, "load")]]


@given(days_of_events())
@example(_TWO_SUBMISSIONS_ONE_DAY)
def test_what_the_owner_sees_moves_at_most_once_between_two_update_moments(events: list[tuple[datetime, str]]
                                                                          ) -> None:
    """Simulated: responses arrive at any time, the clock ticks at any time, the owner loads the page at any
    time. Within one day's window (from one update moment to the next) the loads see at most one change, when
    the first tick of the window takes the counts, so no reload can be timed against one submission."""
    responded = 0
    shown, updated_at = 0, None
    seen: dict[datetime, list[int]] = {}
    for now, kind in events:
        if kind == "submit":
            responded += 1
        elif kind == "tick" and is_due(updated_at, now):
            shown, updated_at = responded, now
        elif kind == "load":
            seen.setdefault(latest_update_moment(now), []).append(shown)
    for values in seen.values():
        assert sum(1 for a, b in pairwise(values) if a != b) <= 1


def test_the_tally_counts_each_invited_rater_once_as_they_stand() -> None:
    # Two peers are done (one answered, one declined: the rows cannot say which), one is outstanding.
    rows = [(Category.PEER, "done"), (Category.PEER, "done"), (Category.PEER, "invited"),
            (Category.PEER, "not_sent"), (Category.MANAGER, "invited"), (Category.OTHER, "not_sent")]
    counts = tally(rows, [Category.PEER])
    assert counts == (CategoryCounts(Category.MANAGER, 1, 0, 0), CategoryCounts(Category.PEER, 3, 1, 1))
    assert not_replied(counts) == 2 and any_response(counts)
    assert not any_response(tally([(Category.PEER, "done")], []))


def test_responses_never_count_more_than_the_raters_done() -> None:
    assert tally([(Category.PEER, "invited")], [Category.PEER]) == (CategoryCounts(Category.PEER, 1, 0, 0),)


statuses = st.sampled_from(["not_sent", "invited", "done"])
categories = st.sampled_from([Category.MANAGER, Category.PEER, Category.DIRECT_REPORT, Category.OTHER])
rows = st.lists(st.tuples(categories, statuses), max_size=40)


@given(rows, st.lists(categories, max_size=40))
def test_the_tally_adds_up_and_survives_storing(rows: list[tuple[Category, str]], answered: list[Category]) -> None:
    counts = tally(rows, answered)
    assert sum(c.invited for c in counts) == sum(1 for _, s in rows if s != "not_sent")
    assert all(c.responded >= 0 and c.declined >= 0 and c.responded + c.declined <= c.invited for c in counts)
    assert all(c.responded + c.declined == sum(1 for k, s in rows if k is c.category and s == "done")
               for c in counts)
    assert from_stored(to_stored(counts)) == counts
