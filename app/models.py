"""Organisations, people and their roles: the accounts every other package refers to."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from app.extensions import db
from app.timeutil import utcnow


class Role(enum.StrEnum):
    OWNER = "owner"
    FACILITATOR = "facilitator"
    MANAGER = "manager"
    LOCAL_LEAD = "local_lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"local_lead": "Local lead", "admin": "Administrator"}.get(self.value, self.value.capitalize())


DEFAULT_ROUND_INTERVAL_MONTHS = 6  # between one round's close and the owner's next round (PRODUCT §2.1)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    allows_external_raters: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # The owner's manager or facilitator confirms the rater list before any invitation goes out.
    requires_nomination_approval: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Days after a round closes when rater names, emails and token hashes are purged (PRODUCT §7).
    rater_purge_days: so.Mapped[int] = so.mapped_column(default=30, server_default="30")
    # Days a finished round is kept before the worker deletes it, the owner told 30 days before (PRODUCT §7).
    retention_days: so.Mapped[int] = so.mapped_column(default=1095, server_default="1095")
    # The facilitator reads the report first and releases it to the owner at or before the session (PRODUCT §5).
    facilitator_releases_report: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Who answers its people's accessibility requests and reports: the accessibility statement gives its people this
    # contact besides the service operator's CONTACT_EMAIL (empty: that one alone).
    accessibility_contact_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    accessibility_contact_email: so.Mapped[str] = so.mapped_column(sa.String(320), default="", server_default="")
    # A new round starts no sooner than this after the owner's previous round closed (PRODUCT §2.1): two reports
    # of nearly the same raters subtract to one rater's answers.
    min_round_interval_months: so.Mapped[int] = so.mapped_column(default=DEFAULT_ROUND_INTERVAL_MONTHS,
                                                                 server_default=str(DEFAULT_ROUND_INTERVAL_MONTHS))
    users: so.WriteOnlyMapped[User] = so.relationship(back_populates="organisation")
    # Raters are real colleagues (PRODUCT §2.4): an address outside these domains is refused unless external raters
    # are allowed. A row each, so that the database itself holds every domain to one organisation (issue 25, seam 7).
    domain_rows: so.Mapped[list[OrganisationDomain]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="OrganisationDomain.position")

    @property
    def email_domains(self) -> list[str]:
        """Lower-case domains without "@", in the order the administrator gave them: ["nhs.net", "x.nhs.uk"]."""
        return [row.domain for row in self.domain_rows]

    @email_domains.setter
    def email_domains(self, domains: list[str]) -> None:
        # A domain kept is its own row still: deleting and inserting one key in a single flush could collide.
        kept = {row.domain: row for row in self.domain_rows}
        wanted = list(dict.fromkeys(normalised_domain(d) for d in domains))
        self.domain_rows = [kept.get(d) or OrganisationDomain(domain=d) for d in wanted]
        for position, row in enumerate(self.domain_rows):
            row.position = position


def normalised_domain(text: str) -> str:
    """A domain as it is stored and compared: lower case, no leading "@", no trailing dot."""
    return text.strip().lower().removeprefix("@").rstrip(".")


class OrganisationDomain(db.Model):
    """One email domain of one organisation. Its primary key is the domain, normalised, so two organisations can
    never hold the same one whatever path writes it, two administrators saving at the same moment included."""

    __tablename__ = "organisation_domains"
    __table_args__ = (sa.CheckConstraint("domain = lower(domain)", name="ck_organisation_domains_lower_case"),)

    domain: so.Mapped[str] = so.mapped_column(sa.String(253), primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    position: so.Mapped[int] = so.mapped_column(default=0, server_default="0")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(320), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    is_active_account: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Moved on when the person signs out or their password changes. The id in every session cookie carries it, so
    # each cookie made before then (copies included) stops working: signing out really ends the session.
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # When the latest of this owner's rounds that have since been deleted closed: the minimum interval between
    # rounds (PRODUCT §2.1) still counts from it, so deleting a round (its report downloaded) cannot skip the wait.
    deleted_round_closed_at: so.Mapped[datetime | None] = so.mapped_column()

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="users")
    role_rows: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[Role] = so.mapped_column(sa.Enum(Role, native_enum=False, length=20), primary_key=True)
