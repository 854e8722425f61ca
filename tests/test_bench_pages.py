"""bench/pages.py's stacks: the settings each one serves with, and the CPU it counts (README, page speed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.pages import cpu_seconds, stack_settings
from config import development, production


def test_the_production_stack_has_every_setting_production_requires(tmp_path: Path) -> None:
    servers = {"TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/bench",
               "TEST_REDIS_URL": "redis://127.0.0.1:6379/0", "FLASK_DEBUG": "1"}
    env = stack_settings("production", tmp_path, servers)
    settings = production.settings(str(tmp_path), env)  # raises ConfigError if one is missing
    assert env["OPEN360_ENV"] == "production" and "FLASK_DEBUG" not in env
    assert settings["SQLALCHEMY_DATABASE_URI"] == servers["TEST_DATABASE_URL"]
    assert (settings["QUEUE_MODE"], settings["REDIS_URL"]) == ("redis", servers["TEST_REDIS_URL"])


def test_the_embedded_stack_is_sqlite_and_the_in_process_queue(tmp_path: Path) -> None:
    env = stack_settings("embedded", tmp_path, {"FLASK_DEBUG": "1"})
    settings = development.settings(str(tmp_path), env)
    assert env["OPEN360_ENV"] == "development" and "FLASK_DEBUG" not in env
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/bench.sqlite3"
    assert settings["QUEUE_MODE"] == "embedded"


def test_cpu_counts_a_child_that_has_ended() -> None:
    """A PostgreSQL backend whose connection closed mid-run still counts, in its postmaster's figure."""
    before = cpu_seconds([os.getpid()])
    subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                    "while time.process_time() < end: pass"], check=True)
    assert cpu_seconds([os.getpid()]) - before >= 0.25
