"""Reminders under faults, on the real stack: `flask worker` and `flask clock` processes, a real Redis, a shared
database (the run's PostgreSQL when TEST_DATABASE_URL is set, else a SQLite file) and a real SMTP server.

200 reminders fall due at once. A worker killed mid-batch, two workers and two clocks at once, and the SMTP server
down for a while: every reminder arrives, and arrives once.

A worker killed while sending leaves its mail claimed (`sending`); once the claim's lease has run out, the clock
puts it back in the queue. One window is left, and the tests measure it rather than hide it: a worker killed after
the SMTP server took a message and before its reply arrived cannot know the message went, so the mail goes again,
with the same Message-ID (by which mail systems fold a repeat). The kill test allows exactly that (at most the one
mail in flight at the kill) and nothing else; the last test makes the window happen on purpose.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from rq import Worker
from rq.registry import StartedJobRegistry

from app import clock
from app.extensions import db
from app.mail import SEND_LEASE, STRANDED_AFTER, OutboundMail, requeue_stranded
from app.queue import worker_queues
from app.timeutil import utcnow
from surveys.models import Invitation
from tests.fixtures.reminders import due_reminders
from tests.fixtures.smtp import MailCatcher, _Handler
from tests.stack.conftest import Stack
from tests.stack.processes import wait_for

DUE = 200
PER_ROUND = 20
SUBJECT_START = "Reminder: "


def seed_due_reminders(count: int = DUE) -> set[str]:
    return due_reminders(count, PER_ROUND)


def received(smtp: MailCatcher) -> Counter[str]:
    with smtp.lock:
        return Counter(m["To"] for m in smtp.messages if m["Subject"].startswith(SUBJECT_START))


def message_ids(smtp: MailCatcher, email: str) -> set[str]:
    with smtp.lock:
        return {m["Message-ID"] for m in smtp.messages if m["To"] == email}


def tick_after_the_lease() -> None:
    """The clock, as it will run once a killed worker's claims have expired: it queues their mail again."""
    clock.tick(now=utcnow() + SEND_LEASE + SEND_LEASE)


def with_the_clock(condition: Callable[[], bool]) -> Callable[[], bool]:
    """`condition`, polled while the clock goes on ticking as it does in production: each poll re-queues what has
    been stranded for longer than STRANDED_AFTER (a retry the killed worker's scheduler was to queue included)."""
    def polled() -> bool:
        requeue_stranded(utcnow() + STRANDED_AFTER + timedelta(seconds=30))
        return condition()

    return polled


def outbox(status: str) -> set[str]:
    """Emails of raters whose reminder row has this status, as the database says now."""
    emails = set(db.session.scalars(sa.select(Invitation.email).join(OutboundMail, OutboundMail.ref_id == Invitation.id)
                                    .where(OutboundMail.kind == "reminder", OutboundMail.status == status)))
    db.session.commit()  # end the read, so the next one sees the workers' latest commits
    return emails


def smtp_sessions(smtp: MailCatcher) -> int:
    """SMTP sessions the server is still handling. A session's task ends only after it has taken every line its
    client got out, so none left means the server holds all it will ever get from a client that died."""
    async def count() -> int:
        return sum(1 for task in asyncio.all_tasks() if "_handle_client" in task.get_coro().__qualname__)  # type: ignore[union-attr]

    return asyncio.run_coroutine_threadsafe(count(), smtp.controller.loop).result(5)


def nothing_in_flight(stack: Stack) -> bool:
    """No job waiting in any queue or running, and every worker idle: nothing more can reach the SMTP server."""
    queues = worker_queues(stack.app)
    return (all(q.count == 0 and not StartedJobRegistry(queue=q).get_job_ids() for q in queues)
            and all(w.get_state() != "busy" for w in Worker.all(connection=stack.queue.connection)))


def all_delivered(stack: Stack, emails: set[str]) -> bool:
    return set(received(stack.smtp)) == emails and outbox("sent") == emails


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_mail_in_flight(stack: Stack) -> None:
    emails = seed_due_reminders()
    started = time.monotonic()
    clock.tick()  # claims the 200 and queues their delivery in Redis
    first = stack.processes.start("worker")
    wait_for(lambda: sum(received(stack.smtp).values()) >= DUE // 5, 60, "the first worker to send some",
             stack.processes)
    time.sleep(random.uniform(0, 0.1))  # about one job's time: the kill lands anywhere in a job
    stack.processes.kill(first)
    # Let the SMTP server finish taking any message whose last line was already sent: a condition, not a pause.
    wait_for(lambda: smtp_sessions(stack.smtp) == 0, 10, "the SMTP server to end the killed worker's session",
             stack.processes)
    at_kill = received(stack.smtp)
    in_flight = set(at_kill) - outbox("sent")  # accepted by SMTP, not marked sent: the window
    assert 0 < sum(at_kill.values()) < DUE, "the worker was not killed mid-batch"
    assert len(in_flight) <= 1, in_flight  # one job at a time per worker

    stack.processes.start("worker")  # its start hook re-queues what is still pending
    tick_after_the_lease()  # and the clock, later, what the killed worker had claimed
    wait_for(with_the_clock(lambda: all_delivered(stack, emails)), 120, "every reminder to arrive", stack.processes)
    counts = received(stack.smtp)
    duplicates = {email for email, n in counts.items() if n > 1}
    assert all(len(message_ids(stack.smtp, email)) == 1 for email in duplicates)  # a repeat says it is one
    print(f"\nkill test: {sum(at_kill.values())} sent before the kill, {len(in_flight)} in flight, "
          f"{len(duplicates)} duplicate(s), all {DUE} in {time.monotonic() - started:.1f} s")
    assert set(counts) == emails  # nothing lost
    assert duplicates <= in_flight  # nothing repeated but the mail the killed worker had in flight
    assert all(n <= 2 for n in counts.values())


