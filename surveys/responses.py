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
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import DomainError
from app.extensions import db
from surveys import links
from surveys.answers import first_incomplete_area
from surveys.categories import Category
from surveys.models import (
    Cycle,
    Invitation,
    InvitationStatus,
    RaterDraft,
    Response,
    draft_answers,
    draft_comments,
)
from surveys.questionnaire import Questionnaire
from surveys.sealed import Padded, padded_size, reseal


def write_draft(invitation_id: int, questionnaire: Questionnaire, answers: dict[str, Any],
                comments: dict[str, str]) -> bool:
    """Keep the rater's draft: their answers and comments so far, sealed at the round's fixed size. False if the
    invitation is gone (its round was deleted meanwhile) or no longer outstanding (submitted, declined, withdrawn or
    closed meanwhile), and nothing is written.

    One UPDATE of the table, or the first time an INSERT of a row for an invitation that still exists: a save is
    the request a rater makes most, and loading the invitation, its round and its draft into the ORM to change one
    value was most of its CPU (bench/profile_page.py --page save)."""
    # Sealed once, before the first write (writers queue from there on SQLite, app/sqlite_writes.py).
    sealed = _drafts.c.content.type.seal(Padded({"answers": answers, "comments": comments},
                                                padded_size(questionnaire)), invitation_id)
    connection = db.session.connection()
    parameters = {"draft_of": invitation_id, "sealed": sealed}
    return connection.execute(_UPDATE_DRAFT, parameters).rowcount == 1 \
        or connection.execute(_INSERT_DRAFT, parameters).rowcount == 1


def save_answers(invitation: Invitation, answers: dict[str, Any]) -> None:
    """`write_draft` for code that holds the invitation: these answers added to the draft's."""
    _write_for(invitation, lambda content: ({**draft_answers(content), **answers}, draft_comments(content)))


def save_comments(invitation: Invitation, comments: dict[str, str]) -> None:
    """`write_draft` for code that holds the invitation: the draft's comments replaced by these."""
    _write_for(invitation, lambda content: (draft_answers(content), dict(comments)))


def _write_for(invitation: Invitation,
               change: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]) -> None:
    db.session.flush()  # the invitation has its id, and any draft object of it is written
    draft = invitation.draft
    write_draft(invitation.id, invitation.cycle.questionnaire(), *change(draft.content if draft is not None else {}))
    # Written past the ORM: what it holds of the draft is read again when next asked for.
    if draft is not None:
        db.session.expire(draft)
    db.session.expire(invitation, ["draft"])


def submit(invitation: Invitation) -> None:
    """Store the rater's answers from their draft, unlinkably (`send`), for code that holds the invitation."""
    draft = invitation.draft
    content = draft.content if draft is not None else {}
    send(invitation.id, invitation.category, invitation.cycle.questionnaire(), draft_answers(content),
         draft_comments(content))
    if draft is not None:  # deleted by `send`: the session forgets it rather than delete it again
        db.session.expunge(draft)
        set_committed_value(invitation, "draft", None)
    db.session.expire(invitation, ["status"])


def send(invitation_id: int, category: Category, questionnaire: Questionnaire, answers: dict[str, Any],
         comments: dict[str, str]) -> None:
    """Store the rater's answers, unlinkably (PRODUCT §3.3; the README says what this does and does not hide).

    One transaction: the invitation is marked answered (a guarded UPDATE, so a double click submits once), the
    draft and every token of the rater are deleted, and *every* response of the round is written again: sealed
    anew, shuffled, and inserted under fresh random keys with fresh ciphertexts of the round's fixed size. A reader
    of the database before and after sees the rater's invitation change and a whole new set of rows, none of which
    can be told apart as the new one; on PostgreSQL every row then carries the same transaction id, too.

    Core statements on the tables, not the ORM: a submission is the rater's costliest request, and the ORM's
    loading and bulk paths were most of its CPU (bench/submit.py)."""
    if first_incomplete_area(questionnaire, answers) is not None:
        raise DomainError("Answer every statement before you submit. You can choose “Not able to say”.")
    connection = db.session.connection()
    # Serialise submissions in one round, so two at once cannot each rewrite the rows the other is deleting.
    cycle_id = connection.execute(_LOCK_ROUND, {"invitation_id": invitation_id}).scalar()
    if cycle_id is None:  # the round was deleted meanwhile
        raise DomainError("This round is no longer taking feedback.")
    if connection.execute(_MARK_ANSWERED, {"invitation_id": invitation_id}).rowcount != 1:
        raise DomainError("Your feedback has already been sent.")
    connection.execute(_DELETE_DRAFT, {"invitation_id": invitation_id})
    links.end_all([invitation_id])
    _rewrite_responses(connection, cycle_id, padded_size(questionnaire),
                       {"category": category.value, "answers": answers, "comments": comments})


# Built once: constructing a statement on each call was a fifth of a submission's CPU. They run on the session's
# connection, in its transaction, past the ORM, which has no object to keep in step with them.
_cycles, _invitations, _drafts, _responses = (Cycle.__table__, Invitation.__table__, RaterDraft.__table__,
                                              Response.__table__)
