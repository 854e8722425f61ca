"""`flask worker` outlives a Redis that goes away while the worker is not waiting for a job (app/queue.py
run_worker). RQ's own loop quits then, with exit status 0."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import ClassVar

import fakeredis
import pytest
import redis
from rq import Queue

from app.queue import ServiceWorker, run_worker


class FlakyWorker(ServiceWorker):
    """The first worker meets Redis gone at its first look (as a heartbeat after a restart of Redis does); the next
    one is stopped by SIGTERM, as a supervisor stops it."""

    started: ClassVar[list[FlakyWorker]] = []

    def _start_scheduler(self, *args: object, **kwargs: object) -> None:
        pass  # the scheduler's own process is RQ's, not what is tested here

    def check_for_suspension(self, burst: bool) -> None:
        FlakyWorker.started.append(self)
        if len(FlakyWorker.started) == 1:
            raise redis.exceptions.ConnectionError("Connection closed by server.")
        os.kill(os.getpid(), signal.SIGTERM)
        super().check_for_suspension(burst)


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    kept = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGTERM, kept[0])
    signal.signal(signal.SIGINT, kept[1])


def test_a_worker_whose_loop_ends_on_a_redis_error_is_started_again_until_a_signal_stops_it(
        signal_handlers: None) -> None:
    FlakyWorker.started = []
    queues = [Queue("mail", connection=fakeredis.FakeRedis(server=fakeredis.FakeServer()))]
    run_worker(queues, restart_after=0, worker_class=FlakyWorker)
    first, second = FlakyWorker.started
    assert first is not second
    assert not first.told_to_stop and second.told_to_stop


def test_a_burst_worker_is_not_started_again(signal_handlers: None) -> None:
    FlakyWorker.started = []
    queues = [Queue("mail", connection=fakeredis.FakeRedis(server=fakeredis.FakeServer()))]
    run_worker(queues, burst=True, restart_after=0, worker_class=FlakyWorker)
    assert len(FlakyWorker.started) == 1
