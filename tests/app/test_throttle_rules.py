"""The throttle's arithmetic (app/auth/rules.py), with the time passed in, and the figures the README gives."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.auth import rules
from app.auth.rules import Count, Rule
from config.base import common

START = datetime(2026, 5, 13, 10, 30)
RULE = Rule(free=3, first_wait=timedelta(minutes=1), longest_wait=timedelta(minutes=30),
            forgive_every=timedelta(hours=1))
CONFIGURED = {name: Rule.from_config(settings) for name, settings in common()["THROTTLE_RULES"].items()}


def attempt_at(count: Count | None, now: datetime) -> Count:
    assert rules.wait(RULE, count, now) == rules.NO_WAIT
    return rules.counted(RULE, count, now)


def test_the_free_attempts_wait_for_nothing_and_the_next_waits_the_first_wait() -> None:
    count = None
    for _ in range(3):
        assert rules.wait(RULE, count, START) == rules.NO_WAIT
        count = rules.counted(RULE, count, START)
    assert rules.wait(RULE, count, START) == timedelta(minutes=1)
    assert rules.wait(RULE, count, START + timedelta(seconds=45)) == timedelta(seconds=15)
    assert rules.wait(RULE, count, START + timedelta(minutes=1)) == rules.NO_WAIT


def test_each_wait_doubles_up_to_the_longest() -> None:
    assert [rules.wait_after(RULE, n) for n in range(3, 10)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30)]
    assert rules.wait_after(RULE, 10**9) == timedelta(minutes=30)  # no overflow however many


def test_an_attempt_refused_while_waiting_changes_nothing_so_hammering_cannot_lengthen_the_wait() -> None:
    count = Count(attempts=5, last_at=START)  # waiting 4 minutes
    # the caller counts only when wait() is nothing; asking again and again leaves the same end
    for seconds in range(0, 240, 7):
        now = START + timedelta(seconds=seconds)
        assert now + rules.wait(RULE, count, now) == START + timedelta(minutes=4)


def test_one_attempt_is_forgiven_each_quiet_hour() -> None:
    count = Count(attempts=5, last_at=START)
    assert rules.remaining(RULE, count, START + timedelta(minutes=59)) == 5
    assert rules.remaining(RULE, count, START + timedelta(hours=2)) == 3
    assert rules.remaining(RULE, count, START + timedelta(days=2)) == 0
    after = rules.counted(RULE, count, START + timedelta(hours=2))
    assert after == Count(attempts=4, last_at=START + timedelta(hours=2))
    assert rules.wait(RULE, after, after.last_at) == timedelta(minutes=2)


def test_a_clock_that_went_back_forgives_nothing() -> None:
    count = Count(attempts=5, last_at=START)
    assert rules.remaining(RULE, count, START - timedelta(hours=5)) == 5


def test_a_right_password_gives_back_one_attempt_and_never_goes_below_nothing() -> None:
    assert rules.given_back(Count(2, START)) == Count(1, START)
    assert rules.given_back(Count(0, START)) == Count(0, START)


@given(st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=60))
def test_however_attempts_are_timed_no_more_are_looked_at_than_the_rule_allows(gaps: list[int]) -> None:
    """An attacker choosing when to try, each time the moment the wait allows or later: between any two counted
    attempts beyond the free ones there is at least the first wait."""
    now, count, times = START, None, []
    for gap in gaps:
        now += rules.wait(RULE, count, now) + timedelta(seconds=gap)
        count = attempt_at(count, now)
        times.append((now, count.attempts))
    for (earlier, attempts), (later, _) in itertools.pairwise(times):
        if attempts >= RULE.free:
            assert later - earlier >= RULE.first_wait


def test_the_readme_figures_for_the_configured_rules() -> None:
    account = CONFIGURED["sign-in-account"]
    # The README: 56 guesses on the first day at one account, whatever the addresses (48 a day after that: one
    # each 30 minutes); a person waits 30 minutes at most.
    assert rules.guesses_per_day(account) == 56
    assert account.longest_wait == timedelta(minutes=30)
    assert rules.guesses_per_day(CONFIGURED["sign-in-address"]) == 7225  # ~300 an hour from one address, all accounts


def test_waits_are_told_in_whole_minutes_rounded_up() -> None:
    assert rules.in_words(timedelta(seconds=1)) == "1 minute"
    assert rules.in_words(timedelta(seconds=61)) == "2 minutes"
    assert rules.in_words(timedelta(minutes=30)) == "30 minutes"
