"""The round and everything gathered in it.

Anonymity is kept by layout (PRODUCT §3.3): an Invitation knows who was asked and whether they have answered;
a Response holds the answers with only its cycle and category, a random key, and no time. Nothing joins them.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.encrypted import EncryptedJSON, EncryptedText
from app.extensions import db
from app.models import Organisation, User
from app.timeutil import utcnow
from surveys import cycle as rules
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.questionnaire import Questionnaire, for_round
from surveys.rules.nomination import ListFacts, step_status
from surveys.sealed import Padded, PaddedJSON, padded_size, stored_as_is


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class _ChosenOnAForm(sa.types.TypeDecorator[enum.Enum]):
    """An optional choice saved from a form, stored as its value. A stored value that matches no choice (put there
    by hand, or by a form that once let whitespace through) reads as no answer, so no page that shows it fails."""

    impl = sa.String(20)
    cache_ok = True

    def __init__(self, cls: type[enum.Enum]) -> None:
        super().__init__()
        self.choices = cls

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else self.choices(value).value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> enum.Enum | None:
        try:
            return None if value is None else self.choices(value)
        except ValueError:
            return None


class Cycle(db.Model):
    __tablename__ = "cycles"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    state: so.Mapped[CycleState] = so.mapped_column(_enum(CycleState), default=CycleState.DRAFT)
    questionnaire_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    # The organisation's own "Values — Shared" statements as they were when the round started: [key, self, rater].
    org_statements: so.Mapped[list[list[str]]] = so.mapped_column(sa.JSON, default=list)
    close_on: so.Mapped[date] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    opened_at: so.Mapped[datetime | None] = so.mapped_column()
    closed_at: so.Mapped[datetime | None] = so.mapped_column()
    # The day the owner last sent "remind all outstanding": at most once a day, claimed by a guarded UPDATE.
    reminded_all_on: so.Mapped[date | None] = so.mapped_column()
    # Set when the owner finishes the round after its report without a facilitated session (PRODUCT §2).
    finished_early_at: so.Mapped[datetime | None] = so.mapped_column()
    # When the owner cancelled it (closed_at is set too, but to when it closed, if it had closed first).
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column()
    # Retention (surveys/retention.py): when the raters' names, emails and token hashes were purged, and when the
    # owner was told the round will be deleted.
    raters_purged_at: so.Mapped[datetime | None] = so.mapped_column()
    deletion_notified_at: so.Mapped[datetime | None] = so.mapped_column()
    # The owner's completion counts as of the last daily update, never live (surveys/rules/daily_counts.py):
    # [[category, invited, responded, declined], ...], and when they were taken.
    counts: so.Mapped[list[list[Any]] | None] = so.mapped_column(sa.JSON)
    counts_updated_at: so.Mapped[datetime | None] = so.mapped_column()
    # The organisation's settings that shape a round, as they were when it started: a setting changed later applies
    # to rounds started after it, so nobody loses a report they have read or gains a step they never took.
    requires_nomination_approval: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    facilitator_releases_report: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    # Joined: every page about a round shows whose it is; a second query per page for the name was a fifth of a
    # rater page's time.
    owner: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)
    invitations: so.Mapped[list[Invitation]] = so.relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="Invitation.id")
    preparation: so.Mapped[PreparationDocument | None] = so.relationship(cascade="all, delete-orphan")
    self_assessment: so.Mapped[SelfAssessment | None] = so.relationship(cascade="all, delete-orphan")
    returned_list: so.Mapped[ReturnedList | None] = so.relationship(cascade="all, delete-orphan",
                                                                     passive_deletes=True)

    def questionnaire(self) -> Questionnaire:
        return for_round(self.questionnaire_version, self.org_statements)

    def list_facts(self) -> ListFacts:
        _, listed, awaiting, unrequested = db.session.execute(_list_counts(), {"cycle_id": self.id}).one()
        return self._list_facts(listed, awaiting, unrequested)

    def _list_facts(self, listed: int, awaiting: int, unrequested: int) -> ListFacts:
        return ListFacts(requires_approval=self.requires_nomination_approval, listed=listed, awaiting=awaiting,
                         unrequested=unrequested)

    def facts(self) -> rules.RoundFacts:
        """The round's facts for its steps, in one statement (`_round_counts`)."""
        (rater_count, listed, awaiting, unrequested, preparation_started, preparation_submitted, self_submitted,
         self_answers) = db.session.execute(_round_counts(), {"cycle_id": self.id}).one()
        return rules.RoundFacts(
            approval=step_status(self._list_facts(listed, awaiting, unrequested)),
            state=self.state,
            preparation_submitted=bool(preparation_submitted),
            self_assessment_submitted=bool(self_submitted),
            rater_count=rater_count,
            preparation_started=bool(preparation_started),
            self_assessment_started=bool(self_answers),
            finished_early=self.finished_early_at is not None,
            opened=self.opened_at is not None,
        )

    @property
    def is_active(self) -> bool:
        return rules.is_active(self.state, self.finished_early_at is not None)


