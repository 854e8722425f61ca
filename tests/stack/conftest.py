"""The production stack for fault tests: a Redis of the test's own, the shared database (the run's PostgreSQL when
TEST_DATABASE_URL is set, else a SQLite file), an SMTP server the test can stop, and worker and clock processes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from rq import Queue

from app import create_app
from app.extensions import db
from tests.fixtures.smtp import MailCatcher
from tests.servers import RedisServer, redis_server
from tests.stack.processes import Processes


@dataclass
class Stack:
    app: Flask
    smtp: MailCatcher
    processes: Processes
    queue: Queue
    redis: RedisServer  # to stop and start again (empty) mid-test


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    smtp = MailCatcher()
    smtp.start()
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    server = RedisServer(tmp_path / "redis")
    with redis_server(tmp_path / "redis", server) as redis_url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database, "SMTP_PORT": smtp.port,
                                  "QUEUE_MODE": "redis", "REDIS_URL": redis_url,
                                  "REPORT_FILES_DIR": str(tmp_path / "report-files")})  # the workers' (processes.py)
        (tmp_path / "logs").mkdir()
        processes = Processes(tmp_path / "logs", database, redis_url, smtp.port)
        with app.app_context():
            db.drop_all()
            db.create_all()
            try:
                yield Stack(app, smtp, processes, app.extensions["open360_queue"], server)
            finally:
                processes.stop_all()
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
                with contextlib.suppress(RuntimeError):  # already stopped by a test that failed mid-outage
                    smtp.stop()
