"""The counts behind the usage figures, read from the other packages: a few grouped statements per quarter and
organisation, however many rounds there are. Only counts leave here; never a name, an answer or a round.

Every count of rounds comes with the number of different owners behind it (a cell of kind `o`, never shown): an
owner can have two rounds in a quarter, and a count of 3 from 2 owners is hidden like a 2.

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
from surveys.models import Cycle, Invitation, InvitationStatus, Response
from usage import table
from usage.periods import FinancialYear, Quarter

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
    """Every cell of one quarter for one organisation, zeros included, with the owners behind each count."""
    return _counts(organisation_id, _at(quarter.start), _at(quarter.end), quarter.key)


def year_owners(organisation_id: int, year: FinancialYear) -> dict[str, int]:
    """The owners behind each of a year's counts: an owner with a round in two quarters is one owner, so these are
    counted over the year, not added up. (The year's counts themselves are the sums of its published quarters.)"""
    counts = _counts(organisation_id, _at(year.quarters[0].start), _at(year.quarters[-1].end), year.key)
    return {k: v for k, v in counts.items() if table.parse(k)[0] == table.OWNERS
            and not table.owners_of(k).startswith(table.FACILITATOR)}


def _counts(organisation_id: int, start: datetime, end: datetime, period: str) -> dict[str, int]:
    in_org = Cycle.owner_id.in_(sa.select(User.id).where(User.organisation_id == organisation_id))
    owners = sa.func.count(sa.distinct(Cycle.owner_id))
    started, started_by = db.session.execute(sa.select(sa.func.count(Cycle.id), owners).where(
        in_org, Cycle.created_at >= start, Cycle.created_at < end)).one()
    closed_here = (Cycle.closed_at >= start) & (Cycle.closed_at < end)
    closed, closed_by = db.session.execute(sa.select(sa.func.count(Cycle.id), owners)
                                           .where(in_org, closed_here)).one()
    invited = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).join(Cycle, Cycle.id == Invitation.cycle_id)
        .where(in_org, closed_here, Invitation.status != InvitationStatus.NOT_SENT))
    # From the responses: no invitation says whether its rater answered (PRODUCT §3.3).
    responded = db.session.scalar(
        sa.select(sa.func.count(Response.id)).join(Cycle, Cycle.id == Response.cycle_id).where(in_org, closed_here))
    found = {table.cell(table.MEASURE, "rounds_started", period): started or 0,
             table.cell(table.MEASURE, table.CLOSED, period): closed or 0,
             table.cell(table.MEASURE, table.INVITED, period): invited or 0,
             table.cell(table.MEASURE, table.RESPONDED, period): responded or 0}
    found |= {table.owners_cell(table.MEASURE, "rounds_started", period): started_by or 0,
              table.owners_cell(table.MEASURE, table.CLOSED, period): closed_by or 0}
    return found | _facilitated(in_org, start, end, period)


def _facilitated(in_org: sa.ColumnElement[bool], start: datetime, end: datetime, period: str) -> dict[str, int]:
    """Sessions (in all and per facilitator), first agreements and evaluations in the period, each with its
    owners: four statements."""
    recorded = (SessionRecord.recorded_at >= start) & (SessionRecord.recorded_at < end)
    owners = sa.func.count(sa.distinct(Cycle.owner_id))
    per_facilitator = db.session.execute(
        sa.select(SessionRecord.facilitator_id, sa.func.count(SessionRecord.cycle_id), owners)
        .join(Cycle, Cycle.id == SessionRecord.cycle_id).where(in_org, recorded)
        .group_by(SessionRecord.facilitator_id)).all()
    session_owners = db.session.scalar(sa.select(owners).select_from(SessionRecord)
                                       .join(Cycle, Cycle.id == SessionRecord.cycle_id).where(in_org, recorded))
    # Each round's first agreement, among this organisation's rounds agreed before the period ended (a first
    # agreement after it is no concern of this period).
    first_agreed = (sa.select(Summary.cycle_id, sa.func.min(Summary.agreed_at).label("at"))
                    .join(Cycle, Cycle.id == Summary.cycle_id).where(in_org, Summary.agreed_at < end)
                    .group_by(Summary.cycle_id).subquery())
    agreed, agreed_by = db.session.execute(
        sa.select(sa.func.count(first_agreed.c.cycle_id), owners).join(Cycle, Cycle.id == first_agreed.c.cycle_id)
        .where(in_org, first_agreed.c.at >= start, first_agreed.c.at < end)).one()
    evaluations = db.session.execute(
        sa.select(Evaluation.ratings, Cycle.owner_id).join(Cycle, Cycle.id == Evaluation.cycle_id)
        .where(in_org, Evaluation.submitted_at >= start, Evaluation.submitted_at < end)).all()
    found = {table.cell(table.MEASURE, table.SESSIONS, period): sum(n for _, n, _ in per_facilitator),
             table.cell(table.MEASURE, table.AGREED, period): agreed or 0,
             table.cell(table.MEASURE, table.EVALUATIONS, period): len(evaluations),
             table.owners_cell(table.MEASURE, table.SESSIONS, period): session_owners or 0,
             table.owners_cell(table.MEASURE, table.AGREED, period): agreed_by or 0,
             table.owners_cell(table.MEASURE, table.EVALUATIONS, period): len({o for _, o in evaluations})}
    # A session whose facilitator's account has gone is kept as "a former facilitator" (id 0), so the
    # facilitators' sessions still add up to the organisation's.
    for facilitator, n, by in per_facilitator:
        found[table.cell(table.FACILITATOR, facilitator or table.FORMER, period)] = n
        found[table.owners_cell(table.FACILITATOR, facilitator or table.FORMER, period)] = by
    if evaluations:
        found |= {table.cell(table.EVALUATION_SUM, key, period): sum(int(r[key]) for r, _ in evaluations)
                  for key in QUESTIONS}
    return found


def first_activity(organisation_id: int) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.min(Cycle.created_at)).join(User, User.id == Cycle.owner_id)
                             .where(User.organisation_id == organisation_id))
