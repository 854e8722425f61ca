"""Check-in reminders under faults, on the real stack (as tests/stack/test_reminder_faults.py does for a round's):
`flask worker` and `flask clock` processes, a real Redis, a shared database and a real SMTP server. A hundred
check-in reminders fall due at once; two clocks and two workers, or a worker killed mid-batch, send each once (the
kill allows the one mail in flight to go again, as itself)."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from rq import Worker

from app import clock
from app import db as unit
from app.extensions import db
from app.mail import OutboundMail
from app.models import Organisation, Role, User, UserRole
from app.timeutil import today, utcnow
from facilitator.models import Summary
from followup.checkin.models import CheckIn, CheckInRater
from followup.checkin.operations import REMINDER_KIND
from followup.checkin.rules import CheckInState
from surveys.cycle import CycleState
from surveys.models import Cycle, InvitationStatus
from tests.stack.conftest import Stack
from tests.stack.processes import wait_for
from tests.stack.test_reminder_faults import (
    message_ids,
    nothing_in_flight,
    smtp_sessions,
    tick_after_the_lease,
    with_the_clock,
)

DUE = 100
PER_CHECKIN = 20
SUBJECT_END = "asks how their goals are going"  # not the owners' own evaluation reminders


def seed() -> set[str]:
    """Raters of open check-ins, asked 6 days ago and not yet replied: each is due their first reminder."""
    organisation = Organisation(name="Check-in Trust", email_domains=["checkin.example"])
    asked_at = utcnow() - timedelta(days=6)
    emails = set()
    for n in range(DUE // PER_CHECKIN):
        owner = User(organisation=organisation, email=f"owner{n}@checkin.example", name=f"Owner {n}",
                     password_hash="x", role_rows=[UserRole(role=Role.OWNER)])
        cycle = Cycle(owner=owner, state=CycleState.SUMMARY_AGREED, questionnaire_version="2026.1",
                      close_on=today() - timedelta(days=120))
        summary = Summary(cycle=cycle, version=1, status="agreed", agreed_at=asked_at - timedelta(days=90),
                          content={"goals": [{"key": f"{g:032x}", "what": f"Goal {g}"} for g in range(3)]})
        db.session.add(summary)
        db.session.flush()
        checkin = CheckIn(cycle_id=cycle.id, summary_id=summary.id, state=CheckInState.OPEN,
                          close_on=today() + timedelta(days=14), sent_at=asked_at)
        db.session.add(checkin)
        db.session.flush()
        for r in range(PER_CHECKIN):
            email = f"asked{n}.{r}@checkin.example"
            emails.add(email)
            db.session.add(CheckInRater(checkin_id=checkin.id, name=f"Asked {n}.{r}", email=email,
                                        status=InvitationStatus.INVITED, invited_at=asked_at))
    unit.commit()
    return emails


def received(stack: Stack) -> Counter[str]:
    with stack.smtp.lock:
        return Counter(m["To"] for m in stack.smtp.messages
                       if m["Subject"].startswith("Reminder: ") and m["Subject"].endswith(SUBJECT_END))


def sent() -> set[str]:
    emails = set(db.session.scalars(sa.select(CheckInRater.email).join(OutboundMail, OutboundMail.ref_id ==
                                                                        CheckInRater.id)
                                    .where(OutboundMail.kind == REMINDER_KIND, OutboundMail.status == "sent")))
    db.session.commit()
    return emails


def test_two_clocks_and_two_workers_send_each_check_in_reminder_once(stack: Stack) -> None:
    emails = seed()
    started = time.monotonic()
    for _ in range(2):
        stack.processes.start("worker")
    wait_for(lambda: len(Worker.all(queue=stack.queue)) == 2, 60, "two workers", stack.processes)
    for _ in range(2):
        stack.processes.start("clock")
    wait_for(lambda: set(received(stack)) == emails and sent() == emails, 120, "every reminder to arrive",
             stack.processes)
    wait_for(lambda: nothing_in_flight(stack), 30, "the queue to empty and the workers to go idle", stack.processes)
    print(f"\ncheck-ins, two clocks, two workers: all {DUE} once in {time.monotonic() - started:.1f} s")
    assert received(stack) == Counter({email: 1 for email in emails})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)
                             .where(OutboundMail.kind == REMINDER_KIND)) == DUE


def test_a_worker_killed_mid_batch_loses_no_check_in_reminder(stack: Stack) -> None:
    emails = seed()
    clock.tick()
    first = stack.processes.start("worker")
    wait_for(lambda: sum(received(stack).values()) >= DUE // 5, 60, "the first worker to send some",
             stack.processes)
    time.sleep(random.uniform(0, 0.1))
    stack.processes.kill(first)
    wait_for(lambda: smtp_sessions(stack.smtp) == 0, 10, "the SMTP server to end the killed worker's session",
             stack.processes)
    at_kill = received(stack)
    in_flight = set(at_kill) - sent()
    assert 0 < sum(at_kill.values()) < DUE and len(in_flight) <= 1
    stack.processes.start("worker")
    tick_after_the_lease()
    wait_for(with_the_clock(lambda: set(received(stack)) == emails and sent() == emails), 120,
             "every reminder to arrive", stack.processes)
    counts = received(stack)
    duplicates = {email for email, n in counts.items() if n > 1}
    assert duplicates <= in_flight and all(len(message_ids(stack.smtp, e)) == 1 for e in duplicates)
    assert all(n <= 2 for n in counts.values())