class ReturnedList(db.Model):
    """The facilitator's note when they send an owner's rater list back (nomination approval, PRODUCT §2.4): what
    to change. Personal free text, so encrypted like every other (app/encrypted.py), and deleted once it no longer
    serves: when the facilitator confirms the list, and when the round stops taking raters (surveys.operations)."""

    __tablename__ = "returned_lists"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    note: so.Mapped[str] = so.mapped_column(EncryptedText("returned_lists.note"))
    returned_at: so.Mapped[datetime] = so.mapped_column()


class Position(enum.StrEnum):
    """Which of three positions fits the owner today (PRODUCT §2.2). Their words are the round's questionnaire
    version's (`Questionnaire.preparation`), so a new version can reword them; the keys stored here stay."""

    STAY = "stay"
    BROADEN = "broaden"
    STEP_UP = "step_up"


class PreparationDocument(db.Model):
    __tablename__ = "preparation_documents"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    # The owner's own reflections: encrypted like every free text the product keeps.
    texts: so.Mapped[dict[str, str]] = so.mapped_column(EncryptedJSON("preparation.texts"), default=dict)
    ratings: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON, default=dict)
    position: so.Mapped[Position | None] = so.mapped_column(_ChosenOnAForm(Position))
    submitted_at: so.Mapped[datetime | None] = so.mapped_column()


class SelfAssessment(db.Model):
    __tablename__ = "self_assessments"

    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    answers: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column()


class InvitationStatus(enum.StrEnum):
    """Where a named rater stands. Deliberately never whether they answered or declined (PRODUCT §3.3): once they
    do either, and for everyone left when the round stops taking responses, the row says only DONE. The owner's
    counts of responses per group come from the responses themselves (`surveys.operations.update_counts`)."""

    NOT_SENT = "not_sent"
    INVITED = "invited"  # outstanding: their link works and reminders reach them
    DONE = "done"  # answered or declined, or the round ended: which is recorded nowhere


def sent(status: InvitationStatus) -> bool:
    """Invited: from now on the owner can only withdraw this rater, whatever they have done since. Plain values, so
    the raters page's Core read (surveys/rater_rows.py) asks the same question as the model."""
    return status is not InvitationStatus.NOT_SENT


def outstanding(status: InvitationStatus, withdrawn_at: datetime | None) -> bool:
    """Invited, not withdrawn, and neither answered nor declined: their link works and reminders reach them. Plain
    values, so a Core read of a rater's page (surveys/links.py) asks the same question as the model."""
    return status is InvitationStatus.INVITED and withdrawn_at is None


