"""The rater's side (PRODUCT §3.3): keep a draft, submit or decline.

Submitting marks the invitation answered, deletes the draft and the rater's tokens, and writes every response of
the round again under fresh random keys and fresh ciphertexts of one fixed size, all in one transaction: no row ever
holds both who answered and what they said, and no row survives from one snapshot of the database to the next to
say which response is new. On PostgreSQL each row version records the transaction that wrote it (xmin) and its
place in the table (ctid); as every response is rewritten, all share the transaction and their order is random.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import sqlalchemy as sa

from app.encrypted import bound_to, open_stored
from app.errors import DomainError
from app.extensions import db
from surveys import links
from surveys.answers import first_incomplete_area
from surveys.models import Cycle, Invitation, InvitationStatus, RaterDraft, Response
from surveys.sealed import Padded, padded_size


def draft_of(invitation: Invitation) -> RaterDraft:
    if invitation.draft is None:
        invitation.draft = RaterDraft(padded_size(invitation.cycle.questionnaire()), answers={}, comments={})
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
    """Store the rater's answers, unlinkably (PRODUCT §3.3; the README says what this does and does not hide).

    One transaction: the invitation is marked answered (a guarded UPDATE, so a double click submits once), the
    draft and every token of the rater are deleted, and *every* response of the round is written again: decrypted,
    shuffled, and inserted under fresh random keys with fresh ciphertexts of one fixed size. A reader of the
    database before and after sees the rater's invitation change and a whole new set of rows, none of which can be
    told apart as the new one; on PostgreSQL every row then carries the same transaction id, too."""
    draft = draft_of(invitation)
    questionnaire = invitation.cycle.questionnaire()
    if first_incomplete_area(questionnaire, draft.answers) is not None:
        raise DomainError("Answer every statement before you submit. You can choose “Not able to say”.")
    cycle_id, content = invitation.cycle_id, {"category": invitation.category.value,
                                              "answers": draft.answers, "comments": draft.comments}
    # Serialise submissions in one round, so two at once cannot each rewrite the rows the other is deleting.
    db.session.execute(sa.select(Cycle.id).where(Cycle.id == cycle_id).with_for_update())
    answered = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.status == InvitationStatus.INVITED,
                                    Invitation.withdrawn_at.is_(None))
        .values(status=InvitationStatus.DONE).execution_options(synchronize_session=False)).rowcount
    if answered != 1:
        raise DomainError("Your feedback has already been sent.")
    db.session.delete(draft)
    invitation.draft = None
    links.end_all([invitation.id])
    db.session.flush()
    _rewrite_responses(cycle_id, padded_size(questionnaire), [content])
    db.session.expire(invitation, ["status"])


def _rewrite_responses(cycle_id: int, size: int, added: list[dict[str, Any]]) -> None:
    """Every response of the round, and those added, under fresh keys and ciphertexts of the round's fixed size, in
    a random order."""
    column = Response.__table__.c.content
    stored = db.session.execute(sa.select(Response.__table__.c.id, column)
                                .where(Response.__table__.c.cycle_id == cycle_id)).all()
    contents = [open_stored(column, sealed, row_id) for row_id, sealed in stored] + added
    _shuffle.shuffle(contents)
    db.session.execute(sa.delete(Response.__table__).where(Response.__table__.c.cycle_id == cycle_id))
    rows = []
    for content in contents:
        key = _fresh_key()
        rows.append({"id": key, "cycle_id": cycle_id, "content": bound_to(Padded(content, size), key)})
    rows.sort(key=lambda row: row["id"])  # on PostgreSQL the physical order is then that of random keys too
    if rows:
        db.session.execute(sa.insert(Response.__table__), rows)


def _fresh_key() -> str:
    return uuid.uuid4().hex


_shuffle = secrets.SystemRandom()


def decline(invitation: Invitation) -> None:
    if invitation.draft is not None:
        db.session.delete(invitation.draft)
        invitation.draft = None
    invitation.status = InvitationStatus.DONE  # the same as an answer: the row never says which
    links.end_all([invitation.id])
    db.session.flush()


def delete_drafts(cycle: Cycle) -> None:
    """Every draft left in a round that stops taking responses goes (PRODUCT §3.3)."""
    db.session.execute(sa.delete(RaterDraft).where(
        RaterDraft.invitation_id.in_(sa.select(Invitation.id).where(Invitation.cycle_id == cycle.id))))
