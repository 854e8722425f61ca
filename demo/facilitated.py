"""Demo rounds after the report, so that Farah (facilitator) has owners in every state: a summary proposed and
waiting for the owner, a summary agreed with the evaluation due, and a round evaluated with goal progress recorded.
Built through the same operations the pages use, each step at its moment in the story (demo/story.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from app.models import User
from demo import story
from demo.story import DemoClock, RoundDates
from facilitator import operations as sessions
from facilitator.rules import SessionMode
from surveys.models import Cycle

Round = Callable[[User, list[tuple[str, str]], RoundDates, random.Random, DemoClock], Cycle]
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


def load(users: dict[str, User], round_: Round, answer: Answer, now: datetime, rng: random.Random,
         clock: DemoClock) -> None:
    from demo.data import close_and_build

    farah = users["Farah Ahmed"]
    for name, stage in (("Hannah Price", "proposed"), ("Isaac Green", "agreed"), ("Jade Morris", "evaluated")):
        dates = story.facilitated_round(now, stage)
        assert dates.session and dates.proposed
        cycle = round_(users[name], RATERS, dates, rng, clock)
        answer(cycle, rng, respond={rater for rater, _ in RATERS}, decline=set(), draft=set(), clock=clock,
               when=dates.answering_days(now))
        close_and_build(cycle, dates, clock)
        held = dates.session
        with clock.at(story.at(held, 15)):  # recorded the afternoon of the session
            sessions.record_session(cycle, held, SessionMode.VIDEO, farah, held)
        with clock.at(dates.proposed):
            summary = sessions.propose(cycle, TEXTS, _goals(held), farah, dates.proposed.date())  # type: ignore[arg-type]
        if dates.agreed is None:
            continue
        with clock.at(dates.agreed):
            sessions.answer(summary, True, "", dates.agreed)
        if dates.evaluated is None or dates.progress is None:
            continue
        goals = summary.goals
        with clock.at(dates.progress):
            sessions.record_progress(cycle, goals[0]["key"], "met", "The rota has run without me for six weeks.",
                                     held + timedelta(days=50), dates.progress.date())
            sessions.record_progress(cycle, goals[1]["key"], "on_track", "Two meetings so far.", None,
                                     dates.progress.date())
        with clock.at(dates.evaluated):
            sessions.evaluate(cycle, {"understood": 5, "listened": 5, "goals": 4, "next": 4, "overall": 5},
                              "Farah helped me see the feedback as a starting point, not a verdict.")
            _share_with_manager(cycle, users["Mark Bennett"])


def _share_with_manager(cycle: Cycle, manager: User) -> None:
    """Jade shares her report and her plan with Mark, so the demo's manager has something to read (README)."""
    import sqlalchemy as sa

    from app.extensions import db
    from reports import operations as reports
    from reports.models import Report

    reports.share(db.session.scalars(sa.select(Report).where(Report.cycle_id == cycle.id)).one(), manager)
    sessions.share_summary(cycle, manager)