class Invitation(db.Model):
    """A rater asked for feedback. It records that they answered, never what."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    email: so.Mapped[str] = so.mapped_column(sa.String(320))
    category: so.Mapped[Category] = so.mapped_column(_enum(Category))
    status: so.Mapped[InvitationStatus] = so.mapped_column(_enum(InvitationStatus),
                                                           default=InvitationStatus.NOT_SENT)
    # Counts the invitation mails a corrected address has needed, so each has a claim of its own in the outbox.
    link_version: so.Mapped[int] = so.mapped_column(default=1)
    # When the (latest) invitation mail was claimed: reminders count their days from it (surveys/reminders.py).
    # Set when the round opens, when a rater is added to an open round and when a corrected address is re-invited;
    # never when the rater answers, so it says nothing about when a response arrived.
    invited_at: so.Mapped[datetime | None] = so.mapped_column()
    # Withdrawn by the owner after the invitation went (PRODUCT §2.4): their links stop working and they are
    # reminded no more. The row stays, with its status as it was, so the counts do not move; an answer already
    # given stays in the report, as nobody can tell which it is.
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column()
    # Nomination approval (surveys/rules/nomination.py): when the owner put this rater to their facilitator, and
    # when the facilitator confirmed them. Unused where the organisation does not ask for approval.
    confirmation_requested_at: so.Mapped[datetime | None] = so.mapped_column()
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column()

    cycle: so.Mapped[Cycle] = so.relationship(back_populates="invitations", lazy="joined", innerjoin=True)
    draft: so.Mapped[RaterDraft | None] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)
    links: so.Mapped[list[RaterLink]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)
    sessions: so.Mapped[list[RaterSession]] = so.relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_sent(self) -> bool:
        """Invited: from now on the owner can only withdraw this rater, whatever they have done since, so that
        nothing the owner is offered tells whether the rater answered or declined."""
        return sent(self.status)

    @property
    def is_outstanding(self) -> bool:
        return outstanding(self.status, self.withdrawn_at)


class RaterLink(db.Model):
    """The hash of one token sent to a rater (each email carries a fresh one). Its own table, so that every hash of
    a rater can be deleted when they submit or decline, when they are withdrawn and when the round ends."""

    __tablename__ = "rater_links"

    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)


class RaterSession(db.Model):
    """A token exchanged for a short-lived cookie: the hash of the cookie's random secret, and when it lapses."""

    __tablename__ = "rater_sessions"

    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    expires_at: so.Mapped[datetime] = so.mapped_column()


def draft_answers(content: dict[str, Any]) -> dict[str, Any]:
    """The answers of a draft's opened content (a copy: the content is replaced whole, never changed in place)."""
    return dict(content.get("answers") or {})


def draft_comments(content: dict[str, Any]) -> dict[str, str]:
    return dict(content.get("comments") or {})


class RaterDraft(db.Model):
    """A rater's unfinished answers, kept against their invitation so they can come back (PRODUCT §3.3).

    One value, encrypted and padded to the same fixed size as a response (surveys/sealed.py), so an old backup's
    draft cannot be matched to a response by its length; deleted at submission, and every draft left is deleted
    when the round closes."""

    __tablename__ = "rater_drafts"

    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    content: so.Mapped[Padded] = so.mapped_column(PaddedJSON("rater_drafts.content"))

    def __init__(self, size: int, invitation_id: int | None = None, answers: dict[str, Any] | None = None,
                 comments: dict[str, str] | None = None) -> None:
        """`size` is the round's fixed size (`sealed.padded_size` of its questionnaire)."""
        super().__init__(content=Padded({"answers": dict(answers or {}), "comments": dict(comments or {})}, size))
        if invitation_id is not None:
            self.invitation_id = invitation_id

    @property
    def answers(self) -> dict[str, Any]:
        return draft_answers(self.content)

    @answers.setter
    def answers(self, value: dict[str, Any]) -> None:
        self.content = Padded({**self.content, "answers": dict(value)}, self.content.size)

    @property
    def comments(self) -> dict[str, str]:
        return draft_comments(self.content)

    @comments.setter
    def comments(self, value: dict[str, str]) -> None:
        self.content = Padded({**self.content, "comments": dict(value)}, self.content.size)