_LOCK_ROUND = sa.select(_cycles.c.id).where(_cycles.c.id == sa.select(_invitations.c.cycle_id).where(
    _invitations.c.id == sa.bindparam("invitation_id")).scalar_subquery()).with_for_update()
_MARK_ANSWERED = sa.update(_invitations).where(
    _invitations.c.id == sa.bindparam("invitation_id"), _invitations.c.status == InvitationStatus.INVITED,
    _invitations.c.withdrawn_at.is_(None)).values(status=InvitationStatus.DONE)
_DELETE_DRAFT = sa.delete(_drafts).where(_drafts.c.invitation_id == sa.bindparam("invitation_id"))
_SEALED_DRAFT = sa.bindparam("sealed", type_=_drafts.c.content.type)
# A draft is written only for a rater still outstanding: a save whose page was read before a submission or decline
# in another tab, or the round's close, committed finds no draft to UPDATE and must not INSERT one again (a draft
# that outlives them ties a named rater to their answers, and after the close says they had not submitted).
_STILL_OUTSTANDING = (_invitations.c.id == sa.bindparam("draft_of"), _invitations.c.status == InvitationStatus.INVITED,
                      _invitations.c.withdrawn_at.is_(None))
# On PostgreSQL the invitation's row is read FOR SHARE: a submission, decline, withdrawal or close, which each
# change it, waits for a save that got there first and deletes its draft after it, or a save that comes second
# waits for them and finds the rater no longer outstanding.
_UPDATE_DRAFT = sa.update(_drafts).where(_drafts.c.invitation_id.in_(
    sa.select(_invitations.c.id).where(*_STILL_OUTSTANDING).with_for_update(read=True))).values(content=_SEALED_DRAFT)
_INSERT_DRAFT = sa.insert(_drafts).from_select(["invitation_id", "content"], sa.select(
    _invitations.c.id, _SEALED_DRAFT).where(*_STILL_OUTSTANDING).with_for_update(read=True)).execution_options(
    preserve_rowcount=True)  # psycopg's count of an INSERT is gone once SQLAlchemy closes the cursor
_TAKE_RESPONSES = sa.delete(_responses).where(_responses.c.cycle_id == sa.bindparam("cycle_id")).returning(
    _responses.c.id, _responses.c.content)
_INSERT_RESPONSES = sa.insert(_responses)
_CONTEXT = "responses.content"


def _rewrite_responses(connection: sa.Connection, cycle_id: int, size: int, added: dict[str, Any]) -> None:
    """Every response of the round, and the one added, under fresh keys and ciphertexts of the round's fixed size,
    in a random order."""
    stored = connection.execute(_TAKE_RESPONSES, {"cycle_id": cycle_id}).all()
    keys = sorted(_fresh_key() for _ in range(len(stored) + 1))  # sorted: the physical order is that of random keys
    contents: list[Any] = [*stored, None]
    _shuffle.shuffle(contents)
    rows = []
    for key, old in zip(keys, contents, strict=True):
        sealed = _responses.c.content.type.seal(Padded(added, size), key) if old is None \
            else reseal(_CONTEXT, old.content, old.id, key, size)
        rows.append({"id": key, "cycle_id": cycle_id, "content": sealed})
    connection.execute(_INSERT_RESPONSES, rows)


def _fresh_key() -> str:
    return uuid.uuid4().hex


_shuffle = secrets.SystemRandom()


def decline(invitation: Invitation) -> None:
    """The rater declines: their invitation says DONE, as an answer's does (the row never says which)."""
    invitation.status = InvitationStatus.DONE
    end_rater_access(invitation)


def end_rater_access(invitation: Invitation) -> None:
    """After a change to the invitation's row (declined, withdrawn): the rater's draft, tokens and sessions go.

    The invitation's row is written first, as a save in another tab takes it (write_draft: the invitation, then the
    draft, then the session, links.renew): ending the sessions first made each wait for the other, and PostgreSQL
    cancelled one. So this waits for such a save's commit, and then deletes by a statement the draft that save
    wrote, which a draft read before may not be."""
    db.session.flush()
    db.session.connection().execute(_DELETE_DRAFT, {"invitation_id": invitation.id})
    links.end_all([invitation.id])
    # Deleted above: a draft the request had read is forgotten rather than deleted again. One it had not read is not
    # loaded (and opened) only to be forgotten.
    draft = sa.inspect(invitation).dict.get("draft")
    if draft is not None:
        db.session.expunge(draft)
    set_committed_value(invitation, "draft", None)


def delete_drafts(cycle: Cycle) -> None:
    """Every draft left in a round that stops taking responses goes (PRODUCT §3.3)."""
    db.session.execute(sa.delete(RaterDraft).where(
        RaterDraft.invitation_id.in_(sa.select(Invitation.id).where(Invitation.cycle_id == cycle.id))))
