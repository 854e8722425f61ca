"""The clock's part for usage: after each quarter ends, build its figures once per organisation and email the
local leads. Safe to run twice or on two workers at once: the quarter's row is unique per organisation, and the
mail is claimed in the same transaction."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import db as unit
from app.extensions import db
from app.mail import queue_mail
from app.models import Organisation, Role, User, UserRole
from usage import operations
from usage.periods import Quarter, last_complete, quarters_from

log = logging.getLogger(__name__)
# Each quarter's report is a PDF (about a second to draw): a first run that backfills years of quarters for many
# organisations spreads over several ticks rather than holding one for minutes.
MAX_BUILDS_PER_TICK = 4


def tick(now: datetime) -> str:
    last = last_complete(now.date())
    built = 0
    for org_id, latest in sorted(operations.latest_quarters().items()):
        if latest is not None and Quarter.from_key(latest) >= last:
            continue
        org = db.session.get(Organisation, org_id)
        assert org is not None
        start = Quarter.from_key(latest).next() if latest else operations.first_quarter(org, last)
        for quarter in quarters_from(start, last):
            if built >= MAX_BUILDS_PER_TICK:
                return f"built {built} usage quarters, more next tick"
            if not _build(org, quarter, notify=quarter == last):
                break
            built += 1
    return f"built {built} usage quarters"


def _build(org: Organisation, quarter: Quarter, notify: bool) -> bool:
    try:
        row = operations.build_quarter(org, quarter)
        if notify:
            for lead_id in _local_leads(org.id):
                queue_mail("usage_report", lead_id, f"usage-report:{row.id}:{lead_id}")
        unit.commit()
    except IntegrityError:  # another worker built it first
        unit.rollback()
        return False
    return True


def _local_leads(org_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(User.id).join(UserRole).where(
        User.organisation_id == org_id, User.is_active_account, UserRole.role == Role.LOCAL_LEAD)))
