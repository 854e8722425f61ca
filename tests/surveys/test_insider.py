"""An insider with the raw database: can they tie a submitted response to the rater who gave it?

These tests read the SQLite file directly (not through the ORM), the way someone with a copy of the database would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from surveys.answers import field_name
from surveys.models import Cycle
from tests.fixtures.rounds import link_token

RATERS = [(f"Rater {n}", f"rater{n}@trust.example", cat)
          for n, cat in enumerate(["peer", "peer", "peer", "direct_report", "direct_report", "other", "manager"])]


def _raw(app: Flask) -> sqlite3.Connection:
    return sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _dump(app: Flask) -> dict[str, list[tuple]]:
    db.session.commit()
    with closing(_raw(app)) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: raw.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}


def _columns(app: Flask, table: str) -> dict[str, str]:
    with closing(_raw(app)) as raw:
        return {row[1]: row[2] for row in raw.execute(f'PRAGMA table_info("{table}")')}


def _submit(client: FlaskClient, cycle: Cycle, token: str, value: str, comment: str) -> None:
    link = f"/r/{token}"
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
    columns = _columns(app, "responses")
    assert set(columns) == {"id", "cycle_id", "category", "answers", "comments"}
    with closing(_raw(app)) as raw, pytest.raises(sqlite3.OperationalError):
        raw.execute("SELECT rowid FROM responses")  # no hidden insertion order either


def test_a_submission_changes_nothing_that_links_back(app: Flask, client: FlaskClient,
                                                      round_with_raters: Cycle) -> None:
    invitations = round_with_raters.invitations
    for i, invitation in enumerate(invitations[:3]):
        _submit(client, round_with_raters, link_token(invitation), str(1 + i), f"comment {i}")
    target = invitations[3]
    token = link_token(target)
    client.post(f"/r/{token}/area/1", data={"action": "save"})  # a draft exists before the submit
    before = _dump(app)
    _submit(client, round_with_raters, token, "5", "the insider's target")
    after = _dump(app)

    changed = {t for t in after if set(after[t]) != set(before[t])}
    assert changed == {"responses", "invitations", "rater_drafts"}
    assert after["rater_drafts"] == []
    new_rows = set(after["responses"]) - set(before["responses"])
    assert len(new_rows) == 1
    # The only change to invitations is the status word: no time, no counter, no response reference.
    changed_invitations = set(after["invitations"]) - set(before["invitations"])
    assert len(changed_invitations) == 1
    old = next(r for r in before["invitations"] if r[0] == target.id)
    new = next(iter(changed_invitations))
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [("invited", "responded")]

    response_row = next(iter(new_rows))
    identifying = {target.email, target.name, target.token_hash, target.link_nonce, token}
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
    with open(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), "rb") as raw_file:
        assert b"PLAINTEXT-MARKER" not in raw_file.read()


def test_no_rater_link_is_stored(app: Flask, round_with_raters: Cycle) -> None:
    dump = _dump(app)
    for invitation in round_with_raters.invitations:
        token = link_token(invitation)
        assert not any(token in v for rows in dump.values() for v in _values(rows))


def test_deleted_drafts_are_overwritten_on_disk(app: Flask) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


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
    with closing(_raw(app)) as raw:
        stored = [r[0] for r in raw.execute("SELECT id FROM responses")]
    # Rows come back in the order of their random keys, whatever the order they arrived in.
    assert stored == sorted(stored)
    assert all(len(key) == 32 and key[12] == "4" for key in stored)  # UUID4: random, not time-based
