"""The rater's side (PRODUCT §3.3, §3.5): find the invitation behind a link, keep a draft, submit or decline.

Submitting writes a Response that carries only the cycle and category, marks the invitation answered and deletes
the draft, all in one transaction, so no row ever holds both who answered and what they said. The same transaction
rewrites every response of the cycle in the order of their random keys: on PostgreSQL each row version records the
transaction that wrote it (xmin) and its place in the table (ctid), which would otherwise match a response to the
invitation marked answered in the same transaction, and show the order responses arrived in.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.encrypted import bound_to
from app.errors import DomainError
from app.extensions import db
from surveys import links
from surveys.answers import first_incomplete_area
from surveys.models import Invitation, InvitationStatus, RaterDraft, Response


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
    links.end_all([invitation.id])
    db.session.flush()
    _rewrite_responses(invitation.cycle_id)


def _rewrite_responses(cycle_id: int) -> None:
    """Delete and insert again every response of the cycle, in key order, so all carry this transaction's marks."""
    rows = db.session.scalars(sa.select(Response).where(Response.cycle_id == cycle_id)).all()
    values = sorted(({"id": r.id, "cycle_id": r.cycle_id, "category": r.category, "answers": r.answers,
                      "comments": bound_to(r.comments, r.id)} for r in rows), key=lambda v: v["id"])
    db.session.execute(sa.delete(Response).where(Response.cycle_id == cycle_id))
    for row in rows:
        db.session.expunge(row)
    for value in values:  # one statement per row keeps the insert order; a cycle has tens of responses at most
        db.session.execute(sa.insert(Response).values(**value))


def decline(invitation: Invitation) -> None:
    if invitation.draft is not None:
        db.session.delete(invitation.draft)
        invitation.draft = None
    invitation.status = InvitationStatus.DECLINED
    links.end_all([invitation.id])
    db.session.flush()
