"""After a round closes, PostgreSQL's pages hold no old version of a row about its raters (PRODUCT §3.3): the version
of an invitation that said `invited` was ended by the transaction that answered (which rewrote the responses) or
declined (which wrote none), so left in place it would tell an answer from a decline without any key. Each close
asks for a VACUUM once it commits (app/vacuum.py). The check-ins' own test: tests/followup/test_checkin_dead_rows.py.
Run under `python -m tests.servers`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from app import db as unit
from app.extensions import db
from app.models import User
from surveys import operations, responses
from surveys.models import Cycle
from surveys.operations import INVITATION_MAIL_KINDS
from tests.fixtures.rounds import rater_rows
from tests.fixtures.row_versions import old_versions, row_versions

TABLES = ("invitations", "responses", "rater_drafts", "rater_links", "rater_sessions")


def _rater_mail_versions(connection) -> int:  # type: ignore[no-untyped-def]
    """Versions, live or old, of outbox rows about a named rater (invitations and reminders, deleted at the close).
    The owner's own mails sent after the close leave old versions of their own: those name no rater."""
    return sum(any(kind.encode() in data for kind in INVITATION_MAIL_KINDS)
               for _, _, data in row_versions(connection, "outbound_mail"))


def test_after_a_round_closes_no_old_row_version_of_its_raters_is_left(
        app: object, owner: User, create_round: Callable[..., Cycle]) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's dead row versions (SQLite zeroes what it frees)")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        for table in (*TABLES, "outbound_mail"):
            connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        cycle = create_round(owner, rater_rows({"peer": 3, "direct_report": 2}))
        keys = cycle.questionnaire().statement_keys()
        answering, declining = cycle.invitations[:3], cycle.invitations[3]
        for invitation in answering:
            responses.save_answers(invitation, {key: 4 for key in keys})
            responses.submit(invitation)
            unit.commit()
        responses.decline(declining)
        unit.commit()
        with db.engine.connect() as connection:
            assert old_versions(connection, "invitations") > 0  # what the close must clear
            assert _rater_mail_versions(connection) > 0
        operations.close_round_early(cycle)
        unit.commit()
        with db.engine.connect() as connection:
            assert _rater_mail_versions(connection) == 0
            left = {table: old_versions(connection, table) for table in TABLES}
        assert left == dict.fromkeys(TABLES, 0)
    finally:
        with db.engine.begin() as connection:
            for table in (*TABLES, "outbound_mail"):
                connection.exec_driver_sql(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def test_a_vacuum_lost_at_the_close_is_queued_by_the_clock(
        app: object, owner: User, create_round: Callable[..., Cycle], monkeypatch: pytest.MonkeyPatch) -> None:
    from app import vacuum
    from app.timeutil import utcnow

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's dead row versions (SQLite zeroes what it frees)")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        for table in TABLES:
            connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        monkeypatch.setattr(operations, "vacuum_after_commit", lambda: None)  # Redis was down at the close
        cycle = create_round(owner, rater_rows({"peer": 3}))
        for invitation in cycle.invitations[:2]:
            responses.save_answers(invitation, dict.fromkeys(cycle.questionnaire().statement_keys(), 4))
            responses.submit(invitation)
            unit.commit()
        responses.decline(cycle.invitations[2])
        operations.close_round_early(cycle)
        unit.commit()
        with db.engine.connect() as connection:
            assert old_versions(connection, "invitations") > 0
        db.session.execute(db.text("SELECT pg_stat_force_next_flush()"))  # the counters the clock reads, now
        db.session.commit()
        monkeypatch.setattr(vacuum, "BACKSTOP_AFTER", timedelta(0))  # other tests' closes vacuumed moments ago
        assert vacuum.vacuum_if_left_behind(utcnow()) == "queued"  # the test queue runs it at once
        with db.engine.connect() as connection:
            assert {table: old_versions(connection, table) for table in TABLES} == dict.fromkeys(TABLES, 0)
    finally:
        with db.engine.begin() as connection:
            for table in (*TABLES, "outbound_mail"):
                connection.exec_driver_sql(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
