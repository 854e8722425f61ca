"""What the owner's export holds of their check-ins (PRODUCT §7), and what goes with a deleted round.

The rows go with their round by ON DELETE CASCADE; what no foreign key ties to them is the outbox's claims for the
mail they caused, which `forget_round_mail` drops."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.mail import forget_mails
from app.owner_data import ExportPart, iso
from followup.checkin import operations
from followup.checkin.models import CheckIn, CheckInRater
from surveys.models import Cycle


def _checkin(checkin: CheckIn) -> dict[str, Any]:
    found = operations.results(checkin)
    counts = operations.counts_of(checkin)
    return {
        "round_id": checkin.cycle_id, "sent_at": iso(checkin.sent_at), "close_on": checkin.close_on.isoformat(),
        "closed_at": iso(checkin.closed_at),
        "asked": [{"name": r.name, "email": r.email} for r in checkin.raters]
        if checkin.raters_purged_at is None else len(checkin.raters),
        "counts": None if counts is None else {"invited": counts.invited, "responded": counts.responded,
                                               "declined": counts.declined, "as_of": iso(checkin.counts_updated_at)},
        "goals": [{"key": g["key"], "what": line.what,
                   "figure": float(line.result.value) if line.result and line.result.shown else None,
                   "answers": line.result.answers if line.result and line.result.shown else None}
                  for g, line in zip(checkin.goals, found.lines, strict=True)],
        "responses": found.responses,
        "comments": found.comments,
    }


EXPORT = ExportPart(
    key="goal_checkins", description="the goal check-ins you sent, newest first",
    fields={
        "round_id": "the round whose agreed goals it asked about (see rounds)",
        "sent_at": "when you sent it", "close_on": "its close date", "closed_at": "when it closed (empty while open)",
        "asked": "the people you asked: name and email (only how many, once their details are purged after the "
                 "close; never whether they answered)",
        "counts": "invited, responded and declined as of the last daily update (as_of)",
        "goals": "each goal asked about: key, what, figure (the average answer from -2 to +2, shown only on 3 or "
                 "more answers, else empty; empty while open) and answers (how many it rests on)",
        "responses": "how many people answered (empty while open)",
        "comments": "their comments, in no particular order, once closed and only from 3 answers on",
    },
    collect=lambda owner: [_checkin(c) for c in operations.checkins_of(owner.id)])


def forget_round_mail(cycle: Cycle) -> None:
    """Before a round is deleted (surveys.hooks): the claims of its check-ins' mail go with it."""
    checkin_ids = list(db.session.scalars(sa.select(CheckIn.id).where(CheckIn.cycle_id == cycle.id)))
    forget_mails((operations.CLOSED_KIND,), *checkin_ids)
    rater_ids = db.session.scalars(sa.select(CheckInRater.id).where(CheckInRater.checkin_id.in_(checkin_ids)))
    forget_mails(operations.RATER_MAIL_KINDS, *rater_ids)


def what_round_deletion_removes(cycle: Cycle) -> list[str]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(CheckIn.cycle_id == cycle.id))
    return [f"your goal check-ins about its goals ({count})"] if count else []


