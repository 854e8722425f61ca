"""Jade's goal check-ins (PRODUCT §10): one sent on her first review date and closed by the clock, with a figure for
the goals enough people could speak to and "too few answers" for the one they could not; and one sent a few days
ago, still open, its counts as the morning's update took them. Built through the operations the pages use, each
step at its moment (demo/story.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.models import User
from demo import story
from demo.story import DemoClock
from followup.checkin import operations, rules
from surveys.categories import Category
from surveys.rater_list import RaterEntry

ASKED = ["Mark Bennett", "Ruth Green", "Owen Price", "Ella Ward", "Leo Turner", "Mia Scott"]
N = rules.NOT_ABLE
# Per person: one answer per goal (the rota handed over, speaking first, leading the cross-site project), a comment.
CLOSED_ANSWERS = [
    ([2, 1, N], "The rota has run smoothly without Jade, and she has more time for the team."),
    ([2, 0, N], ""),
    ([1, 1, 1], "Noticeably more confident in the senior meeting."),
    ([2, 1, N], ""),
    ([1, N, N], "She lets us make the rota decisions now."),
]
OPEN_ANSWERS = [[2, 1, 0], [1, 1, N]]


def _entries(owner: User, domain: str) -> list[RaterEntry]:
    first = owner.name.split()[0].lower()
    return [RaterEntry(n, f"{n.split()[0].lower()}.{first}@{domain}", Category.OTHER) for n in ASKED]


def _answer(checkin_id: int, answers: list[tuple[list[int | str], str]], start: datetime, clock: DemoClock) -> None:
    from app.extensions import db
    from followup.checkin.models import CheckIn

    checkin = db.session.get(CheckIn, checkin_id)
    assert checkin is not None
    for n, (given, comment) in enumerate(answers):
        with clock.at(start + timedelta(days=n, hours=3 * n)):
            operations.submit(checkin.raters[n], dict(zip(checkin.goal_keys, given, strict=True)), comment)


def load(owner: User, domain: str, now: datetime, clock: DemoClock) -> None:
    plan = operations.plan_in_force(owner)
    assert plan is not None
    first = plan.review_dates[0]
    sent = story.at(first, 10)
    close_on = rules.default_close(first)
    assert story.at(close_on + timedelta(days=1), 1) < now - timedelta(days=4), "Jade's first review is too recent"
    with clock.at(sent):
        closed = operations.send(owner, plan, _entries(owner, domain), close_on, False, sent)
    _answer(closed.id, CLOSED_ANSWERS, sent + timedelta(hours=2), clock)
    with clock.at(story.at(close_on + timedelta(days=1), 1)):  # the clock's tick after the close date
        operations.close_on_date(closed, story.at(close_on + timedelta(days=1), 1))
    reopened_on = now - timedelta(days=3)
    with clock.at(reopened_on):
        # The same six: a list that overlaps an earlier one about the same goals is refused (rules.list_problem).
        still_open = operations.send(owner, plan, _entries(owner, domain), rules.default_close(reopened_on.date()),
                                     False, reopened_on)
    _answer(still_open.id, [(a, "") for a in OPEN_ANSWERS], reopened_on + timedelta(hours=1), clock)
    moment = story.counts_moment(now)
    with clock.at(moment):
        operations.update_counts(still_open, moment)
