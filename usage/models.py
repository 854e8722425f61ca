"""A quarter's usage figures for one organisation, built once after the quarter ends and never changed: what it
published stays published, so no later figure can be subtracted from it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Organisation
from app.timeutil import utcnow
from usage.periods import Quarter


class UsageQuarter(db.Model):
    __tablename__ = "usage_quarters"
    # The claim that makes the quarter's build happen once, whatever restarts or second workers do.
    __table_args__ = (sa.UniqueConstraint("organisation_id", "quarter"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    quarter: so.Mapped[str] = so.mapped_column(sa.String(8))  # Quarter.key, e.g. 2026Q1
    # The cells first published with this quarter: {cell: [count, hidden]} (usage.table names the cells).
    cells: so.Mapped[dict[str, list]] = so.mapped_column(sa.JSON)
    pdf: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    csv: so.Mapped[str] = so.mapped_column(sa.Text)
    built_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()

    @property
    def period(self) -> Quarter:
        return Quarter.from_key(self.quarter)
