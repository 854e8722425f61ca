"""The clock: one tick a minute however many clocks run, ticks that never overlap, hooks that fail alone."""

from __future__ import annotations

import random
import threading
from datetime import datetime

import pytest
from flask import Flask

from app import clock
from app.queue import queue


@pytest.fixture
def ran(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Replace the registered tick work with a recorder (the surveys' own tick has tests of its own)."""
    calls: list[datetime] = []
    monkeypatch.setattr(clock, "_tick_hooks", [lambda now: calls.append(now) or "recorded"])
    for key in queue().connection.scan_iter("open360:clock:*"):
        queue().connection.delete(key)
    return calls


def test_one_tick_a_minute_is_enqueued_however_many_clocks_run(ran: list[datetime]) -> None:
    minute = 60 * random.randrange(10**8, 10**9)  # a minute no other test uses, should Redis be shared
    q = queue()
    assert clock.enqueue_tick(q, wall_seconds=minute + 1)  # the test queue runs the tick at once
    assert not clock.enqueue_tick(q, wall_seconds=minute + 30)  # a second clock, the same minute
    assert clock.enqueue_tick(q, wall_seconds=minute + 61)
    assert len(ran) == 2


def test_the_clock_ticks_once_at_start_and_stops_when_told(ran: list[datetime]) -> None:
    stop = threading.Event()
    stop.set()
    clock.run_clock(queue(), stop, interval=0)
    assert len(ran) == 1


def test_ticks_never_overlap(ran: list[datetime]) -> None:
    held = queue().connection.lock(clock._LOCK_KEY, timeout=10)
    assert held.acquire(blocking=False)
    try:
        assert clock.tick(now=datetime(2026, 11, 24, 9)) == "skipped: another tick is running"
        assert ran == []
    finally:
        held.release()
    clock.tick(now=datetime(2026, 11, 24, 9))
    assert ran == [datetime(2026, 11, 24, 9)]


def test_a_failing_hook_does_not_stop_the_others(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def broken(now: datetime) -> str:
        raise RuntimeError("database away")

    monkeypatch.setattr(clock, "_tick_hooks", [broken, lambda now: calls.append("second") or "done"])
    with pytest.raises(clock.TickFailed, match="broken"):
        clock.tick(now=datetime(2026, 11, 24, 9))
    assert calls == ["second"]
    with pytest.raises(clock.TickFailed):
        clock.tick(now=datetime(2026, 11, 24, 9))  # the lock was released: the next tick runs
    assert calls == ["second", "second"]


def test_the_rounds_register_their_tick(app: Flask) -> None:
    from surveys import clock as rounds_clock

    assert rounds_clock.tick in clock._tick_hooks


def test_flask_clock_is_for_production(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["clock"])
    assert result.exit_code != 0 and "`flask serve` runs the clock" in result.output