def _random_key() -> str:
    return uuid.uuid4().hex  # random, not time-ordered: the key says nothing about when it was written


class Response(db.Model):
    """A submitted rater response: its cycle, then one encrypted value of fixed size holding its category, answers
    and comments. No invitation, no time, no sequence, and no key that lasts: `responses.submit` writes every
    response of the round again under fresh random keys and fresh ciphertexts (see the README).

    On SQLite the table has no rowid, so rows are stored in the order of their random keys, not of arrival."""

    __tablename__ = "responses"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (SQLAlchemy reads it once)

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=_random_key)
    cycle_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    content: so.Mapped[Padded] = so.mapped_column(PaddedJSON("responses.content"))

    def __init__(self, cycle_id: int, category: Category, answers: dict[str, Any], comments: dict[str, str],
                 id: str | None = None, size: int | None = None) -> None:
        """`size` is the round's fixed size; by default that of the round `cycle_id`'s questionnaire."""
        if size is None:
            size = padded_size(db.session.get_one(Cycle, cycle_id).questionnaire())
        super().__init__(id=id or _random_key(), cycle_id=cycle_id,
                         content=Padded({"category": category.value, "answers": dict(answers),
                                         "comments": dict(comments)}, size))

    @property
    def category(self) -> Category:
        return Category(self.content["category"])

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.content["answers"])

    @property
    def comments(self) -> dict[str, str]:
        return dict(self.content["comments"])


stored_as_is(RaterDraft.__table__)
stored_as_is(Response.__table__)


class OrgStatement(db.Model):
    """An organisation's own statement for "Values — Shared", added by an administrator."""

    __tablename__ = "org_statements"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    self_text: so.Mapped[str] = so.mapped_column(sa.String(200))
    rater_text: so.Mapped[str] = so.mapped_column(sa.String(200))
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()

    @property
    def key(self) -> str:
        return f"org.{self.id}"


class IntervalHold(db.Model):
    """When a deleted account's last round closed, against a keyed hash of its address, while the minimum interval
    between rounds still runs (surveys/interval_holds.py)."""

    __tablename__ = "interval_holds"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "address_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    address_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    closed_at: so.Mapped[datetime] = so.mapped_column()


# --- The round's facts, counted by the database -----------------------------------------------------------------
# Built once (building a statement's expressions cost more than running it) and run with the round's id.


@cache
def _list_counts() -> sa.Select[Any]:
    """How many raters the round has, and the facts of its list: loading every invitation to count them opened 200
    encrypted names for the owner's dashboard, a third of its time. Of the tables' columns, so the ORM neither
    compiles nor loads it."""
    def count(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    raters = Invitation.__table__.c
    listed = raters.withdrawn_at.is_(None)
    awaiting = (listed, raters.confirmed_at.is_(None), raters.status == InvitationStatus.NOT_SENT)
    return (sa.select(sa.func.count(raters.id), count(listed), count(*awaiting),
                      count(*awaiting, raters.confirmation_requested_at.is_(None)))
            .where(raters.cycle_id == sa.bindparam("cycle_id")))


@cache
def _round_counts() -> sa.Select[Any]:
    """`_list_counts`, and whether the preparation document and the self-assessment exist and were submitted, in
    the same statement: asked, not loaded (the document's texts would be decrypted for a yes or no)."""
    document, assessment = PreparationDocument.__table__.c, SelfAssessment.__table__.c

    def of(row: Any, value: Any) -> sa.ScalarSelect[Any]:
        return sa.select(value).where(row.cycle_id == sa.bindparam("cycle_id")).scalar_subquery()

    return _list_counts().add_columns(
        sa.exists().where(document.cycle_id == sa.bindparam("cycle_id")),
        of(document, document.submitted_at.is_not(None)), of(assessment, assessment.submitted_at.is_not(None)),
        of(assessment, assessment.answers))
