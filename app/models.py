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


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    users: so.WriteOnlyMapped[User] = so.relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(320), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    is_active_account: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="users")
    role_rows: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[Role] = so.mapped_column(sa.Enum(Role, native_enum=False, length=20), primary_key=True)
