"""The rater's side (PRODUCT §3.3, §3.5): find the invitation behind a link, keep a draft, submit or decline.

Submitting writes a Response that carries only the cycle and category, marks the invitation answered and deletes
the draft, all in one transaction, so no row ever holds both who answered and what they said.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from surveys import cycle as rules
from surveys import tokens
from surveys.answers import first_incomplete_area
from surveys.models import Invitation, InvitationStatus, RaterDraft, Response


def find_invitation(token: str, today: date) -> Invitation | None:
    """The invitation a link opens, or None for any link that does not work, whatever the reason."""
    if not tokens.looks_like_token(token):
        return None
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == tokens.token_hash(token)))
    if invitation is None or invitation.status is not InvitationStatus.INVITED:
        return None
    if not rules.accepts_responses(invitation.cycle.state, invitation.cycle.close_on, today):
        return None
    return invitation


def draft_of(invitation: Invitation) -> RaterDraft:
    if invitation.draft is None:
        invitation.draft = RaterDraft(answers={}, comments={})
    return invitation.draft


def save_answers(invitation: Invitation, answers: dict[str, Any]) -> RaterDraft:
    draft = draft_of(invitation)
    draft.answers = {**draft.answers, **answers}
    db.session.flush()
    return draft


def save_comments(invitation: Invitation, comments: dict[str, str]) -> RaterDraft:
    draft = draft_of(invitation)
    draft.comments = comments
    db.session.flush()
    return draft


def submit(invitation: Invitation) -> None:
    draft = draft_of(invitation)
    questionnaire = invitation.cycle.questionnaire()
    if first_incomplete_area(questionnaire, draft.answers) is not None:
        raise DomainError("Answer every statement before you submit. You can choose “Not able to say”.")
    db.session.add(Response(cycle_id=invitation.cycle_id, category=invitation.category,
                            answers=dict(draft.answers), comments=dict(draft.comments or {})))
    invitation.status = InvitationStatus.RESPONDED
    db.session.delete(draft)
    invitation.draft = None
    db.session.flush()


def decline(invitation: Invitation) -> None:
    if invitation.draft is not None:
        db.session.delete(invitation.draft)
        invitation.draft = None
    invitation.status = InvitationStatus.DECLINED
    db.session.flush()
