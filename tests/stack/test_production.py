"""The production settings on the production stack: several gunicorn web processes and an RQ worker started as the
README says, with every setting from the environment (OPEN360_ENV=production), sharing a database, Redis and an
SMTP server. An owner signs in and opens a round through whichever web process answers; the worker sends the
invitations; a rater's link works; and the access log never holds a rater's link."""

from __future__ import annotations

import http.client
import os
import re
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from app.timeutil import today
from config.keys import new_key_text
from surveys import operations
from surveys.categories import Category
from surveys.rater_list import RaterEntry
from tests.fixtures.smtp import MailCatcher, free_port
from tests.stack.conftest import Stack
from tests.stack.processes import wait_for

PASSWORD = "a production password"
RATERS = [("Mo Manager", "mo@prod.example", "manager"), ("Pat Peer", "pat@prod.example", "peer"),
          ("Pip Peer", "pip@prod.example", "peer"), ("Dee Report", "dee@prod.example", "direct_report")]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_LINK = re.compile(r"https://open360\.prod\.example(/r/[A-Za-z0-9_\-]+)")


class Browser:
    """Just enough of a browser: one cookie jar, a fresh connection per request (so gunicorn may hand each request to
    a different web process), and no redirects followed. Cookies are kept whatever their Secure flag: the service
    is behind TLS in production, and plain HTTP on loopback here."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                referer: str | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "X-Forwarded-Proto": "https"}
        if referer:
            headers["Referer"] = f"https://127.0.0.1:{self.port}{referer}"
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:  # closed even when a gunicorn still starting drops the connection (a leaked socket fails the test)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            text = response.read().decode()
        finally:
            connection.close()
        return response.status, response.getheader("Location") or "", text

    def submit(self, page: str, action: str, form: dict[str, str]) -> tuple[int, str, str]:
        status, _, html = self.request("GET", page)
        assert status == 200, (page, status)
        match = _CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        # A browser sends the form's page as Referer (the service's policy is same-origin), and over HTTPS Flask-WTF
        # refuses a POST without it.
        return self.request("POST", action, {"csrf_token": match.group(1), **form}, referer=page)


def production_env(stack: Stack, database: str, redis_url: str) -> dict[str, str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return keep | {
        "OPEN360_ENV": "production",
        "SECRET_KEY": "production-test-secret",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(stack.smtp.port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Open360 <no-reply@prod.example>",
        "PUBLIC_URL": "https://open360.prod.example",
        "OPEN360_MASTER_KEYS": f"prod1:{new_key_text()}",
        "CONTACT_EMAIL": "open360@prod.example",
        "PROXY_HOPS": "1",  # the test's requests say, as a TLS proxy would, that they came over HTTPS
    }


def seed_draft_round() -> User:
    org = Organisation(name="Production Trust", email_domains=["prod.example"])
    owner = User(organisation=org, email="owner@prod.example", name="Orla Owner",
                 password_hash=hash_password(PASSWORD), role_rows=[UserRole(role=Role.OWNER)])
    db.session.add(owner)
    unit.commit()
    cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
    operations.add_raters(cycle, [RaterEntry(name, email, Category(category)) for name, email, category in RATERS])
    unit.commit()
    return owner


def test_the_production_settings_serve_from_several_web_processes_and_a_worker(stack: Stack, tmp_path: Path) -> None:
    database = stack.app.config["SQLALCHEMY_DATABASE_URI"]
    env = production_env(stack, database, stack.app.config["REDIS_URL"])
    seed_draft_round()
    # Two gunicorns of two processes each, as on two machines: they share only the database and Redis.
    ports, logs = [free_port(), free_port()], [tmp_path / "access-a.log", tmp_path / "access-b.log"]
    for port, access_log in zip(ports, logs, strict=True):
        stack.processes.start("web", env=env, argv=[
            sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
            "--access-logfile", str(access_log), "--access-logformat", '"%(r)s" %(s)s', "app:create_app()"])
    stack.processes.start("worker", env=env, argv=[sys.executable, "-m", "flask", "--app", "app", "worker"])

    def serving(port: int) -> bool:
        try:
            return Browser(port).request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    for port in ports:
        wait_for(lambda port=port: serving(port), 60, "gunicorn to serve", stack.processes)  # type: ignore[misc]
    owner = Browser(ports[0])
    status, _, _ = owner.submit("/sign-in", "/sign-in", {"email": "owner@prod.example", "password": PASSWORD})
    assert status == 302, stack.processes.log_tail()
    owner.port = ports[1]  # the next requests reach the other machine, which knows who is signed in all the same
    status, _, page = owner.request("GET", "/round")
    assert status == 200 and "Your feedback round" in page
    status, _, _ = owner.submit("/round/open", "/round/open", {})
    assert status == 302

    emails = {email for _, email, _ in RATERS}
    wait_for(lambda: {m["To"] for m in stack.smtp.messages} >= emails, 60, "the worker to send the invitations",
             stack.processes)
    invitation = MailCatcher.text(next(m for m in stack.smtp.messages if m["To"] == "pat@prod.example"))
    link = _LINK.search(invitation)
    assert link, invitation
    rater = Browser(ports[0])
    status, location, _ = rater.request("GET", urlsplit(link.group(0)).path)
    assert status == 302 and location == "/feedback"  # the token is swapped for a cookie at once
    status, _, page = rater.request("GET", location)
    assert status == 200 and "Orla Owner" in page

    # gunicorn writes the line once the response has gone, so it may come a moment after the page
    wait_for(lambda: "/r/" in logs[0].read_text(), 10, "the rater's visit in the access log")
    log = logs[0].read_text()
    assert "/r/[link]" in log and link.group(1) not in log  # the rater's visit is logged without their link
    assert "Traceback" not in stack.processes.log_tail(lines=10_000)


def test_slow_clients_do_not_take_the_site_offline(stack: Stack, tmp_path: Path) -> None:
    """gunicorn as the README starts it (its settings in gunicorn.conf.py): ten clients that never finish sending
    their request must not stop anyone else being served."""
    env = production_env(stack, stack.app.config["SQLALCHEMY_DATABASE_URI"], stack.app.config["REDIS_URL"])
    port = free_port()
    stack.processes.start("web", env=env, argv=[sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                                "--no-control-socket", "app:create_app()"])

    def serving() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    wait_for(serving, 60, "gunicorn to serve", stack.processes)
    slow = []
    for _ in range(10):
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: open360.prod.example\r\n")  # and never the blank line
        slow.append(client)
    time.sleep(0.5)  # long enough for every slow client to hold whatever it can
    try:
        started = time.monotonic()
        assert serving(), stack.processes.log_tail()
        assert time.monotonic() - started < 5
    finally:
        for client in slow:
            client.close()
