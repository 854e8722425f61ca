"""Sharing with a manager: one way for everything an owner shares with their manager (the report here, the
development plan in facilitator/). The owner finds a manager of their own organisation by name or address, shares
with one button, and can stop; the manager is emailed each time something is shared with them. What is shared is a
row with `user_id`, `shared_at` and `revoked_at` (reports.models.ReportShare, facilitator.models.SummaryShare)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from app.accounts.rules import ASSIGNING_ROLES
from app.extensions import db
from app.mail import queue_mail
from app.models import Role, User, UserRole
from app.timeutil import utcnow

SEARCH_LIMIT = 10


class Share(Protocol):
    id: Any
    user_id: Any
    shared_at: Any
    revoked_at: Any


ShareRow = TypeVar("ShareRow", bound=Share)


def managers_of(owner: User) -> sa.Select[tuple[User]]:
    """Managers in the owner's own organisation, other than the owner, with an account in use and no role that
    assigns facilitators (a local lead or administrator never reads a report or plan, PRODUCT §1): whom an owner
    may share a report or a development plan with."""
    assigning = sa.select(UserRole.user_id).where(UserRole.role.in_(ASSIGNING_ROLES))
    return (sa.select(User).join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.id != owner.id, User.is_active_account,
                   User.organisation_id == owner.organisation_id, User.id.not_in(assigning)))


def _shareable(owner: User, readers: sa.Select[Any]) -> sa.Select[tuple[User]]:
    """The owner's managers who cannot already read it (`readers`: the user ids of its shares in force)."""
    return managers_of(owner).where(User.id.not_in(readers))


def find(owner: User, readers: sa.Select[Any], query: str, limit: int = SEARCH_LIMIT) -> list[User]:
    """Managers the owner may share with whose name or email address contains `query`, in any case: at most
    `limit` of them (the owner narrows the search rather than reads the organisation's whole list)."""
    words = query.strip().lower()
    matches = sa.or_(sa.func.lower(User.name).contains(words, autoescape=True),
                     sa.func.lower(User.email).contains(words, autoescape=True))
    return list(db.session.scalars(_shareable(owner, readers).where(matches).order_by(User.name, User.id)
                                   .limit(limit)))


def pick(owner: User, readers: sa.Select[Any], person_id: str) -> User | None:
    """The manager the owner's button names, if they may share with them."""
    if not person_id.isdigit() or len(person_id) > 18:
        return None
    return db.session.scalar(_shareable(owner, readers).where(User.id == int(person_id)))


def any_left(owner: User, readers: sa.Select[Any]) -> bool:
    return db.session.scalar(sa.select(_shareable(owner, readers).exists())) or False


def share(model: type[ShareRow], what: dict[str, Any], person: User, mail_kind: str) -> ShareRow:
    """Share `what` (the share row's columns naming it) with `person`, again after a revocation; they are emailed
    each time, once per sharing (the mail is claimed with the share's id)."""
    existing = db.session.scalar(sa.select(model).filter_by(**what, user_id=person.id))
    if existing is None:
        existing = model(**what, user_id=person.id)
        db.session.add(existing)
    existing.shared_at, existing.revoked_at = utcnow(), None
    db.session.flush()
    queue_mail(mail_kind, existing.id, f"{mail_kind}:{existing.id}:{existing.shared_at.isoformat()}")
    return existing


def revoke(row: Share) -> None:
    row.revoked_at = utcnow()
    db.session.flush()
