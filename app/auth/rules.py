"""The throttle's rules, as pure functions of a counter and the time: how long a key must wait before its next
attempt is looked at, and what an attempt does to its counter.

A key (an account, a device that signed in to it, a client address) counts its attempts. The first `free` cost
nothing; after that each one must wait, twice as long as the one before, up to `longest_wait`. Attempts refused
while waiting are not counted, so hammering cannot make a wait longer. One counted attempt is forgiven every
`forgive_every` of time, so a key left alone starts again; a right password clears an account's count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

NO_WAIT = timedelta(0)


@dataclass(frozen=True)
class Rule:
    free: int  # attempts before any wait
    first_wait: timedelta  # the wait after the first attempt beyond the free ones
    longest_wait: timedelta  # the wait never grows beyond this
    forgive_every: timedelta  # one counted attempt forgotten per this much time

    @classmethod
    def from_config(cls, settings: Mapping[str, int]) -> Rule:
        """From a settings dict of whole numbers (seconds for the times), as config/base.py declares them."""
        return cls(free=settings["free"], first_wait=timedelta(seconds=settings["first_wait"]),
                   longest_wait=timedelta(seconds=settings["longest_wait"]),
                   forgive_every=timedelta(seconds=settings["forgive_every"]))


@dataclass(frozen=True)
class Count:
    attempts: int
    last_at: datetime


def wait_after(rule: Rule, attempts: int) -> timedelta:
    """The wait before the attempt after `attempts` counted ones (naturally doubling, capped)."""
    beyond = attempts - rule.free
    if beyond < 0:
        return NO_WAIT
    # 2**beyond overflows timedelta long before the cap matters: stop doubling once past it.
    wait = rule.first_wait
    for _ in range(beyond):
        if wait >= rule.longest_wait:
            break
        wait *= 2
    return min(wait, rule.longest_wait)


def remaining(rule: Rule, count: Count | None, now: datetime) -> int:
    """Attempts still counted at `now`, after forgiving one per `forgive_every` since the last."""
    if count is None:
        return 0
    quiet = max(now - count.last_at, NO_WAIT)
    return max(count.attempts - int(quiet // rule.forgive_every), 0)


def wait(rule: Rule, count: Count | None, now: datetime) -> timedelta:
    """How long from `now` until the next attempt will be looked at: nothing, or what is left of the wait."""
    if count is None:
        return NO_WAIT
    return max(count.last_at + wait_after(rule, count.attempts) - now, NO_WAIT)


def counted(rule: Rule, count: Count | None, now: datetime) -> Count:
    """The counter once an attempt at `now` is counted (call only when `wait` is nothing)."""
    return Count(attempts=remaining(rule, count, now) + 1, last_at=now)


def given_back(count: Count) -> Count:
    """An address's counter after one of its attempts proved right: a right password is not a guess."""
    return Count(attempts=max(count.attempts - 1, 0), last_at=count.last_at)


def guesses_per_day(rule: Rule) -> int:
    """The most attempts one key can have looked at in a day from a standing start, attempting the moment each wait
    ends: the figure the README gives for each rule."""
    now, count, looked_at = datetime(2000, 1, 1), None, 0
    end = now + timedelta(days=1)
    while True:
        now += wait(rule, count, now)
        if now >= end:
            return looked_at
        count = counted(rule, count, now)
        looked_at += 1


def in_words(delay: timedelta) -> str:
    """A wait for a person to read, in whole minutes rounded up: never tell someone to come back too early."""
    count = max(1, -(-int(delay.total_seconds()) // 60))
    return "1 minute" if count == 1 else f"{count} minutes"
