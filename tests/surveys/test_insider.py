"""An insider with the raw database, its backups, the logs and the mail store: can they tie an answer to a rater?

The attacker here has no master key. They take a snapshot of the database (the SQLite file's bytes, and every row
of every table as the driver returns it, with PostgreSQL's xmin and ctid) before and after each of ten
submissions, plus one backup taken while every rater holds a draft. They know which rater submitted between two
snapshots (the invitation's status changes): the question is whether they can say which stored response is that
rater's. The test, which has the keys, then checks every guess against what the response really says.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.encrypted import open_stored
from app.extensions import db
from app.mail import OutboundMail
from app.timeutil import utcnow
from surveys import links, operations, reminder_claims, sealed, tokens
from surveys.answers import field_name
from surveys.models import Cycle, Response
from tests.fixtures.insider import database_bytes, rater_profile, table_columns
from tests.fixtures.rounds import link_token, open_link
from tests.fixtures.smtp import MailCatcher

RATERS = [(f"Rater {n}", f"rater{n}@trust.example", cat) for n, cat in enumerate(
    ["peer", "peer", "peer", "peer", "direct_report", "direct_report", "direct_report", "other", "other", "manager"])]


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table, as the driver returns it (with xmin and ctid on PostgreSQL)."""
    db.session.commit()
    tables = sa.inspect(db.engine).get_table_names()
    extra = "" if _is_sqlite() else ", xmin::text AS xmin, ctid::text AS ctid"
    with db.engine.connect() as connection:
        return {t: [tuple(_plain(v) for v in r) for r in connection.exec_driver_sql(f'SELECT *{extra} FROM "{t}"')]
                for t in tables}


def _plain(value: object) -> object:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _values(rows: list[tuple]) -> Iterator[str]:
    for row in rows:
        for value in row:
            if value is not None:
                yield str(value)


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, list[tuple]]
    raw: bytes

    def responses(self) -> dict[str, str]:
        """Response key → its stored ciphertext."""
        return {row[0]: row[2] for row in self.rows["responses"]}

    def statuses(self) -> dict[int, str]:
        columns = [c["name"] for c in sa.inspect(db.engine).get_columns("invitations")]
        i, s = columns.index("id"), columns.index("status")
        return {row[i]: row[s] for row in self.rows["invitations"]}


def _snapshot(app: Flask) -> Snapshot:
    return Snapshot(_dump(), database_bytes(app))


def _fill(client: FlaskClient, cycle: Cycle, value: str, comment: str) -> str:
    """Answer every page (a draft), as the rater would; returns the rater pages' base."""
    base = "/feedback"
    for number, area in enumerate(cycle.questionnaire().areas, start=1):
        data = {field_name(s.key): value for sub in area.sub_areas for s in sub.statements}
        client.post(f"{base}/area/{number}", data={**data, "action": "continue"})
    client.post(f"{base}/comments", data={"q-strengths": comment, "action": "continue"})
    return base


def _truth(row_id: str, ciphertext: str) -> str:
    """What the test, holding the keys, reads in a response: the marker comment naming its rater."""
    content = open_stored(Response.__table__.c.content, ciphertext, row_id)
    return content["comments"]["strengths"]


@dataclass
class Attack:
    attempts: int = 0
    successes: int = 0
    informed: int = 0  # guesses made from something the snapshots gave away, not by chance


def _attack(snapshots: list[Snapshot], backup: Snapshot, order: list[int]) -> Attack:
    """For each submission, the attacker's best guess of which row in the final snapshot is that rater's."""
    final = snapshots[-1].responses()
    result = Attack()
    draft_lengths = {row[0]: len(row[1]) for row in backup.rows["rater_drafts"]}
    final_lengths = {key: len(c) for key, c in final.items()}
    for n, invitation_id in enumerate(order):
        before, after = snapshots[n], snapshots[n + 1]
        assert before.statuses()[invitation_id] == "invited" and after.statuses()[invitation_id] == "done"
        guess = None
        # 1. a key or a ciphertext that is new in this submission's snapshot and still there at the end
        new_keys = set(after.responses()) - set(before.responses())
        new_texts = set(after.responses().values()) - set(before.responses().values())
        if len(new_keys) == 1 and next(iter(new_keys)) in final:
            guess = next(iter(new_keys))
        elif len(new_texts) == 1:
            text = next(iter(new_texts))
            guess = next((k for k, c in final.items() if c == text), None)
        # 2. the rater's draft in the backup, matched by ciphertext length
        if guess is None:
            same = [k for k, length in final_lengths.items() if length == draft_lengths[invitation_id]]
            if len(same) == 1:
                guess = same[0]
        # 3. on PostgreSQL, the response written in the same transaction as the status change
        if guess is None and not _is_sqlite():
            xmin_of = {row[0]: row[-2] for row in after.rows["responses"]}
            flipped = next(row[-2] for row in after.rows["invitations"] if row[0] == invitation_id)
            same_txn = [k for k, x in xmin_of.items() if x == flipped and k in final]
            if len(same_txn) == 1:
                guess = same_txn[0]
        if guess is not None:
            result.informed += 1
        else:  # nothing to go on: the first row in stored order, which is as good as chance
            guess = next(iter(final))
        result.attempts += 1
        result.successes += _truth(guess, final[guess]) == f"rater-{invitation_id}"
    return result