def test_two_clocks_and_two_workers_at_once_send_each_reminder_once(stack: Stack) -> None:
    emails = seed_due_reminders()
    started = time.monotonic()
    for _ in range(2):
        stack.processes.start("worker")
    wait_for(lambda: len(Worker.all(queue=stack.queue)) == 2, 60, "two workers", stack.processes)
    for _ in range(2):
        stack.processes.start("clock")  # each enqueues a tick as it starts
    wait_for(lambda: all_delivered(stack, emails), 120, "every reminder to arrive", stack.processes)
    # Would a second tick, or a second copy of a job, send anything more? Not once nothing is queued or running.
    wait_for(lambda: nothing_in_flight(stack), 30, "the queue to empty and the workers to go idle", stack.processes)
    counts = received(stack.smtp)
    print(f"\ntwo clocks, two workers: all {DUE} once in {time.monotonic() - started:.1f} s")
    assert counts == Counter({email: 1 for email in emails})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)) == DUE


def test_smtp_down_for_a_while_then_back_loses_nothing_and_sends_once(stack: Stack) -> None:
    emails = seed_due_reminders()
    started = time.monotonic()
    stack.smtp.stop()
    stack.processes.start("worker")
    clock.tick()

    def failed() -> int:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)
                                  .where(OutboundMail.last_error.is_not(None)))
        db.session.commit()
        return count or 0

    wait_for(lambda: failed() >= DUE // 4, 60, "deliveries to fail while SMTP is down", stack.processes)
    down_for = time.monotonic() - started
    assert received(stack.smtp) == Counter()
    stack.smtp.restart()
    wait_for(lambda: all_delivered(stack, emails), 120, "every reminder to arrive after SMTP came back",
             stack.processes)
    wait_for(lambda: nothing_in_flight(stack), 30, "the queue to empty and the workers to go idle", stack.processes)
    attempts = Counter(db.session.scalars(sa.select(OutboundMail.attempts)))
    print(f"\nSMTP down {down_for:.1f} s: all {DUE} once, {time.monotonic() - started:.1f} s in all; "
          f"attempts per mail: {dict(sorted(attempts.items()))}")
    assert received(stack.smtp) == Counter({email: 1 for email in emails})
    assert sum(n for tries, n in attempts.items() if tries >= 2) >= DUE // 4  # failed, were kept, went on a retry


class _SlowToReply(_Handler):
    """Takes the whole message, then waits before saying "250 OK" to the `nth` one: long enough to kill the worker
    after the server has the message and before the worker hears it was accepted."""

    def __init__(self, sink: MailCatcher, nth: int, holding: threading.Event, replied: threading.Event) -> None:
        super().__init__(sink)
        self.nth, self.seen, self.holding, self.replied = nth, 0, holding, replied

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.seen += 1
        reply = await super().handle_DATA(server, session, envelope)
        if self.seen == self.nth:
            self.holding.set()
            try:
                await asyncio.sleep(1.5)
            finally:  # also when the session is cut off: aiosmtpd cancels the wait once the client has gone
                self.replied.set()
        return reply


def test_a_mail_whose_worker_died_waiting_for_the_servers_reply_goes_again_only_after_its_lease_and_as_itself(
        stack: Stack) -> None:
    emails = seed_due_reminders(PER_ROUND)
    holding, replied = threading.Event(), threading.Event()
    stack.smtp.stop()
    stack.smtp.controller = Controller(_SlowToReply(stack.smtp, 5, holding, replied), hostname="127.0.0.1",
                                       port=stack.smtp.port)
    stack.smtp.controller.start()
    clock.tick()
    worker = stack.processes.start("worker")
    wait_for(holding.is_set, 60, "the fifth mail to reach the SMTP server", stack.processes)
    stack.processes.kill(worker)
    wait_for(replied.is_set, 10, "the server to finish with the fifth mail, replying to nobody", stack.processes)
    [cut_off] = set(received(stack.smtp)) - outbox("sent")
    stack.processes.start("worker")
    others = emails - {cut_off}
    wait_for(lambda: set(received(stack.smtp)) == emails and outbox("sent") == others, 60,
             "every other reminder to arrive", stack.processes)
    assert received(stack.smtp)[cut_off] == 1 and outbox("sending") == {cut_off}  # claimed: no new worker takes it

    tick_after_the_lease()
    wait_for(lambda: all_delivered(stack, emails), 60, "the cut-off reminder to go again", stack.processes)
    assert received(stack.smtp) == Counter({email: 1 for email in others} | {cut_off: 2})
    assert len(message_ids(stack.smtp, cut_off)) == 1
    assert db.session.scalar(sa.select(OutboundMail.interrupted).where(OutboundMail.interrupted > 0)) == 1
