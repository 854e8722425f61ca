"""A rater's way in (PRODUCT §3.5): a fresh token in every email, exchanged on first use for a short-lived cookie.

The token only ever travels in the email and in the one request that opens it; that request stores a session (the
hash of a new random secret, sent back as a cookie scoped to the rater pages) and redirects to an address without
the token, so the token never sits in the browser's address bar, its history, a Referer header or a later log line.
Every token and session of a rater is deleted when they submit or decline, are withdrawn, or the round ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from surveys import cycle as rules
from surveys import tokens
from surveys.models import Invitation, RaterLink, RaterSession

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
    session = db.session.get(RaterSession, tokens.token_hash(secret))
    if session is None or session.expires_at <= now:
        return None
    invitation = _usable(db.session.get(Invitation, session.invitation_id), now)
    return (invitation, session) if invitation else None


def renew(session: RaterSession, now: datetime) -> None:
    session.expires_at = now + SESSION_LIFETIME


def end_all(invitation_ids: list[int]) -> None:
    """Every token and session of these raters stops working."""
    if invitation_ids:
        db.session.execute(sa.delete(RaterLink).where(RaterLink.invitation_id.in_(invitation_ids)))
        db.session.execute(sa.delete(RaterSession).where(RaterSession.invitation_id.in_(invitation_ids)))


def forget_expired_sessions(now: datetime) -> int:
    return db.session.execute(sa.delete(RaterSession).where(RaterSession.expires_at <= now)).rowcount
