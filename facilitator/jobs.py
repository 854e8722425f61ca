"""The clock's part for the facilitated session: evaluation reminders, 3 and 10 days after the summary is agreed,
each at most once. Each is claimed in the outbox under `evaluation:{cycle_id}:{kind}` in the transaction that
decides it (app.mail's exactly-once claims), so a tick that runs twice, late or on two workers cannot send it twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.mail import OutboundMail, claim_mails
from facilitator import rules
from facilitator.models import Summary
from surveys.cycle import CycleState
from surveys.models import Cycle

REMINDER_KIND = "evaluation_reminder"


def claim_evaluation_reminders(now: datetime) -> int:
    """Claim every evaluation reminder due now, in two queries whatever the number of rounds."""
    earliest = now - timedelta(days=min(rules.REMINDER_DAYS.values()))
    agreed = db.session.execute(
        sa.select(Summary.cycle_id, sa.func.min(Summary.agreed_at)).join(Cycle, Cycle.id == Summary.cycle_id)
        .where(Cycle.state == CycleState.SUMMARY_AGREED, Summary.agreed_at.is_not(None))
        .group_by(Summary.cycle_id).having(sa.func.min(Summary.agreed_at) <= earliest)).all()
    if not agreed:
        return 0
    sent: dict[int, set[str]] = defaultdict(set)
    for ref_id, key in db.session.execute(sa.select(OutboundMail.ref_id, OutboundMail.dedupe_key).where(
            OutboundMail.kind == REMINDER_KIND, OutboundMail.ref_id.in_([c for c, _ in agreed]))):
        sent[ref_id].add(key.rsplit(":", 1)[1])
    claims = [(cycle_id, f"evaluation:{cycle_id}:{kind}") for cycle_id, agreed_at in agreed
              if (kind := rules.evaluation_reminder_due(agreed_at, now, sent[cycle_id])) is not None]
    return len(claim_mails(REMINDER_KIND, claims, now))


def tick(now: datetime) -> str:
    """Registered with `app.clock.on_tick` by `facilitator.init_app`."""
    claimed = claim_evaluation_reminders(now)
    unit.commit()
    return f"{claimed} evaluation reminders claimed"
