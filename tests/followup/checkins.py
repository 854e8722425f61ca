"""Helpers for check-in tests: an owner with an agreed plan, a sent check-in, a rater's link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import User
from app.timeutil import today, utcnow
from facilitator.models import Summary
from followup.checkin import operations
from followup.checkin.models import CheckIn, CheckInRater
from surveys.categories import Category
from surveys.cycle import CycleState, next_working_day
from surveys.models import Cycle
from surveys.rater_list import RaterEntry

GOALS = ["Hand over the weekly rota", "Speak first at the senior meeting", "Lead the discharge project",
         "Coach two new band 6 nurses", "Run the winter planning workshop", "Write the ward's quality report",
         "Shadow the divisional director", "Finish the leadership module"]


def agreed_plan(owner: User, create_round: Callable[..., Cycle], goals: int = 3, days_ago: int = 100,
                raters: list[tuple[str, str, str]] | None = None) -> Cycle:
    """A round whose summary was agreed `days_ago` (past the first review date at 100), with `goals` goals."""
    return agree_plan(create_round(owner, raters or [(f"Peer {n}", f"peer{n}@trust.example", "peer")
                                                     for n in range(4)]), goals, days_ago)


def agree_plan(cycle: Cycle, goals: int = 3, days_ago: int = 100) -> Cycle:
    """This round's summary agreed `days_ago`, with `goals` goals."""
    cycle.state = CycleState.SUMMARY_AGREED
    agreed_at = utcnow() - timedelta(days=days_ago)
    goal_list = [{"key": f"{n:032x}", "term": "short", "what": GOALS[n], "measure": "m", "support": "s",
                  "values": "v", "target_on": (today() + timedelta(days=60)).isoformat()} for n in range(goals)]
    db.session.add(Summary(cycle_id=cycle.id, version=1, content={"goals": goal_list}, status="agreed",
                           agreed_at=agreed_at))
    unit.commit()
    return cycle


def people(n: int, prefix: str = "asked", domain: str = "trust.example") -> list[tuple[str, str]]:
    return [(f"Asked {i}", f"{prefix}{i}@{domain}") for i in range(n)]


def send_checkin(owner: User, n: int = 4, close_in_days: int = 14, now: datetime | None = None) -> CheckIn:
    plan = operations.plan_in_force(owner)
    assert plan is not None
    entries = [RaterEntry(name, email, Category.OTHER) for name, email in people(n, domain=owner.email.split("@")[1])]
    # A working day, as the send rule takes: the first on or after the day asked for.
    close_on = next_working_day(today() + timedelta(days=close_in_days))
    checkin = operations.send(owner, plan, entries, close_on, True, now or utcnow())
    unit.commit()
    return checkin


def rater_token(rater: CheckInRater) -> str:
    token = operations.issue(rater)
    unit.commit()
    return token


def open_checkin_link(client: FlaskClient, token: str) -> None:
    response = client.get(f"/c/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/check-in", response.status_code
    assert response.headers["Referrer-Policy"] == "no-referrer"


def answer_form(checkin: CheckIn, value: str = "1", comment: str = "") -> dict[str, str]:
    return {**{f"g-{key}": value for key in checkin.goal_keys}, "comment": comment}


def answer(client: FlaskClient, checkin: CheckIn, rater: CheckInRater, value: str = "1", comment: str = "") -> None:
    open_checkin_link(client, rater_token(rater))
    response = client.post("/check-in", data=answer_form(checkin, value, comment))
    assert response.status_code == 302 and response.headers["Location"] == "/check-in/thank-you"
