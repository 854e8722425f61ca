"""Reminders, set-based: load the outstanding invitations of open rounds and the reminders each has had in two
queries, ask the pure rules (surveys/reminders.py) which are due, and claim them all in one batched insert.

The number of statements does not grow with the number of invitations: a tick over 10 000 raters runs the same
handful as one over 10 (bench/reminders.py shows it). A reminder is claimed in the outbox under
`reminder:{invitation_id}:{kind}` in the transaction that decides it, before anything is sent, so retries,
restarts and duplicate workers cannot send it twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import OutboundMail, claim_mails
from surveys import reminders
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation, InvitationStatus

MAIL_KIND = "reminder"


def dedupe_key(invitation_id: int, kind: str) -> str:
    return f"{MAIL_KIND}:{invitation_id}:{kind}"


@dataclass(frozen=True)
class Outstanding:
    """An invitation that may be reminded, with what the rules need to know about it."""

    invitation_id: int
    close_on: date
    facts: reminders.RaterFacts


def _scope(statement: sa.Select, now: datetime, cycle_id: int | None, candidates_only: bool) -> sa.Select:
    """Outstanding invitations of rounds still open for responses. `candidates_only` narrows to those the rules
    could find due: invited at least 5 days ago, or in a round within 2 days of its close date (any reminder needs
    one or the other), so a routine tick reads only the few rows that matter."""
    today = now.date()
    statement = statement.where(Cycle.state == CycleState.OPEN, Cycle.close_on >= today,
                                Invitation.status == InvitationStatus.INVITED, Invitation.invited_at.is_not(None),
                                Invitation.withdrawn_at.is_(None))
    if cycle_id is not None:
        statement = statement.where(Cycle.id == cycle_id)
    if candidates_only:
        statement = statement.where(sa.or_(
            Invitation.invited_at <= now - reminders.INTERVAL,
            Cycle.close_on <= today + timedelta(days=reminders.LAST_DAYS_BEFORE_CLOSE)))
    return statement


def load(now: datetime, cycle_id: int | None = None, candidates_only: bool = False) -> list[Outstanding]:
    """Two queries whatever the number of invitations: the invitations, then every reminder claimed for them."""
    invitations = db.session.execute(_scope(
        sa.select(Invitation.id, Invitation.status, Invitation.invited_at, Cycle.close_on)
        .join(Cycle, Cycle.id == Invitation.cycle_id), now, cycle_id, candidates_only)).all()
    if not invitations:
        return []
    claims = db.session.execute(_scope(
        sa.select(OutboundMail.ref_id, OutboundMail.dedupe_key, OutboundMail.created_at)
        .join(Invitation, Invitation.id == OutboundMail.ref_id).join(Cycle, Cycle.id == Invitation.cycle_id)
        .where(OutboundMail.kind == MAIL_KIND), now, cycle_id, candidates_only)).all()
    sent: dict[int, dict[str, datetime]] = defaultdict(dict)
    for ref_id, key, created_at in claims:
        sent[ref_id][key.split(":", 2)[2]] = created_at
    return [Outstanding(i, close_on, reminders.RaterFacts(str(status), invited_at, sent.get(i, {})))
            for i, status, invited_at, close_on in invitations]


def claim(raters: Sequence[Outstanding], kinds: Sequence[str], now: datetime) -> list[int]:
    """Claim reminder `kinds[n]` for `raters[n]`; returns the outbox ids created (keys claimed before are skipped)."""
    return claim_mails(MAIL_KIND, [(r.invitation_id, dedupe_key(r.invitation_id, kind))
                                   for r, kind in zip(raters, kinds, strict=True)], now)


def claim_due(now: datetime) -> int:
    """The clock's part: claim every reminder due now. Delivery is queued when the caller commits."""
    due = [(rater, kind) for rater in load(now, candidates_only=True)
           if (kind := reminders.due_reminder(rater.facts, rater.close_on, now)) is not None]
    return len(claim([r for r, _ in due], [k for _, k in due], now))
