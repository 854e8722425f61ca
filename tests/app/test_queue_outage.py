"""With Redis away (a real client pointed at a port nobody listens on), sign-in still works and still throttles, a
saved change is never reported as a failure, the health check says what is down, and the clock queues the mail that
never reached the queue once it is back (PRODUCT §8). On the production stack: tests/stack/test_redis_outage.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import fakeredis
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from rq.job import Job

from app import clock as app_clock
from app.extensions import db
from app.mail import OutboundMail, Status, delivery_job_id, requeue_stranded
from app.models import User
from app.queue import HOUSEKEEPING, MAIL, queue_of
from app.timeutil import utcnow
from surveys.models import Cycle, Invitation
from tests.conftest import post_form
from tests.fixtures.clock import TestClock
from tests.fixtures.people import sign_in
from tests.fixtures.smtp import MailCatcher, free_port


@pytest.fixture
def outage(app: Flask) -> Iterator[Callable[[bool], None]]:
    """`outage(True)` takes Redis away; `outage(False)` brings back an empty one (as after a restart)."""
    working = app.extensions["open360_queue"]

    def switch(down: bool) -> None:
        if down:
            gone = redis.Redis(port=free_port(), socket_connect_timeout=1)
            app.extensions["open360_queue"] = Queue(HOUSEKEEPING, connection=gone, is_async=False)
        else:
            empty = fakeredis.FakeRedis(server=fakeredis.FakeServer())
            app.extensions["open360_queue"] = Queue(HOUSEKEEPING, connection=empty, is_async=False)

    yield switch
    app.extensions["open360_queue"] = working


def pending() -> list[OutboundMail]:
    return list(db.session.scalars(sa.select(OutboundMail).where(OutboundMail.status == Status.PENDING)))


def test_sign_in_works_and_throttles_while_redis_is_down(app: Flask, owner: User,
                                                         outage: Callable[[bool], None]) -> None:
    app.config["THROTTLE_ENABLED"] = True
    outage(True)
    statuses = [sign_in(app.test_client(), owner, f"guess {n}").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    app.config["THROTTLE_ENABLED"] = False
    assert sign_in(app.test_client(), owner).status_code == 302


def test_a_rater_added_while_redis_is_down_is_saved_said_so_and_invited_once_it_is_back(
        owner_client: FlaskClient, open_round: Cycle, outage: Callable[[bool], None], mailbox: MailCatcher,
        clock: TestClock) -> None:
    mailbox.clear()
    outage(True)
    data = {"add-name": "Sam Patel", "add-email": "sam@trust.example", "add-category": "peer"}
    response = post_form(owner_client, "/round/raters", data, prefix="add")
    assert response.status_code == 302  # saved, and told so: not a 500
    assert db.session.scalar(sa.select(Invitation).where(Invitation.email == "sam@trust.example")) is not None
    assert [mail.kind for mail in pending()] == ["invitation"]
    health = owner_client.get("/healthz")
    assert health.status_code == 503 and health.json == {"status": "down", "database": "ok", "queue": "down",
                                                          "mail_late": False}

    outage(False)  # back, and empty
    assert requeue_stranded(utcnow()) == 0  # not yet: it might still be on its way to the queue
    clock.advance(minutes=2)
    assert app_clock.run_tick_hooks(utcnow())  # the tick's hooks, as the clock's job runs them
    assert [m["To"] for m in mailbox.messages] == ["sam@trust.example"]
    assert pending() == []
    assert requeue_stranded(utcnow() + timedelta(hours=1)) == 0  # nothing left to send, nothing sent twice
    assert len(mailbox.messages) == 1
    assert owner_client.get("/healthz").json["status"] == "ok"


def test_a_forgotten_password_asked_for_while_redis_is_down_is_sent_once_it_is_back(
        client: FlaskClient, owner: User, outage: Callable[[bool], None], mailbox: MailCatcher,
        clock: TestClock) -> None:
    mailbox.clear()
    outage(True)
    response = post_form(client, "/forgot-password", {"email": owner.email})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    outage(False)
    clock.advance(minutes=2)
    assert requeue_stranded(utcnow()) == 1
    assert [m["To"] for m in mailbox.messages] == [owner.email]


def reset_mail_waiting_in_a_queue_no_worker_reads(app: Flask, client: FlaskClient, owner: User,
                                                  mailbox: MailCatcher) -> None:
    app.extensions["open360_queue"] = Queue(HOUSEKEEPING, connection=fakeredis.FakeRedis(server=fakeredis.FakeServer()),
                                            is_async=True)
    mailbox.clear()
    post_form(client, "/forgot-password", {"email": owner.email})


def test_a_mail_whose_job_is_waiting_in_the_queue_is_left_alone(app: Flask, owner: User, client: FlaskClient,
                                                                clock: TestClock, mailbox: MailCatcher) -> None:
    reset_mail_waiting_in_a_queue_no_worker_reads(app, client, owner, mailbox)
    clock.advance(minutes=5)
    assert requeue_stranded(utcnow()) == 0  # its job is queued: a worker will come to it
    app.extensions["open360_queue"].connection.flushall()  # Redis restarted empty
    assert requeue_stranded(utcnow()) == 1
    assert requeue_stranded(utcnow()) == 0  # queued once more, and now waiting again
    assert mailbox.messages == []


def test_a_mail_whose_job_a_killed_worker_took_off_the_queue_is_queued_again(
        app: Flask, owner: User, client: FlaskClient, clock: TestClock, mailbox: MailCatcher) -> None:
    reset_mail_waiting_in_a_queue_no_worker_reads(app, client, owner, mailbox)
    clock.advance(minutes=5)
    mail = queue_of(app, MAIL)
    assert mail.connection.lpop(mail.key)  # a worker's BLPOP, and the worker killed before it marked the job
    [waiting] = pending()
    assert Job.fetch(delivery_job_id(waiting.id), connection=mail.connection).get_status() == "queued"  # in no list
    assert requeue_stranded(utcnow()) == 0  # or its worker is about to record it: lost when so at the next tick too
    clock.advance(minutes=1)
    assert requeue_stranded(utcnow()) == 1
    assert len(mail.job_ids) == 1 and requeue_stranded(utcnow()) == 0  # waiting in its queue again


def test_the_health_check_reports_each_dependency_and_late_mail(client: FlaskClient, owner: User,
                                                                outage: Callable[[bool], None],
                                                                clock: TestClock) -> None:
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "queue": "ok", "mail_late": False}
    outage(True)
    post_form(client, "/forgot-password", {"email": owner.email})
    clock.advance(minutes=20)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["mail_late"] is True and response.json["queue"] == "down"


def test_a_round_closed_while_redis_is_down_gets_its_report_from_the_clock_once_it_is_back(
        owner: User, create_round: Callable[..., Cycle], outage: Callable[[bool], None], clock: TestClock) -> None:
    import random

    from app import db as unit
    from reports.jobs import requeue_stranded_builds
    from reports.models import Report
    from surveys import operations
    from tests.fixtures.answers import answer
    from tests.fixtures.reports import pdfs_left_to_first_download
    from tests.fixtures.rounds import rater_rows

    cycle = create_round(owner, rater_rows({"peer": 3, "direct_report": 3}))
    answer(cycle, random.Random(3))
    outage(True)
    operations.close_round_early(cycle)
    unit.commit()  # saved: its build never reached the queue
    assert db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id)) is None

    outage(False)  # back, and empty
    clock.advance(minutes=2)
    assert requeue_stranded_builds(utcnow()) == 0  # not yet: it might still be on its way to the queue
    clock.advance(minutes=5)
    with pdfs_left_to_first_download():
        assert requeue_stranded_builds(utcnow()) == 1  # the test queue runs it at once
    assert db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id)) is not None
    assert requeue_stranded_builds(utcnow()) == 0


def test_a_build_redis_still_holds_is_not_queued_again_and_one_a_killed_worker_took_is(
        owner: User, create_round: Callable[..., Cycle], clock: TestClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from app import db as unit
    from app.queue import REPORTS, queue
    from reports import jobs
    from reports.models import Report
    from surveys import operations
    from tests.fixtures.answers import answer
    from tests.fixtures.reports import pdfs_left_to_first_download
    from tests.fixtures.rounds import rater_rows

    held: list[Job] = []

    def queued_not_run(cycle_id: int) -> None:  # as a busy reports queue holds it
        waiting = Queue(REPORTS, connection=queue(REPORTS).connection, is_async=True)
        held.append(waiting.enqueue(jobs.build_report_job, cycle_id, job_id=jobs.build_job_id(cycle_id)))

    monkeypatch.setattr(jobs, "enqueue_build", queued_not_run)
    cycle = create_round(owner, rater_rows({"peer": 3}))
    answer(cycle, random.Random(4))
    operations.close_round_early(cycle)
    unit.commit()
    clock.advance(minutes=10)
    try:
        assert jobs.requeue_stranded_builds(utcnow()) == 0
        assert db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id)) is None
        reports = queue(REPORTS).connection
        assert reports.lrem(f"rq:queue:{REPORTS}", 1, jobs.build_job_id(cycle.id))  # a worker took it, and died
        assert jobs.requeue_stranded_builds(utcnow()) == 0  # or it is about to record it: lost when so a tick later
        clock.advance(minutes=1)
        with pdfs_left_to_first_download():
            assert jobs.requeue_stranded_builds(utcnow()) == 1  # the test queue runs it at once
        assert db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id)) is not None
    finally:  # the production-stack run shares one Redis across tests, whose rounds reuse this id
        for job in held:
            job.cancel()
            job.delete()


def test_a_closed_round_without_responses_ends_once_and_is_not_built_again_and_again(
        owner: User, create_round: Callable[..., Cycle], clock: TestClock) -> None:
    """Review: a round closed with no response (closed before the rule that ends such a round at its close) ends
    as NO_RESPONSES when its build runs; that ending must be committed, or the round stays CLOSED without a report
    and the clock's requeue_stranded_builds queues its build again whenever Redis no longer holds the last one."""
    from app import db as unit
    from reports import jobs
    from surveys.cycle import CycleState
    from tests.fixtures.rounds import rater_rows

    cycle = create_round(owner, rater_rows({"peer": 3}))
    cycle.state, cycle.closed_at = CycleState.CLOSED, utcnow()
    unit.commit()
    cycle_id = cycle.id
    jobs.build_report_job(cycle_id)
    db.session.rollback()  # what the end of the job's app context does to anything it left uncommitted
    assert db.session.get(Cycle, cycle_id).state is CycleState.NO_RESPONSES
