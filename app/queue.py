"""The job queue: RQ everywhere, against a real Redis in production and an in-process stand-in on one machine.

- `redis`: production. Web processes enqueue; `flask worker` processes (RQ workers) run the jobs.
- `embedded`: development. A fakeredis server lives in the web process and an RQ worker runs in a thread beside it,
  so `make run` needs no Redis server and still runs the very same job code through RQ.
- `sync`: tests. RQ runs each job as it is enqueued, against a real Redis when REDIS_URL is set (the
  production-stack test run) and the in-process stand-in otherwise.

Three queues, so that no kind of work waits behind another's burst: `mail` (every delivery), `housekeeping` (the
clock's tick: closing rounds, claiming reminders, the quarterly usage build) and `reports` (report builds and their
PDFs, hundreds at once on a close date, seconds each). A worker takes the first job of the first queue in
`QUEUES` that has one, so a password-reset mail queued behind 200 report builds waits at most for the one build a
worker has in hand; a worker of its own for `mail` (`flask worker --queue mail`) does not wait even for that.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import fakeredis
import redis
from flask import Flask, current_app, has_app_context
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import NoSuchJobError
from rq.executions import ExecutionRegistry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.timeouts import TimerDeathPenalty
from rq.utils import parse_composite_key

MAIL, HOUSEKEEPING, REPORTS = "mail", "housekeeping", "reports"
# Before the queues were split every job went to one queue of this name: workers still drain it after an upgrade.
LEGACY = "open360"
QUEUES = (MAIL, HOUSEKEEPING, REPORTS, LEGACY)  # a worker's order of priority
F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

_worker_app: Flask | None = None
_worker_start_hooks: list[Callable[[], Any]] = []


def on_worker_start(hook: Callable[[], Any]) -> Callable[[], Any]:
    """Register work to re-queue when a worker starts (mail not yet sent, reports not yet built), so nothing a
    lost in-process queue held is lost for good."""
    if hook not in _worker_start_hooks:
        _worker_start_hooks.append(hook)
    return hook


def run_worker_start_hooks() -> None:
    for hook in _worker_start_hooks:
        hook()


def init_queue(app: Flask) -> None:
    mode = app.config["QUEUE_MODE"]
    if mode == "redis" or (mode == "sync" and app.config.get("REDIS_URL")):
        # A Redis that cannot be reached fails a request's enqueue (or the health check) in seconds, not minutes.
        connection: redis.Redis = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2)
    elif mode in {"embedded", "sync"}:
        connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    else:
        raise ValueError(f"unknown QUEUE_MODE {mode!r}")
    # The housekeeping queue is kept; the others are made from its connection and mode when asked for (queue()).
    app.extensions["open360_queue"] = Queue(HOUSEKEEPING, connection=connection, is_async=mode != "sync")


def queue(name: str = HOUSEKEEPING) -> Queue:
    return queue_of(current_app, name)


def queue_of(app: Flask, name: str = HOUSEKEEPING) -> Queue:
    base: Queue = app.extensions["open360_queue"]
    if name == base.name:
        return base
    return Queue(name, connection=base.connection, is_async=base.is_async)


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Enqueue a job on the queue its `@job` names."""
    return queue(getattr(func, "queue_name", HOUSEKEEPING)).enqueue(func, *args, **kwargs)


def job(func: F | None = None, *, queue_name: str = HOUSEKEEPING) -> Any:
    """Mark a function as an RQ job of a queue (`@job` alone: housekeeping; `@job(queue_name=REPORTS)`): it runs
    inside an app context whichever worker picks it up. Jobs take ids, not objects, and must be safe to run twice."""

    def wrap(func: F) -> F:
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return func(*args, **kwargs)
            with worker_app().app_context():
                return func(*args, **kwargs)

        run.queue_name = queue_name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return wrap(func) if func is not None else wrap


def worker_app() -> Flask:
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


def use_app_for_jobs(app: Flask) -> None:
    global _worker_app
    _worker_app = app


