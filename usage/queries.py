"""The counts behind the usage figures, read from the other packages: a few grouped statements per quarter and
organisation, however many rounds there are. Only counts leave here; never a name, an answer or a round.

Which rows each figure counts, and why:
- rounds started: rounds created in the quarter (whatever became of them);
- rounds closed: rounds whose close fell in the quarter;
- raters invited and raters who responded: in the rounds closed in the quarter. A response carries no time
  (PRODUCT §3.3), so responses are counted with their round's close, when they are final: a figure that could
  grow day by day would time one rater's answer.
- rounds with a session: session records entered in the quarter (the date the facilitator recorded it, not the
  date they say it was held: a session held on 30 March but recorded on 2 April would otherwise miss a quarter
  already published), each with the facilitator who recorded it;
- summaries agreed: rounds whose first agreed summary was agreed in the quarter (a later version is not counted
  again);
- rounds evaluated: evaluations submitted in the quarter, with the sum of each question's ratings (the averages are
  shown from these sums, and the sums are checked like every other cell).
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from facilitator.models import Evaluation, SessionRecord, Summary
from facilitator.rules import EVALUATION_QUESTIONS
from surveys.models import Cycle, Invitation, InvitationStatus
from usage import table
from usage.periods import Quarter

MEASURES: dict[str, str] = {
    "rounds_started": "Rounds started",
    "rounds_closed": "Rounds closed",
    table.INVITED: "Raters invited",
    table.RESPONDED: "Raters who responded",
    table.SESSIONS: "Rounds with a session",
    table.AGREED: "Summaries agreed",
    table.EVALUATIONS: "Rounds evaluated",
}
QUESTIONS: dict[str, str] = dict(EVALUATION_QUESTIONS)


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min)


def quarter_counts(organisation_id: int, quarter: Quarter) -> dict[str, int]:
    """Every cell of one quarter for one organisation, zeros included."""
    start, end = _at(quarter.start), _at(quarter.end)
    in_org = Cycle.owner_id.in_(sa.select(User.id).where(User.organisation_id == organisation_id))
    started = db.session.scalar(sa.select(sa.func.count(Cycle.id)).where(
        in_org, Cycle.created_at >= start, Cycle.created_at < end)) or 0
    closed_here = (Cycle.closed_at >= start) & (Cycle.closed_at < end)
    closed = db.session.scalar(sa.select(sa.func.count(Cycle.id)).where(in_org, closed_here)) or 0
    invited, responded = db.session.execute(
        sa.select(sa.func.count(Invitation.id),
                  sa.func.count(Invitation.id).filter(Invitation.status == InvitationStatus.RESPONDED))
        .join(Cycle, Cycle.id == Invitation.cycle_id)
        .where(in_org, closed_here, Invitation.status != InvitationStatus.NOT_SENT)).one()
    counts = {"rounds_started": started, "rounds_closed": closed, table.INVITED: invited or 0,
              table.RESPONDED: responded or 0}
    found = {table.cell(table.MEASURE, name, quarter.key): value for name, value in counts.items()}
    return found | _facilitated(in_org, start, end, quarter.key)


def _facilitated(in_org: sa.ColumnElement[bool], start: datetime, end: datetime, period: str) -> dict[str, int]:
    """Sessions (in all and per facilitator), first agreements and evaluations in the quarter: three statements."""
    per_facilitator = db.session.execute(
        sa.select(SessionRecord.facilitator_id, sa.func.count(SessionRecord.cycle_id))
        .join(Cycle, Cycle.id == SessionRecord.cycle_id)
        .where(in_org, SessionRecord.recorded_at >= start, SessionRecord.recorded_at < end)
        .group_by(SessionRecord.facilitator_id)).all()
    first_agreed = (sa.select(Summary.cycle_id, sa.func.min(Summary.agreed_at).label("at"))
                    .where(Summary.agreed_at.is_not(None)).group_by(Summary.cycle_id).subquery())
    agreed = db.session.scalar(
        sa.select(sa.func.count(first_agreed.c.cycle_id)).join(Cycle, Cycle.id == first_agreed.c.cycle_id)
        .where(in_org, first_agreed.c.at >= start, first_agreed.c.at < end)) or 0
    ratings = db.session.scalars(
        sa.select(Evaluation.ratings).join(Cycle, Cycle.id == Evaluation.cycle_id)
        .where(in_org, Evaluation.submitted_at >= start, Evaluation.submitted_at < end)).all()
    found = {table.cell(table.MEASURE, table.SESSIONS, period): sum(n for _, n in per_facilitator),
             table.cell(table.MEASURE, table.AGREED, period): agreed,
             table.cell(table.MEASURE, table.EVALUATIONS, period): len(ratings)}
    # A session whose facilitator's account has gone is kept as "a former facilitator" (id 0), so the
    # facilitators' sessions still add up to the organisation's.
    found |= {table.cell(table.FACILITATOR, facilitator or table.FORMER, period): n
              for facilitator, n in per_facilitator}
    if ratings:
        found |= {table.cell(table.EVALUATION_SUM, key, period): sum(int(r[key]) for r in ratings)
                  for key in QUESTIONS}
    return found


def first_activity(organisation_id: int) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.min(Cycle.created_at)).join(User, User.id == Cycle.owner_id)
                             .where(User.organisation_id == organisation_id))
