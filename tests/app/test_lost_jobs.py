"""Which jobs Redis will never run (app.queue lost_jobs), as the clock asks before queuing a pending mail again: RQ's
workers take a job off a list of several queues with BLPOP, so a worker killed just after taking one leaves it saying
"queued" (or "started") in no list. Such a mail was left pending for good; a live worker's running job must not be
taken from it either."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import fakeredis
from rq import Queue
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job
from rq.registry import StartedJobRegistry

from app.queue import forget_jobs, lost_jobs

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def mail_queue() -> Queue:
    return Queue("mail", connection=fakeredis.FakeRedis(server=fakeredis.FakeServer()))


def taken_by_a_worker(queue: Queue, job_id: str) -> datetime:
    """A worker pops the job and records its execution, as RQ's worker does before its work horse marks the job
    started; returns the moment the execution's heartbeat runs out."""
    assert queue.connection.lrem(queue.key, 1, job_id) == 1
    job = Job.fetch(job_id, connection=queue.connection)
    with queue.connection.pipeline() as pipe:
        execution = Execution.create(job, 90, pipeline=pipe, worker_name="worker-1")
        pipe.execute()
    score = queue.connection.zscore(StartedJobRegistry(queue=queue).key, execution.composite_key)
    return datetime.fromtimestamp(score, UTC)


def test_a_job_waiting_in_its_queue_or_to_retry_is_not_lost() -> None:
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="waiting")
    assert lost_jobs(queue, ["waiting"], LONG_AGO) == set()
    assert lost_jobs(queue, ["waiting"], datetime(2100, 1, 1, tzinfo=UTC)) == set()  # however long it waits


def test_a_job_redis_does_not_hold_or_has_finished_with_is_lost() -> None:
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="done")
    Job.fetch("done", connection=queue.connection).set_status("finished")
    assert lost_jobs(queue, ["missing", "done"], LONG_AGO) == {"missing", "done"}


def test_a_job_taken_by_a_worker_is_lost_only_once_its_heartbeat_has_run_out() -> None:
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="taken")
    runs_out = taken_by_a_worker(queue, "taken")
    # Still "queued", in no list: the worker died before its horse marked the job started, or it is about to.
    assert Job.fetch("taken", connection=queue.connection).get_status() == "queued"
    assert lost_jobs(queue, ["taken"], runs_out - timedelta(seconds=1)) == set()
    assert lost_jobs(queue, ["taken"], runs_out + timedelta(seconds=1)) == {"taken"}
    Job.fetch("taken", connection=queue.connection).set_status("started")
    assert lost_jobs(queue, ["taken"], runs_out - timedelta(seconds=1)) == set()  # a live worker's running job
    assert lost_jobs(queue, ["taken"], runs_out + timedelta(seconds=1)) == {"taken"}


def test_a_job_taken_off_its_queue_with_no_execution_recorded_is_lost() -> None:
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="popped")
    queue.connection.lpop(queue.key)  # BLPOP, then the worker was killed before it recorded anything
    # Or it is about to record its execution: lost only when seen so at an earlier look too.
    assert lost_jobs(queue, ["popped"], LONG_AGO) == set()
    assert lost_jobs(queue, ["popped"], LONG_AGO) == set()
    assert lost_jobs(queue, ["popped"], LONG_AGO + timedelta(minutes=1)) == {"popped"}


def test_a_job_a_live_worker_has_just_taken_off_its_queue_is_not_lost() -> None:
    """Between its BLPOP and its next round trip a live worker's job says "queued" in no list with nothing
    recorded, as one a killed worker took: it was deleted from under the worker and queued again."""
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="popping")
    queue.connection.lpop(queue.key)
    assert lost_jobs(queue, ["popping"], LONG_AGO) == set()
    queue.connection.rpush(queue.key, "popping")  # as taken_by_a_worker takes it: its execution recorded
    runs_out = taken_by_a_worker(queue, "popping")
    assert lost_jobs(queue, ["popping"], runs_out - timedelta(seconds=1)) == set()
    assert not queue.connection.exists("open360:taken:mail")  # nothing kept of the earlier look


def test_a_lost_job_forgotten_and_queued_again_waits_in_its_queue_with_nothing_left_of_the_dead_one() -> None:
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="again")
    runs_out = taken_by_a_worker(queue, "again")
    forget_jobs(queue, ["again", "never-there"])
    assert queue.connection.zcard(StartedJobRegistry(queue=queue).key) == 0
    assert not queue.connection.exists(ExecutionRegistry(job_id="again", connection=queue.connection).key)
    queue.enqueue("builtins.print", job_id="again")
    assert lost_jobs(queue, ["again"], runs_out + timedelta(days=1)) == set()
    assert queue.job_ids == ["again"]



def while_asked(queue: Queue, monkeypatch, worker: Callable[[], object]) -> None:
    """Have `worker` act on Redis just after lost_jobs's first round trip, as a live worker may."""
    pipeline, acted = queue.connection.pipeline, []

    def pipeline_then_act(*args, **kwargs):
        pipe = pipeline(*args, **kwargs)
        execute = pipe.execute

        def execute_then_act(*a, **k):
            replies = execute(*a, **k)
            if not acted:
                acted.append(True)
                worker()
            return replies

        pipe.execute = execute_then_act
        return pipe

    monkeypatch.setattr(queue.connection, "pipeline", pipeline_then_act)


def test_a_job_a_live_worker_takes_while_the_clock_asks_about_it_is_not_lost(monkeypatch) -> None:
    """Redis is read at one moment: a job still in its queue when its state was read, taken and started by a live
    worker before the queue's list was read, was called lost, deleted from under the worker and queued again (a
    report build run twice at once)."""
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="busy")

    def take() -> None:
        taken_by_a_worker(queue, "busy")
        Job.fetch("busy", connection=queue.connection).set_status("started")

    while_asked(queue, monkeypatch, take)
    assert lost_jobs(queue, ["busy"], LONG_AGO) == set()
    assert Job.fetch("busy", connection=queue.connection).get_status() == "started"


def test_a_build_that_ends_while_the_clock_asks_about_it_is_kept(monkeypatch) -> None:
    """A build that finished between the reads of its state and of its worker's heartbeat was called lost: its
    record deleted and the build queued again."""
    queue = mail_queue()
    queue.enqueue("builtins.print", job_id="ending")
    taken_by_a_worker(queue, "ending")
    Job.fetch("ending", connection=queue.connection).set_status("started")

    def finish() -> None:
        queue.connection.delete(StartedJobRegistry(queue=queue).key)
        Job.fetch("ending", connection=queue.connection).set_status("finished")

    while_asked(queue, monkeypatch, finish)
    assert lost_jobs(queue, ["ending"], LONG_AGO, ended_are_lost=False) == set()
