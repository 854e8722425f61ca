"""A demo owner with two reports (PRODUCT §10): Ravi's first round went through the session to an agreed plan with
progress recorded; his second round's Preparation Document opens with those goals, and its report shows the change
since the first: Leadership clearly higher, the rest within noise. Kept apart from demo/data.py's dates on purpose.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.models import User
from demo.facilitated import RATERS, TEXTS, Answer, Round, _at, _goals
from facilitator import operations as sessions
from facilitator.rules import SessionMode
from reports.build import build_report
from surveys import operations

OWNER = "Ravi Mehta"
# More raters than the other demo rounds (about 13 answers a statement), so a real change can rise above the band.
RAVI_RATERS = [*RATERS, ("Amy Fox", "peer"), ("Rob Hale", "peer"), ("Sara Nunn", "direct_report"),
               ("Tariq Aziz", "direct_report"), ("Lily Moss", "direct_report"), ("Joe Finch", "other"),
               ("Eve Stone", "other"), ("Ann Park", "other")]
FIRST = {"ability.leadership": -0.6}  # how colleagues saw him then, against demo/data.py's LEVELS
SECOND = {"ability.leadership": 0.9}  # after a year of delegating more


def load(users: dict[str, User], round_: Round, answer: Answer, today: date, rng: random.Random) -> None:
    owner, farah, alex = users[OWNER], users["Farah Ahmed"], users["Alex Morgan"]
    sessions.assign(owner, farah, alex)
    first = round_(owner, RAVI_RATERS, today - timedelta(days=250), rng)
    answer(first, rng, respond={rater for rater, _ in RAVI_RATERS}, decline=set(), draft=set(), shift=FIRST)
    operations.close_round_early(first)
    first.closed_at = _at(today - timedelta(days=229))  # as if it had closed on its date
    build_report(first)
    held = today - timedelta(days=220)
    sessions.record_session(first, held, SessionMode.IN_PERSON, farah, today)
    summary = sessions.propose(first, TEXTS, _goals(held), farah, held)  # type: ignore[arg-type]
    sessions.answer(summary, True, "", _at(held + timedelta(days=2)))
    goals = summary.goals
    sessions.record_progress(first, goals[0]["key"], "exceeded", "Two senior nurses now share the rota.",
                             held + timedelta(days=45), today)
    sessions.record_progress(first, goals[1]["key"], "met", "I open the discussion most months now.",
                             held + timedelta(days=75), today)
    sessions.record_progress(first, goals[2]["key"], "on_track", "Agreed as lead; the board meets monthly.", None,
                             today)
    second = round_(owner, RAVI_RATERS, today - timedelta(days=25), rng)
    answer(second, rng, respond={rater for rater, _ in RAVI_RATERS}, decline=set(), draft=set(), shift=SECOND)
    operations.close_round_early(second)
    build_report(second)  # compared with the first at its build
