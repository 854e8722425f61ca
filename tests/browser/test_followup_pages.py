"""After the conversation, in the browser with axe: an owner's second report with its change since the first (on a
phone too), the second Preparation Document opening with last time's goals, and the facilitator's review dates."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app import db as unit
from app.extensions import db
from app.models import User
from app.timeutil import today, utcnow
from facilitator.models import GoalProgress, Summary
from facilitator.rules import GoalStatus
from reports.models import Report
from surveys import operations
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import ReportData, closed_round_with_report, rater_email
from tests.browser.steps import sign_in
from tests.fixtures.answers import answer
from tests.fixtures.rounds import rater_entries, rater_rows

SIZES = {"manager": 1, "peer": 4, "direct_report": 4}
GOAL = {"key": "c" * 32, "term": "short", "what": "Hand over the weekly rota", "measure": "m", "support": "s",
        "values": "v", "target_on": today().isoformat()}


def _second_report() -> tuple[ReportData, int]:
    first = closed_round_with_report(SIZES)
    owner = db.session.get(User, first.owner.id)
    assert owner is not None
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.owner_id == owner.id))
    cycle.state = CycleState.SUMMARY_AGREED
    # Closed long enough ago for a new round to start (the organisation's minimum interval, 6 months).
    cycle.closed_at = utcnow() - timedelta(days=200)
    cycle.opened_at = cycle.closed_at - timedelta(days=21)
    db.session.add(Summary(cycle_id=cycle.id, version=1, content={"goals": [GOAL]}, status="agreed",
                           agreed_at=utcnow() - timedelta(days=80)))
    db.session.add(GoalProgress(cycle_id=cycle.id, goal_key=GOAL["key"], status=GoalStatus.ON_TRACK))
    unit.commit()
    second = operations.start_cycle(owner, today() + timedelta(days=21), today())
    operations.add_raters(second, rater_entries(rater_rows(SIZES, lambda group, _n: rater_email(group))))
    operations.open_round(second, today())
    unit.commit()
    answer(second, random.Random(8))
    operations.close_round_early(second)
    unit.commit()  # the synchronous worker builds the report, comparing it with the first
    report_id = db.session.scalar(sa.select(Report.id).where(Report.cycle_id == second.id))
    assert report_id is not None
    return first, report_id


def test_second_report_preparation_context_and_review_dates(live: LiveServer, contexts: Contexts,
                                                             audit: Auditor) -> None:
    with live.context():
        first, report_id = _second_report()
    owner = contexts.page()
    sign_in(owner, first.owner)
    owner.goto(f"/reports/{report_id}")
    audit(owner, "report-change-since-last", f"Feedback report for {first.owner.name}")
    expect(owner.get_by_role("heading", level=2, name="Change since your last report")).to_be_visible()
    owner.set_viewport_size({"width": 390, "height": 844})
    table = owner.locator(".app-change-table")
    table.scroll_into_view_if_needed()
    box = owner.locator(".app-change").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box
    owner.set_viewport_size({"width": 1280, "height": 800})
    owner.goto("/round/preparation")
    audit(owner, "preparation-last-goals", "Preparation document")
    expect(owner.get_by_role("heading", level=2, name="The goals you agreed last time")).to_be_visible()

    facilitator = contexts.page()
    sign_in(facilitator, first.facilitator)
    facilitator.goto("/facilitator/review-dates")
    audit(facilitator, "facilitator-review-dates", "Your owners’ review dates")
    expect(facilitator.get_by_role("cell", name=first.owner.name, exact=True)).to_be_visible()
