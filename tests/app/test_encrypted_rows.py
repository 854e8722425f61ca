"""Encrypted fields are bound to their row as well as their column, and `flask keys rotate` is safe while the site
serves: small batches, each row compared-and-swapped, so a save made meanwhile is never reverted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from app import db as unit
from app.crypto import DecryptionError, key_ring
from app.encrypted import bound_to, rotate_encrypted_columns
from app.extensions import db
from app.models import User
from surveys import operations
from surveys.models import Cycle, PreparationDocument, Response
from surveys.sealed import Padded, padded_size
from tests.fixtures.keys import new_key_ring, rotate_to_a_new_key

TEXTS = {"highs_and_lows": "Led the ward move", "implications": "", "growth": "", "achieve": "", "support": "",
         "life_factors": ""}


def _prepared(owner: User, create_round: Callable[..., Cycle], words: str) -> int:
    cycle = create_round(owner, open_it=False)
    operations.save_preparation(cycle, {**TEXTS, "highs_and_lows": words}, {}, None, submit=False)
    unit.commit()
    return cycle.id


def _raw_texts(cycle_id: int) -> str:
    return db.session.execute(sa.text("SELECT texts FROM preparation_documents WHERE cycle_id = :id"),
                              {"id": cycle_id}).scalar_one()


def test_a_preparation_document_copied_into_another_owners_row_does_not_open(
        owner: User, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    mine = _prepared(owner, create_round, "Olivia's own reflections")
    theirs = _prepared(create_user(), create_round, "Someone else's")
    db.session.execute(sa.text("UPDATE preparation_documents SET texts = :t WHERE cycle_id = :id"),
                       {"t": _raw_texts(mine), "id": theirs})
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(PreparationDocument, mine).texts["highs_and_lows"] == "Olivia's own reflections"
    db.session.expunge_all()
    with pytest.raises(DecryptionError):
        db.session.get(PreparationDocument, theirs)


def test_a_core_statement_must_say_which_row_a_value_belongs_to(app: Flask, owner: User,
                                                                 create_round: Callable[..., Cycle]) -> None:
    cycle = create_round(owner, open_it=False)
    content = {"category": "peer", "answers": {}, "comments": {"strengths": "x"}}
    with pytest.raises(sa.exc.StatementError, match="bound to its row"):
        db.session.execute(sa.insert(Response).values(id="a" * 32, cycle_id=cycle.id, content=content))
    unit.rollback()
    db.session.execute(sa.insert(Response).values(id="a" * 32, cycle_id=cycle.id,
                                                  content=bound_to(Padded(content, padded_size(cycle.questionnaire())),
                                                                   "a" * 32)))
    unit.commit()
    assert db.session.get(Response, "a" * 32).comments == {"strengths": "x"}


def test_rotation_rewrites_in_small_batches_and_leaves_nothing_under_the_old_key(
        app: Flask, owner: User, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    cycles = [_prepared(create_user(), create_round, f"Reflections {n}") for n in range(5)]
    rotate_to_a_new_key(app)
    commits: list[int] = []

    def counted(_session: so.Session) -> None:
        commits.append(1)

    sa.event.listen(db.session, "after_commit", counted)
    try:
        count = rotate_encrypted_columns(batch_size=2)
    finally:
        sa.event.remove(db.session, "after_commit", counted)
    assert count.rewritten == 5 and count.changed_meanwhile == 0
    assert len(commits) >= 3  # five rows in batches of two: never one long write transaction
    assert all(_raw_texts(c).startswith("v1.new1.") for c in cycles)
    app.extensions["open360_key_ring"] = new_key_ring("new1")  # a wrong key: refused
    db.session.expunge_all()
    with pytest.raises(DecryptionError):
        db.session.get(PreparationDocument, cycles[0])


def test_an_owners_save_during_rotation_is_not_reverted(app: Flask, owner: User,
                                                        create_round: Callable[..., Cycle]) -> None:
    cycle_id = _prepared(owner, create_round, "Before the rotation")
    rotate_to_a_new_key(app)  # web processes restarted with the new key first, as the README says
    saved = threading.Event()

    def owner_saves_first(conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        # The moment the rotation is about to write the row it read, the owner (another connection, as another
        # web process would) saves their document.
        if statement.startswith("UPDATE preparation_documents") and not saved.is_set():
            saved.set()
            with so.Session(db.engine) as other:
                document = other.get(PreparationDocument, cycle_id)
                document.texts = {**TEXTS, "highs_and_lows": "Saved during the rotation"}
                other.commit()

    sa.event.listen(db.engine, "before_cursor_execute", owner_saves_first)
    try:
        app.test_cli_runner().invoke(args=["keys", "rotate"], catch_exceptions=False)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", owner_saves_first)
    assert saved.is_set()
    db.session.expunge_all()
    assert db.session.get(PreparationDocument, cycle_id).texts["highs_and_lows"] == "Saved during the rotation"
    assert _raw_texts(cycle_id).startswith(f"v1.{key_ring().primary_id}.")
