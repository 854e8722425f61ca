"""The facilitated session's records (PRODUCT §5, §6): who facilitates whom, the session, the release of a report,
reads of the Preparation Document, the conversation summary and its versions, goal progress, sharing the summary
with a manager, and the owner's evaluation. Free text is encrypted at rest (app.encrypted)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.encrypted import EncryptedJSON, EncryptedText
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from facilitator.rules import GoalStatus, SessionMode, SummaryStatus
from surveys.models import Cycle


def _enum(cls: type) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def _random_key() -> str:
    return uuid.uuid4().hex


class FacilitatorAssignment(db.Model):
    """Which facilitator an owner has: set by an administrator or local lead."""

    __tablename__ = "facilitator_assignments"

    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    owner: so.Mapped[User] = so.relationship(foreign_keys=[owner_id])
    facilitator: so.Mapped[User] = so.relationship(foreign_keys=[facilitator_id])


class SessionRecord(db.Model):
    """The facilitated session was held: when and how."""

    __tablename__ = "facilitated_sessions"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    held_on: so.Mapped[date] = so.mapped_column()
    mode: so.Mapped[SessionMode] = so.mapped_column(_enum(SessionMode))
    facilitator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class ReportRelease(db.Model):
    """Where the organisation has the facilitator read the report first: when it was released to the owner."""

    __tablename__ = "report_releases"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    released_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    released_by_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    released_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class DocumentRead(db.Model):
    """One read of an owner's Preparation Document or conversation summary by someone else: the owner sees each."""

    __tablename__ = "document_reads"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    document: so.Mapped[str] = so.mapped_column(sa.String(20))  # preparation | summary | plan_pdf
    reader_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reader_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    capacity: so.Mapped[str] = so.mapped_column(sa.String(20))  # facilitator | shared
    read_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class Summary(db.Model):
    """One version of a round's conversation summary. While it is being worked out (proposed, changes asked for)
    the facilitator revises it in place; once agreed it is locked, and a later change is a new version."""

    __tablename__ = "conversation_summaries"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "version"),)

    # Chosen before the row is written, so every encrypted value can be bound to its row (app.encrypted).
    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=_random_key)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    version: so.Mapped[int] = so.mapped_column(default=1)
    status: so.Mapped[SummaryStatus] = so.mapped_column(_enum(SummaryStatus), default=SummaryStatus.PROPOSED)
    # key_points, strengths, development_areas (text) and goals (a list of dicts), encrypted as one value.
    content: so.Mapped[dict[str, Any]] = so.mapped_column(EncryptedJSON("conversation_summaries.content"))
    change_request: so.Mapped[str | None] = so.mapped_column(EncryptedText("conversation_summaries.change_request"))
    revision: so.Mapped[int] = so.mapped_column(default=1)  # counts proposals of this version: one mail each
    facilitator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    proposed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    agreed_at: so.Mapped[datetime | None] = so.mapped_column()

    cycle: so.Mapped[Cycle] = so.relationship()

    @property
    def goals(self) -> list[dict[str, Any]]:
        return list(self.content.get("goals", []))


class GoalProgress(db.Model):
    """The owner's record of one goal: kept by the goal's key, so it carries over to a later version."""

    __tablename__ = "goal_progress"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "goal_key"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=_random_key)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    goal_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    status: so.Mapped[GoalStatus] = so.mapped_column(_enum(GoalStatus), default=GoalStatus.NOT_STARTED)
    note: so.Mapped[str | None] = so.mapped_column(EncryptedText("goal_progress.note"))
    completed_on: so.Mapped[date | None] = so.mapped_column()
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class SummaryShare(db.Model):
    """The owner lets their manager read the agreed summary (the development plan), until they revoke it."""

    __tablename__ = "summary_shares"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shared_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column()

    user: so.Mapped[User] = so.relationship()
    cycle: so.Mapped[Cycle] = so.relationship()


class Evaluation(db.Model):
    """The owner's evaluation of the facilitated process, once per round."""

    __tablename__ = "evaluations"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                             index=True)
    ratings: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON)
    comment: so.Mapped[str | None] = so.mapped_column(EncryptedText("evaluations.comment"))
    submitted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # In its facilitator's published averages (FacilitatorAverages): from then on deleting it leaves them as they are.
    is_published: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    cycle: so.Mapped[Cycle] = so.relationship()
    facilitator: so.Mapped[User | None] = so.relationship()


class FacilitatorAverages(db.Model):
    """A facilitator's published evaluation figures (facilitator.rules.PublishedAverages): how many evaluations,
    and each question's sum, added in whole blocks of 3. De-identified counters (PRODUCT §7): they outlive the
    evaluations they were built from, so that a deleted round cannot move a published average."""

    __tablename__ = "facilitator_averages"

    facilitator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                                      primary_key=True)
    count: so.Mapped[int] = so.mapped_column(default=0)
    sums: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON, default=dict)
