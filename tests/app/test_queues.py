"""Which queue each job goes to, and in what order a worker takes them (app/queue.py). On the production stack:
tests/stack/test_queues.py."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app import db as unit
from app.accounts import operations as accounts
from app.clock import tick
from app.extensions import db
from app.mail import OutboundMail, delivery_job_id
from app.models import Organisation, Role, User, UserRole
from app.queue import HOUSEKEEPING, MAIL, QUEUES, REPORTS, queue, worker_queues
from app.timeutil import utcnow
from reports.jobs import build_report_job, render_pdfs_job
from tests.fixtures.clock import TestClock
from tests.fixtures.reminders import due_reminders


def test_each_job_names_its_queue_and_a_worker_takes_mail_first() -> None:
    assert (build_report_job.queue_name, render_pdfs_job.queue_name) == (REPORTS, REPORTS)
    assert tick.queue_name == HOUSEKEEPING
    assert QUEUES[:3] == (MAIL, HOUSEKEEPING, REPORTS)


def test_a_password_reset_goes_before_the_reminders_already_queued(tmp_path: Path, clock: TestClock) -> None:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'queues.sqlite3'}",
                              "QUEUE_MODE": "embedded"})  # a real queue that no worker reads
    with app.app_context():
        db.create_all()
        due_reminders(40)
        tick(now=utcnow())  # claims the 40 reminders and queues their deliveries
        person = User(organisation=Organisation(name="Reset Trust"), email="forgetful@reset.example",
                      name="Forgetful", password_hash="x", role_rows=[UserRole(role=Role.OWNER)])
        db.session.add(person)
        unit.commit()
        accounts.request_reset(person.email, utcnow())
        unit.commit()
        reset = db.session.scalar(sa.select(OutboundMail.id).where(OutboundMail.kind == "password_reset"))
        waiting = queue(MAIL).job_ids
        assert len(waiting) == 41 and waiting[0] == delivery_job_id(reset)
        assert queue(REPORTS).count == 0 and [q.name for q in worker_queues(app)] == list(QUEUES)
        db.session.remove()
        db.engine.dispose()
