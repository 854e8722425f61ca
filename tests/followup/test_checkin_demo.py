"""The demo's check-ins (demo/checkins.py): Jade has one closed with results and one open, whatever day it loads."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from demo import data
from followup.checkin import operations
from followup.checkin.rules import CheckInState
from tests.conftest import post_form
from tests.fixtures.reports import pdfs_left_to_first_download


def _jade_reads_both(app: Flask) -> None:
    with pdfs_left_to_first_download():
        data.load(utcnow())
    unit.commit()
    jade = db.session.scalar(sa.select(User).where(User.name == "Jade Morris"))
    closed, still_open = sorted(operations.checkins_of(jade.id), key=lambda c: c.sent_at)
    assert closed.state is CheckInState.CLOSED and still_open.state is CheckInState.OPEN
    assert still_open.close_on >= utcnow().date()
    client = app.test_client()
    assert post_form(client, "/sign-in", {"email": jade.email, "password": data.PASSWORD}).status_code == 302
    profile = client.get("/development").get_data(as_text=True)
    assert "What others said" in profile and "+1.6" in profile and "Too few answers to show" in profile
    result = client.get(f"/development/check-ins/{closed.id}").get_data(as_text=True)
    assert "5 people answered" in result and "more confident in the senior meeting" in result
    follow = client.get(f"/development/check-ins/{still_open.id}").get_data(as_text=True)
    assert "Replies so far" in follow and "Shown when the check-in closes" in follow
    counts = operations.counts_of(still_open)
    assert counts is not None and (counts.invited, counts.responded) == (6, 2)  # the same six asked again
    asked = [frozenset(r.email for r in c.raters) for c in (closed, still_open) if c.raters_purged_at is None]
    assert all(operations.rules.list_problem(a, asked) is None for a in asked)


def test_jade_has_a_closed_check_in_with_results_and_an_open_one(app: Flask) -> None:
    _jade_reads_both(app)


@pytest.mark.clock_at("2027-04-03T04:30:00")  # a Saturday before the daily update, Easter weekend
def test_the_demo_check_ins_read_true_on_a_bank_holiday_weekend_before_dawn(app: Flask) -> None:
    _jade_reads_both(app)
