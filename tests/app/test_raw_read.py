"""A read on the pool's DBAPI connection (app/db.py `read_row`, `RawRead`) gives what SQLAlchemy's execution gives."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.db import _RAW_READS, RawRead, counting_statements, raw_read, read_row
from app.extensions import db
from app.timeutil import utcnow
from surveys import links, responses
from surveys.models import Cycle


def _by_sqlalchemy(statement: sa.Select, params: dict[str, object]) -> sa.Row | None:  # type: ignore[type-arg]
    with db.engine.connect() as connection:
        return connection.execute(statement, params).one_or_none()


def test_a_rater_s_visit_reads_the_same_values_by_either_way(app: Flask, open_round: Cycle) -> None:
    """Every kind of column a rater's page reads: text, integers, enums, a date and a time, JSON and a sealed draft;
    and a row without a draft (the outer join's nulls)."""
    invitation, other = open_round.invitations[0], open_round.invitations[1]
    assert responses.write_draft(invitation.id, open_round.questionnaire(), {"s1": 4}, {"strengths": "Kind"})
    secrets = [links.start_session(invitation, utcnow()), links.start_session(other, utcnow())]
    unit.commit()
    _RAW_READS.pop(db.engine, None)
    for secret in secrets:
        params = {"secret_hash": links.tokens.token_hash(secret)}
        raw, expected = read_row(links._VISIT, params), _by_sqlalchemy(links._VISIT, params)
        assert expected is not None and tuple(raw) == tuple(expected)
        assert raw._fields == tuple(expected._fields)
        assert [type(value) for value in raw] == [type(value) for value in expected]
        assert raw.category == expected.category and raw.expires_at == expected.expires_at
    assert links._VISIT in _RAW_READS[db.engine]  # read raw: nothing listened to the engine
    assert read_row(links._VISIT, {"secret_hash": "no such session"}) is None


def test_a_rater_s_visit_opens_its_draft_read_raw(app: Flask, open_round: Cycle) -> None:
    invitation = open_round.invitations[0]
    assert responses.write_draft(invitation.id, open_round.questionnaire(), {"s1": 4}, {"strengths": "Kind"})
    secret = links.start_session(invitation, utcnow())
    unit.commit()
    visit = links.visit(secret, utcnow())
    assert visit is not None and visit.answers == {"s1": 4} and visit.comments == {"strengths": "Kind"}


def test_a_read_goes_through_sqlalchemy_while_anything_listens_to_the_engine(app: Flask, open_round: Cycle) -> None:
    _RAW_READS.pop(db.engine, None)
    with counting_statements() as statements:
        assert read_row(links._VISIT, {"secret_hash": "no such session"}) is None
    assert len(statements) == 1  # the statement counts see it
    assert db.engine not in _RAW_READS


def test_a_driver_s_error_is_sqlalchemy_s_and_the_connection_goes_back(app: Flask) -> None:
    missing = sa.select(sa.column("x", sa.Integer)).select_from(sa.table("no_such_table"))
    pool = db.engine.pool
    with pytest.raises(sa.exc.DBAPIError):
        read_row(missing, {})
    assert pool.checkedout() == 0


def test_one_row_or_none_and_only_plain_binds(app: Flask) -> None:
    numbers = sa.select(sa.literal_column("1", sa.Integer).label("n")).union_all(
        sa.select(sa.literal_column("2", sa.Integer).label("n")))
    with pytest.raises(sa.exc.MultipleResultsFound):
        read_row(sa.select(numbers.subquery().c.n), {})
    listed = sa.select(sa.literal_column("1", sa.Integer).label("n")).where(
        sa.literal_column("1").in_(sa.bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="plain binds"):
        raw_read(db.engine, listed)
    with pytest.raises(ValueError, match="distinct keys"):
        RawRead(db.engine.dialect, sa.select(sa.literal_column("1").label("a"), sa.literal_column("2").label("a")))


def test_a_failed_read_s_error_never_holds_its_parameters(app: Flask) -> None:
    """The error is logged with its time (app/errors.py): a rater's session hash in it would tie that rater to the
    time, for anyone who also holds the database."""
    secret_hash = "f" * 64
    missing = sa.select(sa.column("x", sa.Integer)).select_from(sa.table("no_such_table")).where(
        sa.column("h", sa.String) == sa.bindparam("secret_hash"))
    with pytest.raises(sa.exc.DBAPIError) as raw:
        read_row(missing, {"secret_hash": secret_hash})
    with counting_statements(), pytest.raises(sa.exc.DBAPIError) as through_sqlalchemy:
        read_row(missing, {"secret_hash": secret_hash})
    for error in (raw.value, through_sqlalchemy.value):
        assert secret_hash not in str(error)