class ThreadWorker(SimpleWorker):
    """An RQ worker that can live in a thread: signals only work in the main thread, so time limits use timers."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def worker_queues(app: Flask, names: tuple[str, ...] = QUEUES) -> list[Queue]:
    return [queue_of(app, name) for name in names]


def start_embedded_worker(app: Flask) -> threading.Thread:
    use_app_for_jobs(app)
    queues = worker_queues(app)
    worker = ThreadWorker(queues, connection=queues[0].connection)
    thread = threading.Thread(
        target=worker.work, kwargs={"logging_level": "WARNING"}, name="open360-worker", daemon=True
    )
    thread.start()
    log.info("Embedded worker started")
    return thread


class ServiceWorker(Worker):
    """RQ's worker, remembering whether a signal told it to stop (run_worker)."""

    told_to_stop = False

    def request_stop(self, signum: int, frame: Any) -> None:
        self.told_to_stop = True
        super().request_stop(signum, frame)

    def teardown(self) -> None:
        """RQ's, and then the thread that listens for commands to this worker stops even when Redis is away: RQ
        stops it last, after telling Redis the worker died, which then fails, and the thread went on retrying (a
        log line every 2 s) beside each new worker run_worker started, with a connection of its own once Redis
        was back."""
        try:
            super().teardown()
        finally:
            thread = self.pubsub_thread
            if thread is not None and thread.is_alive():
                thread.stop()
                self.pubsub.close()  # its connection: the thread waits on it for up to a minute, then ends


def run_worker(queues: list[Queue], burst: bool = False, restart_after: float = 2.0,
               worker_class: type[ServiceWorker] = ServiceWorker) -> None:
    """`flask worker`: run an RQ worker, with its scheduler, until a signal stops it (or, in a burst, the queues are
    empty). RQ waits out a Redis that is away only while it waits for a job: one that goes away while the worker
    heartbeats or cleans its registries (Redis restarted, or the worker was paused across it) ends the work loop
    with "found an unhandled exception, quitting" and exit status 0, which a supervisor that restarts only failures
    takes for a clean stop. So the worker is started again, as a new worker, until it is told to stop."""
    while True:
        worker = None
        try:
            # Made here too: RQ names its connection as it makes a worker, and Redis may still be away.
            worker = worker_class(queues, connection=queues[0].connection)
            worker.work(burst=burst, with_scheduler=True)
        except redis.exceptions.RedisError as exc:  # Redis away before the loop began (registering the worker)
            log.warning("Worker: Redis is away (%s)", exc)
        if burst or (worker is not None and worker.told_to_stop):
            return
        log.warning("Worker: the work loop ended on an error; a new worker starts in %s s", restart_after)
        # The stopped worker's handlers would ask its Redis whether it is busy: while waiting, a signal just ends.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        time.sleep(restart_after)


# What a job id's state in Redis says about whether a worker will still run it. Not STARTED on its own, nor QUEUED
# on its own: RQ's workers take a job off a list of several queues with BLPOP, so a worker killed just after taking
# it leaves a job that still says "queued" (or "started") and is in no list; only a worker's heartbeat, or the job's
# place in its queue, says that it is alive.
_WAITING = {JobStatus.SCHEDULED.value.encode(), JobStatus.DEFERRED.value.encode(), JobStatus.CREATED.value.encode()}
_TAKEN = {JobStatus.QUEUED.value.encode(), JobStatus.STARTED.value.encode()}
_SCHEDULED = JobStatus.SCHEDULED.value.encode()
_QUEUED = JobStatus.QUEUED.value.encode()


def _taken_key(of: Queue) -> str:
    """The jobs of `of` last seen taken off its lists with nothing recorded (lost_jobs)."""
    return f"open360:taken:{of.name}"