@pytest.fixture
def ten_raters(owner, create_round) -> Cycle:  # type: ignore[no-untyped-def]
    return create_round(owner, RATERS)


def test_snapshots_around_ten_submissions_and_a_backup_of_drafts_link_no_better_than_chance(
        app: Flask, ten_raters: Cycle, mailbox: MailCatcher, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    invitations = list(ten_raters.invitations)
    browsers = {}
    for n, invitation in enumerate(invitations):  # every rater holds a draft: all pages answered, not yet sent
        browser = app.test_client()
        open_link(browser, link_token(invitation))
        _fill(browser, ten_raters, str(1 + n % 5), f"rater-{invitation.id}")
        browsers[invitation.id] = browser
    backup = _snapshot(app)
    assert len(backup.rows["rater_drafts"]) == len(invitations)

    order = [invitations[i].id for i in (3, 9, 0, 7, 5, 1, 8, 2, 6, 4)]
    snapshots = [backup]
    for invitation_id in order:
        assert browsers[invitation_id].post("/feedback/check").status_code == 302
        snapshots.append(_snapshot(app))

    # Every submission rewrote every response: no key and no ciphertext lasts from one snapshot to the next.
    for before, after in itertools.pairwise(snapshots):
        assert not set(before.responses()) & set(after.responses())
        assert not set(before.responses().values()) & set(after.responses().values())
        assert len(after.responses()) == len(before.responses()) + 1
    # Drafts, responses: one ciphertext length for all.
    lengths = {len(c) for s in snapshots for c in s.responses().values()} | \
        {len(row[1]) for row in backup.rows["rater_drafts"]}
    assert len(lengths) == 1
    assert snapshots[-1].rows["rater_drafts"] == []

    attack = _attack(snapshots, backup, order)
    print(f"\ninsider without keys: {attack.successes} of {attack.attempts} linked "
          f"(chance ~{attack.attempts / len(order):.0f}), informed guesses {attack.informed}; "
          f"ciphertext {lengths.pop()} characters for {sealed.padded_size(ten_raters.questionnaire())} padded bytes")
    assert attack.informed == 0
    assert attack.successes <= 5  # chance gives 1 on average; 6 or more by chance happens less than once in 1000

    # The raw files: no draft's ciphertext, or any part of it, outlives the draft.
    for row in backup.rows["rater_drafts"]:
        chunk = row[1][-64:].encode()
        assert chunk not in snapshots[-1].raw
    # Logs and mail store: no token, and no rater's address beside a submission.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/feedback/check" not in logged or not any(email in logged for _, email, _ in RATERS)
    for message in mailbox.messages:
        text = MailCatcher.text(message)
        for token in [w.rsplit("/r/", 1)[1] for w in text.split() if "/r/" in w]:
            token = token.strip(".,)>")
            assert tokens.token_hash(token) not in snapshots[-1].raw.decode("latin-1")  # every used token forgotten
    assert all("responded" not in MailCatcher.text(m) for m in mailbox.messages)


def test_a_snapshot_cannot_tell_a_rater_who_answered_from_one_who_declined(
        app: Flask, ten_raters: Cycle, clock) -> None:  # type: ignore[no-untyped-def]
    """Three peers invited together: one answers, one declines, one does nothing. While the round is open a
    snapshot tells the outstanding rater from the other two (reminders need that) but not those two apart; once it
    closes, it tells none of the three apart, so the counts and the report's Manager column name nobody."""
    answered, declined, silent = ten_raters.invitations[:3]
    browser = app.test_client()
    open_link(browser, link_token(answered))
    _fill(browser, ten_raters, "4", "mine")
    assert browser.post("/feedback/check").status_code == 302
    other = app.test_client()
    open_link(other, link_token(declined))
    _fill(other, ten_raters, "2", "a draft, then a change of mind")
    assert other.post("/feedback/decline").status_code == 302
    link_token(silent)  # a link it never used
    # Past the first reminder's day: only the silent rater is reminded, which a snapshot may show while it is open
    # (reminders need it), and must not once it closes.
    clock.advance(days=6)
    assert reminder_claims.claim_due(utcnow()) >= 1
    db.session.commit()

    def profiles() -> list[dict]:
        rows, columns = _dump(), table_columns()
        return [rater_profile(rows, columns, i.id) for i in (answered, declined, silent)]

    while_open = profiles()
    assert while_open[0] == while_open[1] != while_open[2]
    assert any(r.kind == "reminder" for r in db.session.scalars(sa.select(OutboundMail)))
    operations.close_round_early(db.session.get(Cycle, ten_raters.id))
    db.session.commit()
    after_close = profiles()
    assert after_close[0] == after_close[1] == after_close[2], after_close
    print(f"\ninsider after close: {len(after_close[0])} tables read, responder, decliner and silent rater identical")


def test_a_response_row_holds_only_a_fresh_key_its_cycle_and_one_ciphertext(app: Flask) -> None:
    assert {c["name"] for c in sa.inspect(db.engine).get_columns("responses")} == {"id", "cycle_id", "content"}
    if _is_sqlite():
        with closing(sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))) as raw, \
                pytest.raises(sqlite3.OperationalError):
            raw.execute("SELECT rowid FROM responses")  # no hidden insertion order either


