"""A demo owner with two reports (PRODUCT §10): Ravi's first round went through the session to an agreed plan with
progress recorded; his second round, started once the organisation's interval between rounds had passed, has a
Preparation Document that opens with those goals, and its report shows the change since the first: Leadership
clearly higher, the rest within noise. Each step at its moment in the story (demo/story.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.models import User
from demo import story
from demo.facilitated import RATERS, TEXTS, Answer, Round, _goals
from demo.story import DemoClock
from facilitator import operations as sessions
from facilitator.rules import SessionMode

OWNER = "Ravi Mehta"
# More raters than the other demo rounds (about 13 answers a statement), so a real change can rise above the band.
RAVI_RATERS = [*RATERS, ("Amy Fox", "peer"), ("Rob Hale", "peer"), ("Sara Nunn", "direct_report"),
               ("Tariq Aziz", "direct_report"), ("Lily Moss", "direct_report"), ("Joe Finch", "other"),
               ("Eve Stone", "other"), ("Ann Park", "other")]
FIRST = {"ability.leadership": -0.6}  # how colleagues saw him then, against demo/data.py's LEVELS
SECOND = {"ability.leadership": 0.9}  # after most of a year of delegating more
FIRST_SESSION_DAYS_AGO = 215  # well over the default 6 months between the first round's close and the second's start


def load(users: dict[str, User], round_: Round, answer: Answer, now: datetime, rng: random.Random,
         clock: DemoClock) -> None:
    from demo.data import close_and_build

    owner, farah = users[OWNER], users["Farah Ahmed"]
    dates = story.facilitated_round(now, "agreed", session_days_ago=FIRST_SESSION_DAYS_AGO)
    assert dates.session and dates.proposed and dates.agreed
    first = round_(owner, RAVI_RATERS, dates, rng, clock)
    answer(first, rng, respond={rater for rater, _ in RAVI_RATERS}, decline=set(), draft=set(), clock=clock,
           when=dates.answering_days(now), shift=FIRST)
    close_and_build(first, dates, clock)
    held = dates.session
    with clock.at(story.at(held, 15)):
        sessions.record_session(first, held, SessionMode.IN_PERSON, farah, held)
    with clock.at(dates.proposed):
        summary = sessions.propose(first, TEXTS, _goals(held), farah, dates.proposed.date())  # type: ignore[arg-type]
    with clock.at(dates.agreed):
        sessions.answer(summary, True, "", dates.agreed)
    goals = summary.goals
    progress = [(goals[0]["key"], "exceeded", "Two senior nurses now share the rota.", 45),
                (goals[1]["key"], "met", "I open the discussion most months now.", 75)]
    for key, status, note, after in progress:
        with clock.at(story.at(held + timedelta(days=after), 17)):
            sessions.record_progress(first, key, status, note, held + timedelta(days=after), held + timedelta(
                days=after))
    with clock.at(story.at(held + timedelta(days=90), 17)):
        sessions.record_progress(first, goals[2]["key"], "on_track", "Agreed as lead; the board meets monthly.",
                                 None, held + timedelta(days=90))
    second_dates = story.closed_round(now)
    second = round_(owner, RAVI_RATERS, second_dates, rng, clock)
    answer(second, rng, respond={rater for rater, _ in RAVI_RATERS}, decline=set(), draft=set(), clock=clock,
           when=second_dates.answering_days(now), shift=SECOND)
    close_and_build(second, second_dates, clock)  # compared with the first at its build
