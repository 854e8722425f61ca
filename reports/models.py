"""The stored report, who may read it, and the record of every read.

A report holds no readable content in the database: its parts are sealed with its own data key (reports.envelope).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from surveys.models import Cycle


class Report(db.Model):
    __tablename__ = "reports"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # One report per round, ever: a second build from a different set of answers would allow differencing.
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), unique=True)
    wrapped_key: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # The figure table and the content (layout, titles, comments) as JSON; the pages are rendered from them for
    # each reader. Its two PDFs and its page's two fixed bodies (the words differ: "you" for the owner, the owner's
    # name for anyone else) are sealed with the same key and kept outside the database (reports/files.py).
    figures_sealed: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, default=b"", server_default="")
    content_sealed: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, default=b"", server_default="")
    built_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    cycle: so.Mapped[Cycle] = so.relationship()


class ReportShare(db.Model):
    """The owner has let this person (a manager) read the report, until they revoke it."""

    __tablename__ = "report_shares"
    __table_args__ = (sa.UniqueConstraint("report_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shared_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column()

    user: so.Mapped[User] = so.relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReportRead(db.Model):
    """One read of a report (the page or the PDF): the owner can see every one."""

    __tablename__ = "report_reads"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    reader_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reader_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    capacity: so.Mapped[str] = so.mapped_column(sa.String(20))  # owner | facilitator | shared
    form: so.Mapped[str] = so.mapped_column(sa.String(10))  # page | pdf | csv
    read_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