def test_comments_and_answers_are_not_readable_in_the_raw_database(app: Flask, client: FlaskClient,
                                                                   ten_raters: Cycle) -> None:
    open_link(client, link_token(ten_raters.invitations[0]))
    _fill(client, ten_raters, "3", "PLAINTEXT-MARKER")
    assert b"PLAINTEXT-MARKER" not in database_bytes(app)  # as a draft
    assert client.post("/feedback/check").status_code == 302
    dump = _dump()
    assert not any("PLAINTEXT-MARKER" in v for rows in dump.values() for v in _values(rows))
    assert b"PLAINTEXT-MARKER" not in database_bytes(app)
    keys = [s.key for s in ten_raters.questionnaire().statements()]
    assert not any(key in v for v in _values(dump["responses"]) for key in keys)


def _files_on_disk(app: Flask) -> bytes:
    """The database file and any journal beside it, as a copy of the disk would hold them."""
    db.session.commit()
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"),
                                               path.with_name(path.name + "-journal")) if p.exists())


def test_deleted_rows_are_overwritten_on_disk(app: Flask, ten_raters: Cycle) -> None:
    if not _is_sqlite():
        pytest.skip("PostgreSQL keeps dead row versions until VACUUM; they are encrypted and padded (README)")
    invitation = ten_raters.invitations[0]
    stored = tokens.token_hash(link_token(invitation)).encode()  # a link's hash is kept in plain hex
    assert stored in _files_on_disk(app)
    links.end_all([invitation.id])
    assert stored not in _files_on_disk(app)  # the freed page was zeroed, not just marked free


def test_every_response_of_a_cycle_carries_the_same_write_marks(app: Flask, client: FlaskClient,
                                                                ten_raters: Cycle) -> None:
    if _is_sqlite():
        pytest.skip("SQLite rows carry no transaction id")
    for n, invitation in enumerate(ten_raters.invitations[:4]):
        browser = app.test_client()
        open_link(browser, link_token(invitation))
        _fill(browser, ten_raters, str(n + 1), f"c{n}")
        assert browser.post("/feedback/check").status_code == 302
    db.session.commit()
    with db.engine.connect() as connection:
        xmins = connection.exec_driver_sql("SELECT xmin::text FROM responses").scalars().all()
    assert len(xmins) == 4 and len(set(xmins)) == 1


def test_every_response_and_draft_of_a_round_is_sealed_at_its_questionnaire_s_size(
        app: Flask, ten_raters: Cycle) -> None:
    """The size is the round's, from its questionnaire: a short draft, a long one and a response all have it."""
    size = sealed.padded_size(ten_raters.questionnaire())
    for n, invitation in enumerate(ten_raters.invitations[:3]):
        browser = app.test_client()
        open_link(browser, link_token(invitation))
        _fill(browser, ten_raters, "3", "x" * (1 + 900 * n))
        if n == 0:
            assert browser.post("/feedback/check").status_code == 302
    rows = _dump()
    stored = [row[1] for row in rows["rater_drafts"]] + [row[2] for row in rows["responses"]]
    assert len(stored) == 3 and len({len(c) for c in stored}) == 1
    opened = open_stored(Response.__table__.c.content, rows["responses"][0][2], rows["responses"][0][0])
    assert opened.size == size < 48 * 1024
