"""An insider with the raw database: can they tie a submitted response to the rater who gave it?

These tests read the database directly (not through the ORM), the way someone with a copy of it would: the SQLite
file byte by byte on the embedded default, and on PostgreSQL every table together with the system columns that
record which transaction wrote each row (xmin) and where it sits (ctid).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from surveys.answers import field_name
from surveys.models import Cycle
from tests.fixtures.insider import database_bytes
from tests.fixtures.rounds import link_token, open_link

RATERS = [(f"Rater {n}", f"rater{n}@trust.example", cat)
          for n, cat in enumerate(["peer", "peer", "peer", "direct_report", "direct_report", "other", "manager"])]


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _raw(app: Flask) -> sqlite3.Connection:
    return sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _dump(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, as the driver returns it, with no ORM type conversion."""
    db.session.commit()
    tables = sa.inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        return {t: [tuple(_plain(v) for v in r) for r in connection.exec_driver_sql(f'SELECT * FROM "{t}"')]
                for t in tables}


def _plain(value: object) -> object:
    # psycopg hands JSON back as Python objects; the insider sees it as text either way
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns(table)}


def _submit(client: FlaskClient, cycle: Cycle, token: str, value: str, comment: str) -> None:
    link = open_link(client, token)
    for number, area in enumerate(cycle.questionnaire().areas, start=1):
        data = {field_name(s.key): value for sub in area.sub_areas for s in sub.statements}
        client.post(f"{link}/area/{number}", data={**data, "action": "continue"})
    client.post(f"{link}/comments", data={"q-strengths": comment, "action": "continue"})
    assert client.post(f"{link}/check").status_code == 302


@pytest.fixture
def round_with_raters(owner, create_round) -> Cycle:  # type: ignore[no-untyped-def]
    return create_round(owner, RATERS)


def _values(rows: list[tuple]) -> Iterator[str]:
    for row in rows:
        for value in row:
            if value is not None:
                yield str(value)


def test_a_response_row_holds_only_its_cycle_group_and_answers(app: Flask) -> None:
    assert _columns("responses") == {"id", "cycle_id", "category", "answers", "comments"}
    if _is_sqlite():
        with closing(_raw(app)) as raw, pytest.raises(sqlite3.OperationalError):
            raw.execute("SELECT rowid FROM responses")  # no hidden insertion order either


def test_a_submission_changes_nothing_that_links_back(app: Flask, client: FlaskClient,
                                                      round_with_raters: Cycle) -> None:
    invitations = round_with_raters.invitations
    for i, invitation in enumerate(invitations[:3]):
        _submit(client, round_with_raters, link_token(invitation), str(1 + i), f"comment {i}")
    target = invitations[3]
    token = link_token(target)
    client.post(f"{open_link(client, token)}/area/1", data={"action": "save"})  # a draft exists before the submit
    before = _dump(app)
    _submit(client, round_with_raters, token, "5", "the insider's target")
    after = _dump(app)

    changed = {t for t in after if set(after[t]) != set(before[t])}
    assert changed == {"responses", "invitations", "rater_drafts", "rater_links", "rater_sessions"}
    assert after["rater_drafts"] == []
    # Every response of the cycle is written again (comments under fresh nonces), so the newest looks like the rest.
    known = {row[0] for row in before["responses"]}
    new_rows = [row for row in after["responses"] if row[0] not in known]
    assert len(new_rows) == 1 and len(after["responses"]) == len(before["responses"]) + 1
    assert {row[4] for row in after["responses"]}.isdisjoint(row[4] for row in before["responses"])
    # The only change to invitations is the status word: no time, no counter, no response reference.
    changed_invitations = set(after["invitations"]) - set(before["invitations"])
    assert len(changed_invitations) == 1
    old = next(r for r in before["invitations"] if r[0] == target.id)
    new = next(iter(changed_invitations))
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [("invited", "responded")]

    (response_row,) = new_rows
    identifying = {target.email, target.name, token}
    for value in map(str, response_row):
        assert not any(secret in value for secret in identifying)
    # and nothing anywhere else in the database mentions the new response's key
    response_id = response_row[0]
    for table, rows in after.items():
        if table != "responses":
            assert not any(response_id in v for v in _values(rows)), table


