"""bench/pages.py's stacks: the settings each one serves with, and the CPU it counts (README, page speed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from app import db as unit
from app.models import User
from bench.ceiling import create, floor
from bench.pages import cpu_seconds, stack_settings
from config import development, production
from surveys import responses
from surveys.models import Cycle
from tests.conftest import csrf_from
from tests.fixtures.people import signed_in
from tests.fixtures.rounds import link_token, open_link


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


def test_the_rater_floor_serves_a_page_of_the_size_asked_only_to_a_working_rater(app: Flask, open_round: Cycle) -> None:
    """The floor does the product's visit for the rater's cookie: a cookie that works gets the page, another 404."""
    rater, floor_client = app.test_client(), floor(app).test_client()
    open_link(rater, link_token(open_round.invitations[0]))
    assert floor_client.get("/rater/27114").status_code == 404  # no cookie yet
    floor_client.set_cookie("open360_rater", rater.get_cookie("open360_rater", path="/feedback").value)
    page = floor_client.get("/rater/27114")
    assert page.status_code == 200 and page.data == create().test_client().get("/27114").data  # the ceiling's page
    responses.decline(open_round.invitations[0])
    unit.commit()
    assert floor_client.get("/rater/27114").status_code == 404  # a declined rater opens nothing, as in the product


def test_the_signed_in_floor_loads_the_person_from_the_products_session(app: Flask, owner: User) -> None:
    """The floor opens the product's session from its cookie and loads the person as every signed-in page does."""
    browser, floor_client = signed_in(app, owner), floor(app).test_client()
    assert floor_client.get("/signed-in/11339").status_code == 404  # not signed in
    floor_client.set_cookie(app.config["SESSION_COOKIE_NAME"],
                            browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    page = floor_client.get("/signed-in/11339")
    assert page.status_code == 200 and page.data == create().test_client().get("/11339").data
    browser.post(f"/sign-out?csrf_token={csrf_from(browser.get('/round/start').get_data(as_text=True))}")
    assert floor_client.get("/signed-in/11339").status_code == 404  # signing out ends the copied cookie too
