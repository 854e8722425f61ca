"""Shared fixtures. Each test gets a fresh database; mail goes over real SMTP to a server the run starts."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

os.environ.setdefault("OPEN360_ENV", "test")

from app import create_app
from app.extensions import db
from tests.fixtures.smtp import MailCatcher

if TYPE_CHECKING:  # imported by pytest_plugins below, which must be first to import it
    from tests.fixtures.clock import TestClock

pytest_plugins = ["tests.fixtures.people", "tests.fixtures.rounds", "tests.fixtures.reports", "tests.fixtures.clock",
                  "tests.fixtures.access_walk", "tests.fixtures.oidc"]


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailCatcher]:
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture
def mailbox(app: Flask, mail_server: MailCatcher) -> MailCatcher:
    """What this test's app has sent (the app fixture empties it first)."""
    return mail_server


@pytest.fixture
def app(mail_server: MailCatcher, clock: TestClock, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app on a fresh database, at the clock's moment (never the real date)."""
    mail_server.clear()
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database, "SMTP_PORT": mail_server.port,
                              "REPORT_FILES_DIR": str(tmp_path / "report-files")})

    @app.before_request
    def _forget_previous_request() -> None:
        # Tests hold one app context open, which requests then share; without this, `g` (and with it the signed-in
        # user, the CSRF token and the CSP nonce) would carry over from one client's request to the next.
        for name in list(g):
            g.pop(name, None)

    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()  # close pooled connections now, not when the garbage collector finds them


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_CSRF = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, str], page: str | None = None, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Submit a form the way a browser does: fetch the page for its CSRF token first."""
    if not client.application.config.get("WTF_CSRF_ENABLED", True):
        return client.post(url, data=data)
    got = client.get(page or url)
    html = got.get_data(as_text=True)
    assert "csrf_token" in html, f"GET {page or url} gave {got.status_code} {got.headers.get('Location')}"
    token_field = f"{prefix}-csrf_token" if prefix else "csrf_token"
    return client.post(url, data={token_field: csrf_from(html), **data})


def pytest_terminal_summary(terminalreporter, config) -> None:  # type: ignore[no-untyped-def]
    # pytest-randomly names its seed in the header, which `-q` (our default) hides: name it at the end as well, so
    # a failing order in any log can be replayed.
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None:
        terminalreporter.write_line(f"Tests ran in random order: replay it with --randomly-seed={seed}")