def test_comments_are_not_readable_in_the_raw_database(app: Flask, client: FlaskClient,
                                                       round_with_raters: Cycle) -> None:
    _submit(client, round_with_raters, link_token(round_with_raters.invitations[0]), "3", "PLAINTEXT-MARKER")
    db.session.commit()
    dump = _dump(app)
    assert not any("PLAINTEXT-MARKER" in v for rows in dump.values() for v in _values(rows))
    assert b"PLAINTEXT-MARKER" not in database_bytes(app)


def test_no_rater_link_is_stored(app: Flask, round_with_raters: Cycle) -> None:
    dump = _dump(app)
    for invitation in round_with_raters.invitations:
        token = link_token(invitation)
        assert not any(token in v for rows in dump.values() for v in _values(rows))


def test_deleted_drafts_are_overwritten_on_disk(app: Flask) -> None:
    if not _is_sqlite():
        pytest.skip("PostgreSQL has no secure delete; drafts are encrypted instead (next test)")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_draft_is_unreadable_in_the_raw_database(app: Flask, client: FlaskClient, round_with_raters: Cycle) -> None:
    # PostgreSQL keeps a deleted draft's old row version until VACUUM; what it keeps must say nothing.
    token = link_token(round_with_raters.invitations[0])
    first_area = round_with_raters.questionnaire().areas[0]
    keys = [s.key for sub in first_area.sub_areas for s in sub.statements]
    client.post(f"{open_link(client, token)}/area/1", data={**{field_name(k): "4" for k in keys}, "action": "save"})
    (row,) = _dump(app)["rater_drafts"]
    assert not any(key in value for value in _values([row]) for key in keys)


def test_every_response_of_a_cycle_carries_the_same_write_marks(app: Flask, client: FlaskClient,
                                                                round_with_raters: Cycle) -> None:
    """On PostgreSQL, xmin would otherwise pair each response with the invitation answered in its transaction."""
    if _is_sqlite():
        pytest.skip("SQLite rows carry no transaction id")
    for n, invitation in enumerate(round_with_raters.invitations[:4]):
        _submit(client, round_with_raters, link_token(invitation), str(n + 1), f"c{n}")
    db.session.commit()
    with db.engine.connect() as connection:
        responses = connection.exec_driver_sql("SELECT xmin::text, id FROM responses ORDER BY ctid").all()
        invitations = dict(connection.exec_driver_sql("SELECT id, xmin::text FROM invitations").all())
    assert len({xmin for xmin, _ in responses}) == 1
    assert [key for _, key in responses] == sorted(key for _, key in responses)  # stored in key order
    answered = [i.id for i in round_with_raters.invitations[:4]]
    # Only the last answered invitation shares the responses' transaction, and that singles out no response.
    assert [i for i in answered if invitations[i] == responses[0][0]] == [answered[-1]]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(RATERS))))
def test_stored_order_says_nothing_about_submission_order(app: Flask, client: FlaskClient, owner,  # type: ignore[no-untyped-def]
                                                         create_round, order: list[int]) -> None:
    db.session.execute(db.text("DELETE FROM responses"))
    db.session.execute(db.text("DELETE FROM outbound_mail"))
    db.session.execute(db.text("DELETE FROM invitations"))
    db.session.execute(db.text("DELETE FROM cycles"))
    db.session.commit()
    cycle = create_round(owner, RATERS)
    for position, index in enumerate(order):
        _submit(client, cycle, link_token(cycle.invitations[index]), str(1 + position % 5), f"c{position}")
    with db.engine.connect() as connection:
        stored = [r[0] for r in connection.exec_driver_sql("SELECT id FROM responses")]
    # Rows come back in the order of their random keys, whatever the order they arrived in.
    assert stored == sorted(stored)
    assert all(len(key) == 32 and key[12] == "4" for key in stored)  # UUID4: random, not time-based
