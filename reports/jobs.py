"""RQ jobs for reports: thin, idempotent, ids in."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app import db as unit
from app.clock import on_tick
from app.crypto import key_ring
from app.db import after_commit
from app.extensions import db
from app.queue import REPORTS, enqueue, forget_jobs, job, lost_jobs, on_worker_start, queue
from reports import envelope
from reports.build import build_report, missing_files, render_missing_files
from reports.files import file_report_id, report_files
from reports.models import Report
from surveys.cycle import CycleState
from surveys.models import Cycle


@job(queue_name=REPORTS)
def build_report_job(cycle_id: int) -> str:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or (report := build_report(cycle)) is None:
        unit.commit()  # a round found with no response has ended (build_report): kept, or the clock builds it again
        return "nothing to build"
    unit.commit()
    report_id = report.id
    enqueue(render_pdfs_job, report_id, job_timeout=600)
    return "built"


@job(queue_name=REPORTS)
def render_pdfs_job(report_id: int) -> str:
    """A sealed report's files, each rendered once (a read may have rendered one already): the page's two fixed
    bodies, then the two PDFs. The name is older than the pages: a job queued by name survives an upgrade."""
    report = db.session.get(Report, report_id)
    if report is None:
        return "no such report"
    return f"rendered {render_missing_files(report, report_files().names())} files"


def enqueue_build_on_close(cycle: Cycle) -> None:
    """Receiver of surveys.signals.round_closed: build once the closing transaction has committed."""
    cycle_id = cycle.id
    after_commit(lambda: enqueue_build(cycle_id))


def build_job_id(cycle_id: int) -> str:
    """One name for a round's build, so the clock can ask Redis whether it still holds it."""
    return f"report-build-{cycle_id}"


_HELD = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


def enqueue_build(cycle_id: int) -> None:
    """Queue a round's build unless Redis holds it waiting or running already (a worker's start asks again for every
    round without a report): the same id queued twice would run twice and keep only the second run's record."""
    reports_queue = queue(REPORTS)
    try:
        if Job.fetch(build_job_id(cycle_id), connection=reports_queue.connection).get_status() in _HELD:
            return
    except NoSuchJobError:
        pass
    enqueue(build_report_job, cycle_id, job_timeout=600, job_id=build_job_id(cycle_id))


# A closing commit is given this long to reach Redis with its build before the clock calls the build stranded.
BUILD_STRANDED_AFTER = timedelta(minutes=5)


@on_tick
def requeue_stranded_builds(now: datetime) -> int:
    """Queue again the build of each round closed a while ago and still without a report whose job Redis will never
    run: the close's enqueue failed (Redis was down; the close is saved all the same), Redis restarted empty, or a
    worker died holding it (app.queue lost_jobs). A build that waits, runs on a live worker, or has ended is left
    alone, a failed one included: it is there to be read, not retried each minute (a worker's start retries every
    missing build)."""
    ids = list(db.session.scalars(
        sa.select(Cycle.id).outerjoin(Report, Report.cycle_id == Cycle.id)
        .where(Cycle.state == CycleState.CLOSED, Report.id.is_(None), Cycle.closed_at < now - BUILD_STRANDED_AFTER)))
    db.session.commit()
    if not ids:
        return 0
    jobs = {build_job_id(cycle_id): cycle_id for cycle_id in ids}
    stranded = list(lost_jobs(queue(REPORTS), list(jobs), now - BUILD_STRANDED_AFTER, ended_are_lost=False))
    forget_jobs(queue(REPORTS), stranded)
    for job_id in stranded:
        enqueue(build_report_job, jobs[job_id], job_timeout=600, job_id=job_id)
    return len(stranded)


@on_worker_start
def enqueue_missing_builds() -> int:
    """Closed rounds without a report, and reports without their files (a queue lost on restart, or a report built
    before its pages were kept): finish them now."""
    ids = db.session.scalars(
        sa.select(Cycle.id).outerjoin(Report, Report.cycle_id == Cycle.id)
        .where(Cycle.state == CycleState.CLOSED, Report.id.is_(None))).all()
    for cycle_id in ids:
        enqueue_build(cycle_id)
    stored = report_files().names()  # before the ids: a file is written only for a report already committed
    report_ids = set(db.session.scalars(sa.select(Report.id)))
    forget_orphans(stored, report_ids)
    unrendered = [report_id for report_id in report_ids if missing_files(report_id, stored)]
    for report_id in unrendered:
        enqueue(render_pdfs_job, report_id, job_timeout=600)
    return len(ids) + len(unrendered)


def forget_orphans(stored: set[str], report_ids: set[int]) -> None:
    """Delete the files of reports that are gone: their deletion removes them after it commits, so a process that
    died in between left them (sealed, but a backup from before and the master keys would open them, and their
    names and sizes say the report existed)."""
    report_files().delete(name for name in stored if file_report_id(name) not in report_ids)


def rewrap_report_keys(batch_size: int = 100) -> str:
    """Re-wrap every report's data key under the primary master key: small batches of keys only (never the sealed
    parts), each written with compare-and-swap so a concurrent change is never overwritten."""
    ring = key_ring()
    rewrapped = total = 0
    after = 0
    while True:
        rows = db.session.execute(sa.select(Report.id, Report.wrapped_key).where(Report.id > after)
                                  .order_by(Report.id).limit(batch_size)).all()
        db.session.rollback()
        if not rows:
            break
        total, after = total + len(rows), rows[-1][0]
        for report_id, wrapped in rows:
            if envelope.wrapping_key_id(wrapped) == ring.primary_id:
                continue
            swapped = db.session.execute(sa.update(Report).where(Report.id == report_id, Report.wrapped_key == wrapped)
                                         .values(wrapped_key=envelope.rewrap(ring, report_id, wrapped)))
            rewrapped += swapped.rowcount
        db.session.commit()
    return f"Re-wrapped {rewrapped} of {total} report keys under '{ring.primary_id}'."
