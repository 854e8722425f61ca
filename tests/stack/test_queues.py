"""The three queues on the production stack (app/queue.py): real `flask worker` and `flask clock` processes, a real
Redis, the shared database and a real SMTP server.

- Two workers and two clocks at once, with reminders due, rounds to close on their date, rounds closed early whose
  builds each worker's start queues again, and password resets: every mail arrives once, every report is built
  once (one build job says "built" per round, whatever duplicates were queued) and its files rendered once.
- A password-reset mail asked for while 200 report builds wait in the reports queue arrives while they still wait.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from rq import Worker
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from app import db as unit
from app.accounts import operations as accounts
from app.extensions import db
from app.mail import OutboundMail, Status
from app.models import Organisation, Role, User, UserRole
from app.queue import REPORTS, queue_of
from app.timeutil import today, utcnow
from reports.build import missing_files
from reports.files import report_files
from reports.models import Report
from surveys import operations
from surveys.models import Cycle, Invitation, InvitationStatus
from tests.fixtures.answers import answer
from tests.fixtures.reminders import due_reminders
from tests.fixtures.rounds import rater_entries, rater_rows
from tests.stack.conftest import Stack
from tests.stack.processes import wait_for
from tests.stack.test_reminder_faults import nothing_in_flight

RESET_SUBJECT = "Reset your Open360 password"


def owners(count: int, prefix: str) -> list[User]:
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Queue Trust")) or \
        Organisation(name="Queue Trust", email_domains=["queue.example"])
    people = [User(organisation=organisation, email=f"{prefix}{n}@queue.example", name=f"Owner {prefix} {n}",
                   password_hash="x", role_rows=[UserRole(role=Role.OWNER)]) for n in range(count)]
    db.session.add_all(people)
    unit.commit()
    return people


def answered_round(owner: User, raters: dict[str, int], seed: int, mail: bool = True) -> Cycle:
    """An open round whose raters have all answered; `mail=False` invites them without queueing invitations."""
    cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
    entries = rater_entries(rater_rows(raters, lambda group, n: f"{group}{n}.{owner.id}@queue.example"))
    if mail:
        operations.add_raters(cycle, entries)
        operations.open_round(cycle, today())
    else:
        for entry in entries:
            db.session.add(Invitation(cycle=cycle, name=entry.name, email=entry.email, category=entry.category,
                                      status=InvitationStatus.INVITED, invited_at=utcnow()))
        cycle.state = cycle.state.OPEN
        cycle.opened_at = utcnow()
    db.session.flush()
    answer(cycle, random.Random(seed))
    unit.commit()
    return cycle


def finished(stack: Stack, name: str, function: str) -> Counter[str]:
    """What each finished job of `function` on queue `name` returned, by its first argument."""
    q = queue_of(stack.app, name)
    jobs = Job.fetch_many(FinishedJobRegistry(queue=q).get_job_ids(), connection=q.connection)
    return Counter(f"{job.args[0]}:{job.return_value()}" for job in jobs if job and job.func_name.endswith(function))


def mails(stack: Stack) -> Counter[tuple[str, str]]:
    with stack.smtp.lock:
        return Counter((m["To"], m["Subject"]) for m in stack.smtp.messages)


def test_two_workers_and_two_clocks_send_every_mail_once_and_build_every_report_once(stack: Stack) -> None:
    reminded = due_reminders(60)
    closing = [answered_round(owner, {"peer": 3, "direct_report": 3}, n)
               for n, owner in enumerate(owners(3, "closing"))]
    for cycle in closing:  # the clock closes these: their close date has passed
        cycle.close_on = today() - timedelta(days=1)
    early = [answered_round(owner, {"peer": 3, "manager": 1}, 10 + n) for n, owner in enumerate(owners(3, "early"))]
    for cycle in early:  # closed now: each build is queued now, and again by each worker's start
        operations.close_round_early(cycle)
    unit.commit()
    resetting = owners(3, "reset")
    for person in resetting:
        accounts.request_reset(person.email, utcnow())
    unit.commit()
    rounds = {cycle.id for cycle in closing + early}
    started = time.monotonic()

    for _ in range(2):
        stack.processes.start("worker")
    wait_for(lambda: len(Worker.all(connection=stack.queue.connection)) == 2, 60, "two workers", stack.processes)
    for _ in range(2):
        stack.processes.start("clock")

    def reports_done() -> bool:
        ids = db.session.scalars(sa.select(Report.id).where(Report.cycle_id.in_(rounds))).all()
        db.session.commit()
        stored = report_files().names()  # files, in the folder the workers share with this test
        return len(ids) == len(rounds) and not any(missing_files(report_id, stored) for report_id in ids)

    wait_for(reports_done, 240, "every report built with its pages and PDFs", stack.processes)

    def outbox_done() -> bool:
        left = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail).where(
            OutboundMail.status.not_in([Status.SENT, Status.CANCELLED])))
        db.session.commit()
        return left == 0

    wait_for(outbox_done, 120, "every mail sent", stack.processes)
    wait_for(lambda: nothing_in_flight(stack), 60, "the queues to empty and the workers to go idle", stack.processes)
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)
                             .where(OutboundMail.status == Status.SENT))
    kinds = Counter(db.session.scalars(sa.select(OutboundMail.kind).where(OutboundMail.status == Status.SENT)))
    with stack.smtp.lock:
        received = Counter(m["Message-ID"] for m in stack.smtp.messages)
        recipients = {(m["To"], m["Subject"]) for m in stack.smtp.messages}
    print(f"\ntwo workers, two clocks: {sent} mails ({dict(kinds)}) and {len(rounds)} reports with their PDFs "
          f"in {time.monotonic() - started:.1f} s")
    assert [key for key, n in received.items() if n > 1] == []  # every mail once
    assert len(received) == sent
    assert reminded <= {to for to, _ in recipients}
    assert {(p.email, RESET_SUBJECT) for p in resetting} <= recipients
    assert kinds["report_ready"] == len(rounds) and kinds["round_closed"] == len(rounds)
    built = finished(stack, REPORTS, "build_report_job")
    assert sorted(key for key in built if key.endswith(":built")) == sorted(f"{c}:built" for c in rounds)
    assert all(n == 1 for key, n in built.items() if key.endswith(":built"))  # each round built by one job
    rendered = finished(stack, REPORTS, "render_pdfs_job")
    assert sum(n for key, n in rendered.items() if key.endswith(":rendered 4 files")) == len(rounds)
    # no file rendered by two jobs: each job rendered all four (two page bodies, two PDFs) or none
    assert not [key for key in rendered if re.search(r":rendered [123] files$", key)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)
                             .where(Report.cycle_id.in_(rounds))) == len(rounds)
    # A build that lost the race to the same round's other job fails on the unique report, and nothing else fails.
    failed = FailedJobRegistry(queue=queue_of(stack.app, REPORTS)).get_job_ids()
    assert len(failed) <= len(rounds)


def test_a_reset_mail_is_delivered_while_200_report_builds_wait(stack: Stack) -> None:
    burst = 200
    cycles = [answered_round(owner, {"peer": 1}, n, mail=False) for n, owner in enumerate(owners(burst, "burst"))]
    for cycle in cycles:
        operations.close_round_early(cycle)  # each queues its build once this commits: a close date's burst
    unit.commit()
    reports = queue_of(stack.app, REPORTS)
    assert reports.count == burst
    [person] = owners(1, "forgetful")
    worker = [sys.executable, "-m", "flask", "--app", "app", "worker"]  # every queue, mail first
    stack.processes.start("worker", argv=worker, env=stack.processes.env)

    def built() -> int:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Report)) or 0
        db.session.commit()
        return count

    wait_for(lambda: built() >= 2, 120, "the worker to be busy with the builds", stack.processes)
    asked = time.monotonic()
    accounts.request_reset(person.email, utcnow())
    unit.commit()
    wait_for(lambda: (person.email, RESET_SUBJECT) in mails(stack), 60, "the reset mail", stack.processes)
    waited, waiting = time.monotonic() - asked, reports.count
    print(f"\nreset mail delivered {waited:.2f} s after it was asked for, with {waiting} report jobs still queued")
    assert waiting >= burst // 2  # it did not wait for the burst to drain
