"""The job queue: RQ everywhere, against a real Redis in production and an in-process stand-in on one machine.

- `redis`: production. Web processes enqueue; `flask worker` processes (RQ workers) run the jobs.
- `embedded`: development. A fakeredis server lives in the web process and an RQ worker runs in a thread beside it,
  so `make run` needs no Redis server and still runs the very same job code through RQ.
- `sync`: tests. RQ runs each job as it is enqueued, against a real Redis when REDIS_URL is set (the
  production-stack test run) and the in-process stand-in otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import fakeredis
import redis
from flask import Flask, current_app, has_app_context
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.timeouts import TimerDeathPenalty

QUEUE_NAME = "open360"
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
    app.extensions["open360_queue"] = Queue(QUEUE_NAME, connection=connection, is_async=mode != "sync")


def queue() -> Queue:
    return current_app.extensions["open360_queue"]


def enqueue(func: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> Job:
    return queue().enqueue(func, *args, **kwargs)


def job(func: F) -> F:
    """Mark a function as an RQ job: it runs inside an app context whichever worker picks it up.
    Jobs take ids, not objects, and must be safe to run twice."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]


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


def start_embedded_worker(app: Flask) -> threading.Thread:
    use_app_for_jobs(app)
    q: Queue = app.extensions["open360_queue"]
    worker = ThreadWorker([q], connection=q.connection)
    thread = threading.Thread(
        target=worker.work, kwargs={"logging_level": "WARNING"}, name="open360-worker", daemon=True
    )
    thread.start()
    log.info("Embedded worker started")
    return thread
