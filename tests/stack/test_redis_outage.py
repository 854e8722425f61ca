"""Redis stopped mid-run and started again empty, on the production stack (PRODUCT §8): two gunicorns with the
production settings, a real `flask worker` and `flask clock`, a real Redis, database and SMTP server.

While Redis is down people still sign in, the throttle still counts (in the database), saved changes are reported as
saved, and the health check says the queue is down. Redis then comes back with nothing in it: a rater added before
the outage whose job was still waiting in Redis, and the mail saved during it, are queued again by the clock's tick.
Every mail arrives exactly once and no request gets a 500.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app import clock
from app import db as unit
from app.extensions import db
from app.mail import OutboundMail, Status
from app.models import Role, User, UserRole
from app.passwords import hash_password
from app.timeutil import utcnow
from tests.conftest import csrf_from
from tests.fixtures.smtp import free_port
from tests.stack.conftest import Stack
from tests.stack.processes import wait_for
from tests.stack.test_production import PASSWORD, RATERS, Browser, production_env, seed_draft_round

ADDED = ["early@prod.example", "during1@prod.example", "during2@prod.example", "during3@prod.example"]


def submit(browser: Browser, page: str, action: str, form: dict[str, str], prefix: str = "") -> int:
    status, _, html = browser.request("GET", page)
    assert status == 200, (page, status)
    token_field = f"{prefix}-csrf_token" if prefix else "csrf_token"
    return browser.request("POST", action, {token_field: csrf_from(html), **form}, referer=page)[0]


def add_rater(owner: Browser, email: str) -> int:
    return submit(owner, "/round/raters", "/round/raters",
                  {"add-name": email.split("@")[0], "add-email": email, "add-category": "peer"}, prefix="add")


def health(port: int) -> tuple[int, dict[str, object]]:
    status, _, body = Browser(port).request("GET", "/healthz")
    return status, json.loads(body)


def delivered(stack: Stack) -> Counter[str]:
    with stack.smtp.lock:
        return Counter(m["To"] for m in stack.smtp.messages)


def test_redis_stopped_and_restarted_empty_loses_no_mail_sends_none_twice_and_serves_every_request(
        stack: Stack, tmp_path: Path) -> None:
    env = production_env(stack, stack.app.config["SQLALCHEMY_DATABASE_URI"], stack.app.config["REDIS_URL"])
    seed_draft_round()
    db.session.add(User(organisation=db.session.scalar(sa.select(User)).organisation, email="victim@prod.example",
                        name="Vic Tim", password_hash=hash_password(PASSWORD), role_rows=[UserRole(role=Role.OWNER)]))
    unit.commit()
    ports = [free_port(), free_port()]
    for port in ports:
        stack.processes.start("web", env=env, argv=[
            sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
            "app:create_app()"])
    worker = stack.processes.start("worker", env=env, argv=[sys.executable, "-m", "flask", "--app", "app", "worker"])
    clock_process = stack.processes.start("clock", env=env,
                                          argv=[sys.executable, "-m", "flask", "--app", "app", "clock"])
    for port in ports:
        wait_for(lambda port=port: _serving(port), 60, "gunicorn to serve", stack.processes)  # type: ignore[misc]

    owner = Browser(ports[0])
    assert submit(owner, "/sign-in", "/sign-in", {"email": "owner@prod.example", "password": PASSWORD}) == 302
    assert submit(owner, "/round/open", "/round/open", {}) == 302
    invited = {email for _, email, _ in RATERS}
    wait_for(lambda: set(delivered(stack)) >= invited, 60, "the invitations", stack.processes)

    # A rater added while the worker is held up: the job waits in Redis, and Redis is about to lose it.
    os.killpg(worker.pid, signal.SIGSTOP)
    assert add_rater(owner, ADDED[0]) == 302

    stack.redis.stop()
    statuses: list[int] = []
    for port in ports:
        status, report = health(port)
        assert status == 503 and report["queue"] == "down" and report["database"] == "ok", report
    # An attacker guessing at one account, from fresh browsers at both web processes: the throttle still counts.
    guesses = [submit(Browser(ports[n % 2]), "/sign-in", "/sign-in",
                      {"email": "victim@prod.example", "password": f"guess {n}"}) for n in range(8)]
    assert guesses == [200] * 5 + [429] * 3
    statuses += guesses
    # The owner signs in afresh on the other web process, adds raters and asks for a reset link.
    again = Browser(ports[1])
    statuses.append(submit(again, "/sign-in", "/sign-in", {"email": "owner@prod.example", "password": PASSWORD}))
    for email in ADDED[1:]:
        statuses.append(add_rater(again, email))
    statuses.append(submit(again, "/forgot-password", "/forgot-password", {"email": "victim@prod.example"}))
    statuses.append(again.request("GET", "/round/raters")[0])
    assert statuses[8:] == [302, 302, 302, 302, 200, 200], statuses
    assert 500 not in statuses

    stack.redis.start()  # empty
    os.killpg(worker.pid, signal.SIGCONT)
    for port in ports:
        wait_for(lambda port=port: health(port)[0] == 200, 30, "the health check to see Redis", stack.processes)  # type: ignore[misc]
    # The clock's tick, as the clock process enqueues it each minute, run by the worker; at the moment a minute on,
    # so the mail saved in the last few seconds counts as stranded rather than on its way.
    stack.queue.enqueue(clock.tick, now=utcnow() + timedelta(minutes=2))
    expected = invited | set(ADDED) | {"victim@prod.example"}
    wait_for(lambda: set(delivered(stack)) >= expected, 90, "the stranded mail", stack.processes)
    time.sleep(2)  # any repeat would come now
    counts = delivered(stack)
    assert counts == Counter({email: 1 for email in expected}), counts
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(OutboundMail.status))) == {Status.SENT}
    assert clock_process.poll() is None and worker.poll() is None  # both rode out the outage
    web_logs = "".join(path.read_text(errors="replace") for path in (tmp_path / "logs").glob("web-*.log"))
    assert "Traceback" not in web_logs
    print(f"\nRedis outage: {len(statuses)} requests during it, {statuses.count(500)} errors; "
          f"{len(expected)} mails, {sum(counts.values())} delivered, "
          f"{sum(c - 1 for c in counts.values())} twice")


def _serving(port: int) -> bool:
    try:
        return health(port)[0] == 200
    except (OSError, ValueError):
        return False
