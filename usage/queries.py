"""The counts behind the usage figures, read from the other packages: a few grouped statements per quarter and
organisation, however many rounds there are. Only counts leave here; never a name, an answer or a round.

Which rows each figure counts, and why:
- rounds started: rounds created in the quarter (whatever became of them);
- rounds closed: rounds whose close fell in the quarter;
- raters invited and raters who responded: in the rounds closed in the quarter. A response carries no time
  (PRODUCT §3.3), so responses are counted with their round's close, when they are final: a figure that could
  grow day by day would time one rater's answer.
Sessions held, summaries agreed and evaluations join these once the facilitated session (facilitator/) records
them; until then the usage view says they are not recorded yet.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from surveys.models import Cycle, Invitation, InvitationStatus
from usage import table
from usage.periods import Quarter

MEASURES: dict[str, str] = {
    "rounds_started": "Rounds started",
    "rounds_closed": "Rounds closed",
    table.INVITED: "Raters invited",
    table.RESPONDED: "Raters who responded",
}
NOT_YET_RECORDED = ("Rounds with a session", "Summaries agreed", "Rounds evaluated", "Sessions per facilitator",
                    "Evaluation averages")


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
    return {table.cell(table.MEASURE, name, quarter.key): value for name, value in counts.items()}


def first_activity(organisation_id: int) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.min(Cycle.created_at)).join(User, User.id == Cycle.owner_id)
                             .where(User.organisation_id == organisation_id))
