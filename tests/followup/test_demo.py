"""The demo's owner with two reports (demo/second_report.py): the second shows a clear change since the first in
Leadership and no clear change elsewhere, and his second Preparation Document opens with last time's goals."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from demo import data
from followup.change import KEY
from reports.build import sealed_data
from reports.models import Report
from surveys.models import Cycle
from surveys.rules import daily_counts
from tests.conftest import post_form
from tests.fixtures.reports import pdfs_left_to_first_download


def test_ravi_has_two_reports_and_the_second_shows_change_since_the_first(app: Flask) -> None:
    with pdfs_left_to_first_download():  # PDFs are no part of this story, and most of a load's time
        data.load(utcnow())
    unit.commit()
    ravi = db.session.scalar(sa.select(User).where(User.name == "Ravi Mehta"))
    reports = db.session.scalars(sa.select(Report).join(Cycle).where(Cycle.owner_id == ravi.id)
                                 .order_by(Cycle.created_at)).all()
    assert len(reports) == 2
    assert KEY not in sealed_data(reports[0])[1]
    rows = {r["key"]: r for r in sealed_data(reports[1])[1][KEY]["rows"]}
    assert rows["ability.leadership"]["verdict"] == "higher"
    assert sum(r["verdict"] == "no clear change" for r in rows.values()) >= len(rows) - 3
    client = app.test_client()
    assert post_form(client, "/sign-in", {"email": ravi.email, "password": data.PASSWORD}).status_code == 302
    html = client.get(f"/reports/{reports[1].id}").get_data(as_text=True)
    assert "Change since your last report" in html and "Higher than last time" in html
    prep = client.get("/round/preparation").get_data(as_text=True)
    assert "The goals you agreed last time" in prep and "Exceeded" in prep


def test_the_demo_reads_true_for_its_manager_and_its_closed_rounds(app: Flask) -> None:
    """Seams found walking the demo (issue 25): the README offers Mark as the manager who reads shared reports and
    plans, and his pages said there was nothing for him; a closed round's page said nobody had responded (the
    counts of its opening) beside a report of everyone's answers."""
    with pdfs_left_to_first_download():
        data.load(utcnow())
    unit.commit()
    client = app.test_client()
    assert post_form(client, "/sign-in", {"email": "mark@demo.open360.test", "password": data.PASSWORD}
                     ).status_code == 302
    jade = db.session.scalar(sa.select(User).where(User.name == "Jade Morris"))
    report = db.session.scalars(sa.select(Report).join(Cycle).where(Cycle.owner_id == jade.id)).one()
    assert "Jade Morris" in client.get("/reports").get_data(as_text=True)
    assert client.get(f"/reports/{report.id}").status_code == 200
    assert "Jade Morris" in client.get("/development/shared").get_data(as_text=True)
    assert client.get(f"/development/{report.cycle_id}/plan").status_code == 200
    for name in ("Daniel Hughes", "Hannah Price"):
        cycle = db.session.scalars(sa.select(Cycle).join(User, User.id == Cycle.owner_id)
                                   .where(User.name == name)).one()
        responded = sum(count.responded for count in daily_counts.from_stored(cycle.counts))
        assert responded > 0 and cycle.counts_updated_at < cycle.closed_at, (name, cycle.counts)