def lost_jobs(of: Queue, job_ids: Sequence[str], cutoff: datetime, ended_are_lost: bool = True) -> set[str]:
    """The job ids of `of` that Redis will never run, as of `cutoff` (a moment some way in the past, so that what was
    queued or heartbeat just before it is given time): missing, or finished with; scheduled to retry before the
    cutoff (the scheduler that should have queued it has gone: a worker killed while its job failed leaves the retry
    scheduled, and a new worker's scheduler may not take the queue's lock for minutes); taken by a worker whose last
    heartbeat runs out before the cutoff; or said to be queued while in none of the queue's lists with no execution
    recorded, at this look and at an earlier one of an earlier cutoff (its worker died between taking it and
    recording it: a live worker is so for the milliseconds between its BLPOP and its next round trip, and a job it
    is about to run must not be deleted from under it and queued again). With `ended_are_lost` False, a job that
    finished or failed is kept (a report build's record is there to be read, not retried each minute).

    Reads Redis in one transaction whatever the number of ids, so at one moment: read in turns, a job still in its
    queue at the first read and taken by a live worker before the next (or ended by it) was called lost, deleted
    from under the worker and queued again. The started registry is read whole (a member a running job,
    `job_id:execution_id`): it holds what workers run, not what waits."""
    if not job_ids:
        return set()
    before = cutoff.replace(tzinfo=UTC).timestamp()
    retries, started = ScheduledJobRegistry(queue=of), StartedJobRegistry(queue=of)
    with of.connection.pipeline(transaction=True) as pipe:
        for job_id in job_ids:
            pipe.hget(Job.key_for(job_id), "status")
            pipe.zscore(retries.key, job_id)
        pipe.zrange(started.key, 0, -1, withscores=True)
        pipe.lrange(of.key, 0, -1)
        pipe.lrange(of.intermediate_queue_key, 0, -1)
        pipe.hgetall(_taken_key(of))
        *replies, running, waiting, moving, seen = pipe.execute()
    states = {job_id: (replies[2 * n], replies[2 * n + 1]) for n, job_id in enumerate(job_ids)}
    heartbeats: dict[str, list[float]] = {}
    for member, score in running:
        heartbeats.setdefault(parse_composite_key(member.decode())[0], []).append(score)
    in_a_list = {job_id.decode() for job_id in [*waiting, *moving]}
    # Each job seen taken with nothing recorded, under the cutoff of the first look that saw it so: kept for the next.
    taken = {job_id: float(seen.get(job_id.encode(), before)) for job_id in job_ids
             if states[job_id][0] == _QUEUED and job_id not in heartbeats and job_id not in in_a_list}
    with of.connection.pipeline(transaction=True) as pipe:
        pipe.delete(_taken_key(of))
        if taken:
            pipe.hset(_taken_key(of), mapping=taken)
            pipe.expire(_taken_key(of), 86400)
        pipe.execute()

    def lost(job_id: str) -> bool:
        status, due = states[job_id]
        if status == _SCHEDULED:
            return due is not None and due < before
        if status in _WAITING or (status is not None and status not in _TAKEN and not ended_are_lost):
            return False
        if status in _TAKEN and job_id in heartbeats:
            return all(score < before for score in heartbeats[job_id])
        if job_id in taken:
            return taken[job_id] < before
        return status != _QUEUED or job_id not in in_a_list

    return {job_id for job_id in job_ids if lost(job_id)}


def forget_jobs(of: Queue, job_ids: Sequence[str]) -> None:
    """Delete these jobs, and their executions' places among the started, so that the same ids can be queued again
    and run (a job of an id that says "started" would not run, and a dead execution left behind would later be
    taken by RQ's own clean-up for one of the new job's)."""
    started = StartedJobRegistry(queue=of)
    if job_ids:
        of.connection.hdel(_taken_key(of), *job_ids)
    for job_id in job_ids:
        # By hand, not RQ's remove_executions or Job.delete: both first drop the executions whose heartbeat has run
        # out from the job's list, so the dead one's place among the started, the one to remove, would stay.
        executions = of.connection.zrange(ExecutionRegistry(job_id=job_id, connection=of.connection).key, 0, -1)
        if executions:
            of.connection.zrem(started.key, *(f"{job_id}:{e.decode()}" for e in executions))
        with contextlib.suppress(NoSuchJobError):
            Job.fetch(job_id, connection=of.connection).delete()
