"""A rater's way in (PRODUCT §3.5): a fresh token in every email, exchanged on first use for a short-lived cookie.

The token only ever travels in the email and in the one request that opens it; that request stores a session (the
hash of a new random secret, sent back as a cookie scoped to the rater pages) and redirects to an address without
the token, so the token never sits in the browser's address bar, its history, a Referer header or a later log line.
Every token and session of a rater is deleted when they submit or decline, are withdrawn, or the round ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import User
from surveys import cycle as rules
from surveys import tokens
from surveys.models import Cycle, Invitation, RaterLink, RaterSession

SESSION_LIFETIME = timedelta(hours=2)  # renewed by every save, so a rater part-way through is not cut off


def issue(invitation: Invitation) -> str:
    """A new token for one email to this rater; only its hash is stored."""
    token = tokens.new_token()
    db.session.add(RaterLink(token_hash=tokens.token_hash(token), invitation_id=invitation.id))
    return token


def _usable(invitation: Invitation | None, now: datetime) -> Invitation | None:
    if invitation is None or not invitation.is_outstanding:
        return None
    if not rules.accepts_responses(invitation.cycle.state, invitation.cycle.close_on, now.date()):
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


def by_session(secret: str | None, now: datetime) -> tuple[Invitation, RaterSession] | None:
    if not secret or not tokens.looks_like_token(secret):
        return None
    # One statement for everything a rater's page reads: the session, the invitation with its round and owner
    # (joined by the model), and the draft. Every rater page asks for these, and each separate statement cost
    # about as much as rendering the page. The owner's roles are never read on a rater's page: not loaded.
    found = db.session.execute(
        sa.select(RaterSession, Invitation)
        .join(Invitation, Invitation.id == RaterSession.invitation_id)
        .where(RaterSession.secret_hash == tokens.token_hash(secret))
        .options(so.joinedload(Invitation.draft),
                 so.defaultload(Invitation.cycle).defaultload(Cycle.owner).lazyload(User.role_rows))
    ).one_or_none()
    if found is None:
        return None
    session, invitation = found
    if session.expires_at <= now or _usable(invitation, now) is None:
        return None
    return invitation, session


def renew(session: RaterSession, now: datetime) -> None:
    session.expires_at = now + SESSION_LIFETIME


def end_all(invitation_ids: list[int]) -> None:
    """Every token and session of these raters stops working."""
    if invitation_ids:
        db.session.execute(sa.delete(RaterLink).where(RaterLink.invitation_id.in_(invitation_ids)))
        db.session.execute(sa.delete(RaterSession).where(RaterSession.invitation_id.in_(invitation_ids)))


def forget_expired_sessions(now: datetime) -> int:
    return db.session.execute(sa.delete(RaterSession).where(RaterSession.expires_at <= now)).rowcount
