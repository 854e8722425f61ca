"""A goal check-in and everything gathered in it (PRODUCT §10), laid out as a round is (surveys/models.py).

A CheckInRater knows who was asked and whether they are still outstanding; a CheckInResponse holds the answers with
only its check-in, a random key that every submission replaces, and one encrypted value padded to the round's fixed
size (surveys/sealed.py). Nothing joins them, and there is no time on a response. Token hashes and cookie sessions
have tables of their own, so all of a rater's go at once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from facilitator.models import Summary
from followup.checkin.rules import CheckInState
from surveys.models import Cycle, InvitationStatus, outstanding
from surveys.sealed import PaddedJSON


def _enum(cls: type[Any]) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class CheckIn(db.Model):
    __tablename__ = "checkins"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The round whose agreed summary the goals come from; the owner is that round's.
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    # The agreed summary version whose goals it asks about, as they read when it was sent (a later version may
    # reword them; every version is kept, and its goals stay encrypted with it).
    summary_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("conversation_summaries.id", ondelete="CASCADE"),
                                                  index=True)
    state: so.Mapped[CheckInState] = so.mapped_column(_enum(CheckInState), default=CheckInState.OPEN)
    close_on: so.Mapped[date] = so.mapped_column()
    sent_at: so.Mapped[datetime] = so.mapped_column()
    closed_at: so.Mapped[datetime | None] = so.mapped_column()
    # The owner's counts as of the last daily update, never live: [invited, responded, declined] (PRODUCT §2.6).
    counts: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON)
    counts_updated_at: so.Mapped[datetime | None] = so.mapped_column()
    raters_purged_at: so.Mapped[datetime | None] = so.mapped_column()

    cycle: so.Mapped[Cycle] = so.relationship(lazy="joined", innerjoin=True)
    summary: so.Mapped[Summary] = so.relationship()
    raters: so.Mapped[list[CheckInRater]] = so.relationship(
        back_populates="checkin", cascade="all, delete-orphan", passive_deletes=True, order_by="CheckInRater.id")

    @property
    def goals(self) -> list[dict[str, str]]:
        return [{"key": g["key"], "what": g["what"]} for g in self.summary.goals]

    @property
    def goal_keys(self) -> list[str]:
        return [g["key"] for g in self.goals]


class CheckInRater(db.Model):
    """A person asked. Its status is only INVITED (outstanding: the link works, reminders reach them) or DONE
    (answered, or the check-in closed): never which."""

    __tablename__ = "checkin_raters"
    __table_args__ = (sa.UniqueConstraint("checkin_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    checkin_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    email: so.Mapped[str] = so.mapped_column(sa.String(320))
    status: so.Mapped[InvitationStatus] = so.mapped_column(_enum(InvitationStatus),
                                                           default=InvitationStatus.INVITED)
    invited_at: so.Mapped[datetime] = so.mapped_column()

    checkin: so.Mapped[CheckIn] = so.relationship(back_populates="raters", lazy="joined", innerjoin=True)

    @property
    def is_outstanding(self) -> bool:
        return outstanding(self.status, None)


class CheckInLink(db.Model):
    __tablename__ = "checkin_links"

    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    rater_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checkin_raters.id", ondelete="CASCADE"), index=True)


class CheckInSession(db.Model):
    __tablename__ = "checkin_sessions"

    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    rater_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checkin_raters.id", ondelete="CASCADE"), index=True)
    expires_at: so.Mapped[datetime] = so.mapped_column()


def _random_key() -> str:
    return uuid.uuid4().hex


class CheckInResponse(db.Model):
    """A submitted answer: its check-in and one sealed value ({"answers", "comment"}). No rater, no time, and no
    key that lasts (followup.checkin.operations.submit writes every response of the check-in again)."""

    __tablename__ = "checkin_responses"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (no hidden insertion order on SQLite)

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=_random_key)
    checkin_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    content: so.Mapped[dict[str, Any]] = so.mapped_column(PaddedJSON("checkin_responses.content"))
