"""The clock: one small RQ job, `tick`, enqueued about once a minute, in which each package does what has fallen due
(surveys: close rounds past their close date, claim the reminders due). Packages register with `on_tick`, so this
core module knows none of them.

Why a tick job, and not a scheduler holding a job per reminder (rq-scheduler, RQ's `enqueue_in`, `rq cron`):
- Nothing about the schedule lives in Redis. Each tick asks the database what is due now (rounds past their date,
  reminders not yet claimed), so a tick that runs late, twice, or after a week's outage simply catches up, and a
  Redis restart or flush loses nothing. Reminders are claimed in the database (the outbox's unique key) in the
  same transaction that decides them, which is what makes them go out once.
- The same code runs everywhere: on one machine `flask serve` runs the clock as a thread beside the embedded
  worker on the in-process fakeredis, where a forked scheduler process could not reach the queue; in production
  `flask clock` is one small process that only enqueues. No extra package or process type to learn.
- Running two clocks is harmless: one tick per minute is enqueued (a Redis key per minute), ticks never overlap
  (a Redis lock), and even overlapping ticks could not send a mail twice (the database claims decide).
- Tests call `tick(now=…)` with the time they want: nothing sleeps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from flask import Flask
from rq import Queue

from app import db as unit
from app.queue import HOUSEKEEPING, job, queue, queue_of
from app.timeutil import utcnow

log = logging.getLogger(__name__)
TICK_SECONDS = 60
TICK_TIMEOUT = 300  # seconds: an RQ job time limit, and how long a killed tick can hold the lock
_LOCK_KEY = "open360:clock:tick-lock"
_MINUTE_KEY = "open360:clock:enqueued:{}"

TickHook = Callable[[datetime], Any]
_tick_hooks: list[TickHook] = []


class TickFailed(RuntimeError):
    """Some of the tick's work failed (and was logged); the rest was done. The next tick tries again."""


def on_tick(hook: TickHook) -> TickHook:
    """Register work for every tick. The hook gets `now` (naive UTC), commits its own work and returns a summary."""
    if hook not in _tick_hooks:
        _tick_hooks.append(hook)
    return hook


def run_tick_hooks(now: datetime) -> list[str]:
    """Run every hook; one failing does not stop the others (closing rounds must not wait on reminders)."""
    done, failed = [], []
    for hook in _tick_hooks:
        try:
            done.append(f"{hook.__qualname__}: {hook(now)}")
        except Exception:
            unit.rollback()
            log.exception("Clock: %s failed", hook.__qualname__)
            failed.append(hook.__qualname__)
    if failed:
        raise TickFailed(f"failed: {', '.join(failed)}; done: {'; '.join(done)}")
    return done


@job
def tick(now: datetime | None = None) -> str:
    """The periodic job. `now` is for tests; the clock leaves it out, so a tick that waited in the queue uses the
    time it runs at."""
    lock = queue().connection.lock(_LOCK_KEY, timeout=TICK_TIMEOUT, blocking=False)
    if not lock.acquire():
        return "skipped: another tick is running"
    try:
        return "; ".join(run_tick_hooks(now or utcnow()))
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("Clock: the tick outlived its lock (%s s)", TICK_TIMEOUT)


def enqueue_tick(q: Queue, wall_seconds: float | None = None) -> bool:
    """Enqueue a tick on `q` (the housekeeping queue) unless one was already enqueued this minute (by this clock or
    another). At the front of its queue: a tick is quick, and should not wait behind a quarterly build."""
    minute = int((time.time() if wall_seconds is None else wall_seconds) // TICK_SECONDS)
    if not q.connection.set(_MINUTE_KEY.format(minute), "1", nx=True, ex=2 * TICK_SECONDS):
        return False
    q.enqueue(tick, at_front=True, job_timeout=TICK_TIMEOUT, result_ttl=TICK_SECONDS * 10)
    return True


def run_clock(q: Queue, stop: threading.Event, interval: float = TICK_SECONDS) -> None:
    """Enqueue a tick now and then every `interval` seconds until `stop` is set."""
    while True:
        try:
            enqueue_tick(q)
        except redis.exceptions.RedisError as exc:  # Redis restarting: say so, and try again next time
            log.warning("Clock: could not enqueue the tick: %s", exc)
        if stop.wait(interval):
            return


def start_clock_thread(app: Flask) -> threading.Event:
    """One machine: the clock as a daemon thread beside the embedded worker (`flask serve`). Set the returned event
    to stop it."""
    q = queue_of(app, HOUSEKEEPING)
    stop = threading.Event()
    threading.Thread(target=run_clock, args=(q, stop), name="open360-clock", daemon=True).start()
    return stop
