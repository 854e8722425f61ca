"""`flask worker` outlives a Redis that goes away while the worker is not waiting for a job (app/queue.py
run_worker). RQ's own loop quits then, with exit status 0."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any, ClassVar

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


class WorkerMeetingRedisGone(ServiceWorker):
    """The first worker's loop ends with Redis really away, so its teardown cannot tell Redis it died; the next
    one, with Redis back, is stopped by SIGTERM."""

    server: ClassVar[fakeredis.FakeServer]
    started: ClassVar[list[WorkerMeetingRedisGone]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.server.connected = True  # back for the next worker run_worker starts
        super().__init__(*args, **kwargs)

    def _start_scheduler(self, *args: object, **kwargs: object) -> None:
        pass

    def check_for_suspension(self, burst: bool) -> None:
        WorkerMeetingRedisGone.started.append(self)
        if len(WorkerMeetingRedisGone.started) == 1:
            self.server.connected = False
            raise redis.exceptions.ConnectionError("Connection closed by server.")
        os.kill(os.getpid(), signal.SIGTERM)
        super().check_for_suspension(burst)


def test_a_worker_that_ended_with_redis_away_leaves_no_thread_listening_for_it(signal_handlers: None) -> None:
    """Review: RQ's teardown unsubscribes the worker's command channel only after registering its death, which
    fails while Redis is away, so each restart left the old worker's pubsub thread behind, retrying (and logging)
    every 2 s for good and, once Redis was back, holding a connection of its own."""
    server = fakeredis.FakeServer()
    WorkerMeetingRedisGone.server, WorkerMeetingRedisGone.started = server, []
    queues = [Queue("mail", connection=fakeredis.FakeRedis(server=server))]
    run_worker(queues, restart_after=0, worker_class=WorkerMeetingRedisGone)
    first, _ = WorkerMeetingRedisGone.started
    first.pubsub_thread.join(5)
    assert not first.pubsub_thread.is_alive()


class WorkerStartedWhileRedisIsAway(ServiceWorker):
    """Redis is still away when the first worker is made (RQ names its connection then: CLIENT SETNAME); it is back
    for the second, which SIGTERM stops."""

    server: ClassVar[fakeredis.FakeServer]
    made: ClassVar[int] = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        WorkerStartedWhileRedisIsAway.made += 1
        self.server.connected = WorkerStartedWhileRedisIsAway.made > 1
        super().__init__(*args, **kwargs)

    def _start_scheduler(self, *args: object, **kwargs: object) -> None:
        pass

    def check_for_suspension(self, burst: bool) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        super().check_for_suspension(burst)


def test_a_worker_is_started_again_when_redis_is_still_away_as_it_is_made(signal_handlers: None) -> None:
    """Review: the restart 2 s later met Redis still away (a restart of Redis takes longer) in RQ's constructor,
    outside the guard, and `flask worker` ended on a ConnectionError's traceback instead of trying again."""
    server = fakeredis.FakeServer()
    WorkerStartedWhileRedisIsAway.server, WorkerStartedWhileRedisIsAway.made = server, 0
    queues = [Queue("mail", connection=fakeredis.FakeRedis(server=server))]
    run_worker(queues, restart_after=0, worker_class=WorkerStartedWhileRedisIsAway)
    assert WorkerStartedWhileRedisIsAway.made == 2
