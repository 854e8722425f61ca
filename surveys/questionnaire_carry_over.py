"""Which statements of one published questionnaire version carry over to another (PRODUCT §2.3, §10), as an
administrator declared them on the compare page.

A declaration holds one row per statement of the older version: the newer statement it carries over to, or none.
The change since the last report (followup.change) compares a figure across two versions only through a
declaration; with none, two versions are not compared at all. Declaring again replaces the rows and is audited
again; a report already built keeps the change it sealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from surveys.questionnaire_compare_rules import chained_carry_over
from surveys.questionnaire_models import ContentAudit, ContentVersion
from surveys.questionnaire_rules import Status


class CarryOver(db.Model):
    """One statement of the older version, and the newer statement it carries over to (None: it does not)."""

    __tablename__ = "questionnaire_carry_overs"

    older_version: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    newer_version: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    older_key: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    newer_key: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    declared_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


def _rows(older: str, newer: str) -> list[CarryOver]:
    return list(db.session.scalars(sa.select(CarryOver).where(CarryOver.older_version == older,
                                                              CarryOver.newer_version == newer)))


def declared(older: str, newer: str) -> dict[str, str | None] | None:
    """The declaration from `older` to `newer` (older key → newer key or None), or None if nobody declared one."""
    rows = _rows(older, newer)
    return {row.older_key: row.newer_key for row in rows} if rows else None


def carried(earlier: str, later: str) -> dict[str, str] | None:
    """For two rounds' versions: earlier key → later key of every statement that carries over, from a declaration
    either way round (one declared from the later to the earlier version, read backwards), else through a chain of
    declarations (questionnaire_compare_rules.chained_carry_over); None if no declaration joins them."""
    forward = declared(earlier, later)
    if forward is not None:
        return {k: v for k, v in forward.items() if v is not None}
    backward = declared(later, earlier)
    if backward is not None:
        return {v: k for k, v in backward.items() if v is not None}
    every: dict[tuple[str, str], dict[str, str | None]] = {}
    for row in db.session.scalars(sa.select(CarryOver)):
        every.setdefault((row.older_version, row.newer_version), {})[row.older_key] = row.newer_key
    return chained_carry_over(every, earlier, later)


def declared_at(older: str, newer: str) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(CarryOver.declared_at)).where(
        CarryOver.older_version == older, CarryOver.newer_version == newer))


def audit_action(older: str) -> str:
    """The audit line, within its column of 40 characters whatever the version's name."""
    action = f"Carry-over from {older} declared"
    return action if len(action) <= 40 else f"Carry-over from {older}"


def declare(older: ContentVersion, newer: ContentVersion, chosen: Mapping[str, str | None], actor: User) -> None:
    """Store a declaration the rules accepted (questionnaire_compare_rules.carry_over_problems), replacing any
    before it. Flushes, never commits."""
    assert Status.DRAFT not in (older.status, newer.status), "checked by refusal_to_declare"
    for row in _rows(older.version, newer.version):
        db.session.delete(row)
    db.session.flush()
    now = utcnow()
    db.session.add_all(CarryOver(older_version=older.version, newer_version=newer.version, older_key=key,
                                 newer_key=target, declared_at=now) for key, target in chosen.items())
    db.session.add(ContentAudit(user_id=actor.id, user_name=actor.name, kind=newer.kind, version=newer.version,
                                action=audit_action(older.version)))
    db.session.flush()
