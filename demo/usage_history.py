"""Eighteen months of earlier rounds for the demo organisation, so the local lead (Lucy) has usage figures to read,
some of them hidden. These owners have left (their accounts are deactivated), and their rounds exist only as
counts: rounds in the past cannot be made through the pages (every step takes today's date), so they are written
directly, answers and all left out. Most had a facilitated session with Farah or with Noah Clarke (a facilitator who
has since left), a summary agreed and an evaluation; the summaries hold no text."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.operations import NO_PASSWORD
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from facilitator.models import Evaluation, SessionRecord, Summary
from facilitator.rules import EVALUATION_QUESTIONS, SessionMode, SummaryStatus
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation, InvitationStatus, Response
from usage import jobs
from usage.periods import last_complete

# Per quarter, oldest first: (rounds started, [(raters invited, responded) for each round closed]). A quarter with
# one or two of anything shows why figures are hidden.
QUARTERS = [(4, [(6, 5), (5, 4), (7, 6)]), (6, [(6, 4), (5, 5), (8, 6), (6, 6)]), (2, [(5, 3), (6, 5)]),
            (5, [(6, 6)]), (7, [(7, 5), (6, 5), (5, 4), (6, 6), (8, 7)]), (3, [(6, 4), (5, 5), (7, 6)])]
# For each round closed, in the same order: its facilitator (F for Farah, N for Noah) and how far it went (S
# session only, A summary agreed, E evaluated); "" had no session. Noah's one or two sessions in a quarter (and so
# Farah's beside them), and the quarters with one or two evaluations, are hidden.
FACILITATED = [["FE", "FE", "FE"], ["FE", "FE", "FE", "FA"], ["FE", "NS"], ["FA"],
               ["FE", "FE", "FE", "NE", "NE"], ["FE", "FA", ""]]
# Evaluations' ratings, one row per evaluation in turn, in the order of facilitator.rules.EVALUATION_QUESTIONS.
RATINGS = [(5, 5, 4, 4, 5), (4, 5, 4, 3, 4), (5, 4, 5, 4, 5), (3, 4, 4, 3, 4), (4, 5, 5, 4, 4), (5, 5, 3, 4, 5),
           (4, 4, 4, 5, 4)]


def load(org: Organisation, today: date, domain: str) -> None:
    last = last_complete(today)
    quarters = [last]
    for _ in QUARTERS[1:]:
        quarters.insert(0, quarters[0].previous())
    farah = db.session.scalar(sa.select(User).where(User.email == f"farah@{domain}"))
    noah = User(organisation=org, name="Noah Clarke", email=f"noah@{domain}", password_hash=NO_PASSWORD,
                role_rows=[UserRole(role=Role.FACILITATOR)], is_active_account=False)
    db.session.add(noah)
    n = 0
    for quarter, (started, closed), facilitated in zip(quarters, QUARTERS, FACILITATED, strict=True):
        for k in range(max(started, len(closed))):
            n += 1
            owner = User(organisation=org, name=f"Former Colleague {n}", email=f"colleague{n}@{domain}",
                         password_hash=NO_PASSWORD, role_rows=[UserRole(role=Role.OWNER)], is_active_account=False)
            opened = datetime.combine(quarter.start + timedelta(days=3 + 5 * k), time(9))
            raters = closed[k] if k < len(closed) else None
            closed_at = datetime.combine(quarter.start + timedelta(days=40 + k), time(17)) if raters else None
            cycle = Cycle(owner=owner, state=CycleState.EVALUATED if raters else CycleState.CANCELLED,
                          questionnaire_version="2026.1", close_on=(closed_at or opened).date(), created_at=opened,
                          opened_at=opened, closed_at=closed_at)
            for r in range(raters[0] if raters else 0):
                cycle.invitations.append(Invitation(
                    name=f"Rater {r + 1}", email=f"rater{r + 1}.colleague{n}@{domain}", category=Category.PEER,
                    status=InvitationStatus.DONE))
            db.session.add(cycle)
            if raters:  # the responses they gave: usage counts responses, never which invitation answered
                db.session.flush()
                db.session.add_all(Response(cycle.id, Category.PEER, {}, {}) for _ in range(raters[1]))
            if closed_at and facilitated[k]:
                db.session.flush()
                who, stage = facilitated[k]
                _facilitate(cycle, farah if who == "F" else noah, closed_at, stage, n)
    db.session.flush()


def _facilitate(cycle: Cycle, facilitator: User, closed_at: datetime, stage: str, n: int) -> None:
    """The session ten days after the close, the summary agreed a week later, the evaluation ten days after that:
    all within the quarter the round closed in."""
    recorded = closed_at + timedelta(days=10)
    db.session.add(SessionRecord(cycle_id=cycle.id, held_on=recorded.date(), mode=SessionMode.IN_PERSON,
                                 facilitator_id=facilitator.id, recorded_at=recorded))
    if stage in {"A", "E"}:
        db.session.add(Summary(cycle_id=cycle.id, status=SummaryStatus.AGREED, content={},
                               facilitator_id=facilitator.id, proposed_at=recorded,
                               agreed_at=recorded + timedelta(days=7)))
    if stage == "E":
        ratings = dict(zip(EVALUATION_QUESTIONS, RATINGS[n % len(RATINGS)], strict=True))
        db.session.add(Evaluation(cycle_id=cycle.id, facilitator_id=facilitator.id, ratings=ratings,
                                  submitted_at=recorded + timedelta(days=17)))


def build_usage(now: datetime) -> None:
    """What the worker's clock would do at once after `make run` starts: build every quarter's figures."""
    while not jobs.tick(now).startswith("built 0 "):
        pass
