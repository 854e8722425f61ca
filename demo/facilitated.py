"""Demo rounds after the report, so that Farah (facilitator) has owners in every state: a summary proposed and
waiting for the owner, a summary agreed with the evaluation due, and a round evaluated with goal progress recorded.
Built through the same operations the pages use; the reports are built here rather than by the worker, because a
session can only be recorded once a report is ready."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from app.models import User
from facilitator import operations as sessions
from facilitator.rules import SessionMode
from reports.build import build_report
from surveys import operations
from surveys.models import Cycle

Round = Callable[[User, list[tuple[str, str]], date, random.Random], Cycle]
Answer = Callable[..., None]

RATERS = [
    ("Mark Bennett", "manager"), ("Ruth Green", "peer"), ("Owen Price", "peer"), ("Kit Lane", "peer"),
    ("Ella Ward", "direct_report"), ("Leo Turner", "direct_report"), ("Mia Scott", "direct_report"),
]
TEXTS = {
    "key_points": "The feedback shows a trusted, calm leader. Others rate strategic insight higher than you do. "
                  "You want to move towards leading a service across more than one site.",
    "strengths": "Building relationships across teams; staying calm under pressure; explaining change clearly.",
    "development_areas": "Delegating more of the day-to-day; speaking up earlier in senior meetings.",
}


def _goals(start: date) -> list[dict[str, object]]:
    return [
        {"term": "short", "what": "Hand over the weekly rota to a senior nurse",
         "measure": "The rota is done without me for 6 weeks in a row", "support": "A handover plan with my manager",
         "values": "Trust; developing others", "target_on": start + timedelta(days=60)},
        {"term": "short", "what": "Give my view first in the monthly senior meeting",
         "measure": "I speak in the first ten minutes at 3 meetings", "support": "A mentor to prepare with",
         "values": "Courage; openness", "target_on": start + timedelta(days=80)},
        {"term": "long", "what": "Lead the cross-site discharge project",
         "measure": "The project board agrees me as lead", "support": "The leadership programme",
         "values": "Working together across the system", "target_on": start + timedelta(days=250)},
    ]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0))


def load(users: dict[str, User], round_: Round, answer: Answer, today: date, rng: random.Random) -> None:
    farah, alex = users["Farah Ahmed"], users["Alex Morgan"]
    for name, days_ago, stage in (("Hannah Price", 30, "proposed"), ("Isaac Green", 40, "agreed"),
                                  ("Jade Morris", 130, "evaluated")):
        owner = users[name]
        started = today - timedelta(days=days_ago + 25)
        cycle = round_(owner, RATERS, started, rng)
        answer(cycle, rng, respond={rater for rater, _ in RATERS}, decline=set(), draft=set())
        operations.close_round_early(cycle)
        build_report(cycle)
        sessions.assign(owner, farah, alex)
        held = today - timedelta(days=days_ago)
        sessions.record_session(cycle, held, SessionMode.VIDEO, farah, held)
        summary = sessions.propose(cycle, TEXTS, _goals(held), farah, held)  # type: ignore[arg-type]
        if stage == "proposed":
            continue
        sessions.answer(summary, True, "", _at(held + timedelta(days=2)))
        if stage == "evaluated":
            goals = summary.goals
            sessions.record_progress(cycle, goals[0]["key"], "met", "The rota has run without me since March.",
                                     held + timedelta(days=50), today)
            sessions.record_progress(cycle, goals[1]["key"], "on_track", "Two meetings so far.", None, today)
            sessions.evaluate(cycle, {"understood": 5, "listened": 5, "goals": 4, "next": 4, "overall": 5},
                              "Farah helped me see the feedback as a starting point, not a verdict.")
