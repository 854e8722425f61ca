"""A rater's way in (PRODUCT §3.5): a fresh token in every email, exchanged on first use for a short-lived cookie.

The token only ever travels in the email and in the one request that opens it; that request stores a session (the
hash of a new random secret, sent back as a cookie scoped to the rater pages) and redirects to an address without
the token, so the token never sits in the browser's address bar, its history, a Referer header or a later log line.
Every token and session of a rater is deleted when they submit or decline, are withdrawn, or the round ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import read_row
from app.encrypted import open_stored
from app.extensions import db
from app.models import Organisation, User
from surveys import cycle as rules
from surveys import tokens
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.models import (
    Cycle,
    Invitation,
    InvitationStatus,
    RaterDraft,
    RaterLink,
    RaterSession,
    draft_answers,
    draft_comments,
    outstanding,
)
from surveys.questionnaire import Questionnaire, for_round

SESSION_LIFETIME = timedelta(hours=2)  # renewed by every save, so a rater part-way through is not cut off


def issue(invitation: Invitation) -> str:
    """A new token for one email to this rater; only its hash is stored."""
    token = tokens.new_token()
    db.session.add(RaterLink(token_hash=tokens.token_hash(token), invitation_id=invitation.id))
    return token


def _link_works(status: InvitationStatus, withdrawn_at: datetime | None, state: CycleState, close_on: date,
                now: datetime) -> bool:
    """The rater is still outstanding and the round still takes answers."""
    return outstanding(status, withdrawn_at) and rules.accepts_responses(state, close_on, now.date())


def _usable(invitation: Invitation | None, now: datetime) -> Invitation | None:
    if invitation is None or not _link_works(invitation.status, invitation.withdrawn_at, invitation.cycle.state,
                                             invitation.cycle.close_on, now):
        return None
    return invitation


def by_token(token: str, now: datetime) -> Invitation | None:
    """The invitation a link opens, or None for any link that does not work, whatever the reason."""
    if not tokens.looks_like_token(token):
        return None
    invitation = db.session.scalar(sa.select(Invitation).join(RaterLink)
                                   .where(RaterLink.token_hash == tokens.token_hash(token)))
    return _usable(invitation, now)


def start_session(invitation: Invitation, now: datetime) -> str:
    """The cookie's secret for a new session of this rater."""
    secret = tokens.new_token()
    db.session.add(RaterSession(secret_hash=tokens.token_hash(secret), invitation_id=invitation.id,
                                expires_at=now + SESSION_LIFETIME))
    return secret


@dataclass(frozen=True)
class Owner:
    name: str


@dataclass(frozen=True)
class RaterVisit:
    """What a rater's pages show, for one working cookie: read by one Core statement, as plain values.

    Every page a rater opens reads this, and most only read: building the ORM objects for the session, invitation,
    round, owner and draft was half of such a page. Pages that write load the invitation for it
    (`invitation_for`)."""

    secret_hash: str
    invitation_id: int
    category: Category
    close_on: date
    questionnaire: Questionnaire
    owner: Owner
    has_draft: bool
    answers: dict[str, Any]
    comments: dict[str, str]
    purge_days: int  # the owner's organisation's: how long the rater's name, address and link are kept (PRODUCT §7)


_sessions, _invitations, _cycles = RaterSession.__table__, Invitation.__table__, Cycle.__table__
_owners, _drafts, _orgs = User.__table__, RaterDraft.__table__, Organisation.__table__
_VISIT = (
    sa.select(_sessions.c.expires_at, _invitations.c.id, _invitations.c.category, _invitations.c.status,
              _invitations.c.withdrawn_at, _cycles.c.state, _cycles.c.close_on, _cycles.c.questionnaire_version,
              _cycles.c.org_statements, _owners.c.name, _drafts.c.content, _orgs.c.rater_purge_days)
    .select_from(_sessions.join(_invitations, _invitations.c.id == _sessions.c.invitation_id)
                 .join(_cycles, _cycles.c.id == _invitations.c.cycle_id)
                 .join(_owners, _owners.c.id == _cycles.c.owner_id)
                 .join(_orgs, _orgs.c.id == _owners.c.organisation_id)
                 .outerjoin(_drafts, _drafts.c.invitation_id == _invitations.c.id))
    .where(_sessions.c.secret_hash == sa.bindparam("secret_hash"))
)


def visit(secret: str | None, now: datetime) -> RaterVisit | None:
    """The rater a cookie belongs to, or None for any cookie that does not work, whatever the reason."""
    if not secret or not tokens.looks_like_token(secret):
        return None
    secret_hash = tokens.token_hash(secret)
    row = read_row(_VISIT, {"secret_hash": secret_hash})
    if row is None or row.expires_at <= now \
            or not _link_works(row.status, row.withdrawn_at, row.state, row.close_on, now):
        return None
    # A draft's ciphertext is bound to its row, whose key is the invitation's id (app/encrypted.py).
    draft = open_stored(_drafts.c.content, row.content, str(row.id)) if row.content is not None else {}
    return RaterVisit(secret_hash=secret_hash, invitation_id=row.id, category=row.category, close_on=row.close_on,
                      questionnaire=for_round(row.questionnaire_version, row.org_statements or []),
                      owner=Owner(row.name), has_draft=row.content is not None,
                      answers=draft_answers(draft), comments=draft_comments(draft),
                      purge_days=row.rater_purge_days)


def invitation_for(visit: RaterVisit) -> Invitation | None:
    """The rater's invitation with its round and draft, to write to (None if the round was deleted meanwhile). The
    owner's roles are never read on a rater's page: not loaded (the model would fetch them by a second statement)."""
    return db.session.get(Invitation, visit.invitation_id, options=[
        so.joinedload(Invitation.draft),
        so.defaultload(Invitation.cycle).defaultload(Cycle.owner).lazyload(User.role_rows)])


def renew(visit: RaterVisit, now: datetime) -> None:
    # On the table, not the model, by a statement built once on the session's connection: the ORM's bulk UPDATE
    # path cost a fifth of a save, and building the statement and passing it through the session's execute was
    # three times the UPDATE itself (0.127 → 0.037 ms), for a row no object holds.
    db.session.connection().execute(_RENEW, {"session": visit.secret_hash,
                                             "until": now + SESSION_LIFETIME})


_RENEW = sa.update(_sessions).where(_sessions.c.secret_hash == sa.bindparam("session")) \
    .values(expires_at=sa.bindparam("until"))


def end_all(invitation_ids: list[int]) -> None:
    """Every token and session of these raters stops working."""
    if invitation_ids:
        # On the tables, not the models, with statements built once: the ORM's bulk DELETE path (matching the
        # deleted rows in the session) was a sixth of a submission's CPU.
        connection = db.session.connection()
        connection.execute(_END_LINKS, {"ids": invitation_ids})
        connection.execute(_END_SESSIONS, {"ids": invitation_ids})


_END_LINKS = sa.delete(RaterLink.__table__).where(
    RaterLink.__table__.c.invitation_id.in_(sa.bindparam("ids", expanding=True)))
_END_SESSIONS = sa.delete(_sessions).where(_sessions.c.invitation_id.in_(sa.bindparam("ids", expanding=True)))


def forget_expired_sessions(now: datetime) -> int:
    return db.session.execute(sa.delete(RaterSession).where(RaterSession.expires_at <= now)).rowcount
