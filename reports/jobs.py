"""RQ jobs for reports: thin, idempotent, ids in."""

from __future__ import annotations

import sqlalchemy as sa

from app import db as unit
from app.crypto import key_ring
from app.db import after_commit
from app.extensions import db
from app.queue import enqueue, job, on_worker_start
from reports import envelope
from reports.build import build_report
from reports.models import Report
from surveys.cycle import CycleState
from surveys.models import Cycle


@job
def build_report_job(cycle_id: int) -> str:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or build_report(cycle) is None:
        return "nothing to build"
    unit.commit()
    return "built"


def enqueue_build_on_close(cycle: Cycle) -> None:
    """Receiver of surveys.signals.round_closed: build once the closing transaction has committed."""
    cycle_id = cycle.id
    after_commit(lambda: enqueue(build_report_job, cycle_id, job_timeout=600))


@on_worker_start
def enqueue_missing_builds() -> int:
    """Closed rounds without a report (a queue lost on restart): build them now."""
    ids = db.session.scalars(
        sa.select(Cycle.id).outerjoin(Report, Report.cycle_id == Cycle.id)
        .where(Cycle.state == CycleState.CLOSED, Report.id.is_(None))).all()
    for cycle_id in ids:
        enqueue(build_report_job, cycle_id, job_timeout=600)
    return len(ids)


def rewrap_report_keys() -> str:
    """Re-wrap every report's data key under the primary master key, one report per transaction."""
    ring = key_ring()
    ids = db.session.scalars(sa.select(Report.id).order_by(Report.id)).all()
    rewrapped = 0
    for report_id in ids:
        report = db.session.get(Report, report_id)
        if report is None or envelope.wrapping_key_id(report.wrapped_key) == ring.primary_id:
            continue
        report.wrapped_key = envelope.rewrap(ring, report.id, report.wrapped_key)
        db.session.commit()
        rewrapped += 1
    return f"Re-wrapped {rewrapped} of {len(ids)} report keys under '{ring.primary_id}'."
