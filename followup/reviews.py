"""Review dates of the plan in force (PRODUCT §5, §10): on each, the owner gets one email pointing at their goal
progress; a facilitator sees the next review date of each owner assigned to them.

The plan in force is an owner's newest round with an agreed conversation summary; its review dates are counted from
the agreement of the version in force, as the development profile and its calendar file count them
(facilitator.rules.review_dates). Each nudge is claimed in the outbox under `review_nudge:{cycle_id}:{date}` in the
transaction that decides it (app.mail's exactly-once claims), so a tick run twice, late, or on two workers cannot
send it twice, and a failed tick claims nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.mail import OutboundMail, claim_mails, forget_mails
from app.models import User
from facilitator import rules as facilitation
from facilitator.models import Summary
from facilitator.rules import SummaryStatus
from followup import rules
from surveys.models import Cycle

NUDGE_KIND = "review_nudge"


@dataclass(frozen=True)
class Plan:
    owner_id: int
    cycle_id: int
    agreed_on: date

    @property
    def review_dates(self) -> list[date]:
        return facilitation.review_dates(self.agreed_on)


def plans_in_force(owner_ids: list[int] | None = None) -> list[Plan]:
    """Each active owner's plan in force (of those given, or all), in one query."""
    query = (sa.select(Cycle.owner_id, Cycle.id, Summary.agreed_at).join(Summary, Summary.cycle_id == Cycle.id)
             .join(User, User.id == Cycle.owner_id)
             .where(Summary.status == SummaryStatus.AGREED, Summary.agreed_at.is_not(None), User.is_active_account)
             .order_by(Cycle.owner_id, Cycle.created_at, Cycle.id, Summary.version))
    if owner_ids is not None:
        query = query.where(Cycle.owner_id.in_(owner_ids))
    newest: dict[int, Plan] = {}
    for owner_id, cycle_id, agreed_at in db.session.execute(query):
        newest[owner_id] = Plan(owner_id, cycle_id, agreed_at.date())  # later rounds and versions come later
    return list(newest.values())


def dedupe_key(cycle_id: int, day: date) -> str:
    return f"{NUDGE_KIND}:{cycle_id}:{day.isoformat()}"


def claim_review_nudges(now: datetime) -> int:
    plans = plans_in_force()
    sent: dict[int, set[date]] = {p.cycle_id: set() for p in plans}
    for ref_id, key in db.session.execute(sa.select(OutboundMail.ref_id, OutboundMail.dedupe_key).where(
            OutboundMail.kind == NUDGE_KIND, OutboundMail.ref_id.in_(list(sent)))):
        sent[ref_id].add(date.fromisoformat(key.rsplit(":", 1)[1]))
    claims = [(p.cycle_id, dedupe_key(p.cycle_id, day)) for p in plans
              if (day := rules.nudge_due(p.review_dates, now.date(), sent[p.cycle_id])) is not None]
    return len(claim_mails(NUDGE_KIND, claims, now))


def tick(now: datetime) -> str:
    """Registered with `app.clock.on_tick` by `followup.init_app`."""
    claimed = claim_review_nudges(now)
    unit.commit()
    return f"{claimed} review-date nudges claimed"


@dataclass(frozen=True)
class UpcomingReview:
    owner: User
    number: int
    of: int
    on: date


def upcoming_reviews(owner_ids: list[int], today: date) -> list[UpcomingReview]:
    """The next review date of each of these owners' plans in force, soonest first."""
    owners = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(owner_ids)))}
    upcoming = []
    for plan in plans_in_force(owner_ids):
        found = rules.next_review(plan.review_dates, today)
        if found is not None:
            upcoming.append(UpcomingReview(owners[plan.owner_id], found[0], len(plan.review_dates), found[1]))
    return sorted(upcoming, key=lambda r: (r.on, r.owner.name))


def forget_round_mail(cycle: Cycle) -> None:
    """Before a round is deleted (surveys.hooks): its nudges' claims go with it."""
    forget_mails((NUDGE_KIND,), cycle.id)
