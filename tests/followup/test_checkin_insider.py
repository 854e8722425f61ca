"""The insider test (tests/surveys/test_insider.py) extended to goal check-ins: with snapshots of the database before
and after each answer, the mail store and the logs, but no master key, can anyone tie a check-in answer to the
person who gave it, or tell, once it has closed, who answered, who declined and who did neither?"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db as unit
from app.encrypted import open_stored
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from facilitator.rules import MAX_GOALS
from followup.checkin import operations
from followup.checkin.models import CheckIn, CheckInResponse
from followup.checkin.rules import COMMENT_LIMIT
from surveys import sealed, tokens
from surveys.answers import clean_comment
from surveys.models import Cycle
from tests.fixtures.insider import _WHO, database_bytes, table_columns
from tests.fixtures.smtp import MailCatcher
from tests.followup.checkins import agreed_plan, answer_form, open_checkin_link, rater_token, send_checkin
from tests.surveys.test_insider import _dump, _is_sqlite

TABLE = "checkin_responses"


def _responses(rows: dict[str, list[tuple]]) -> dict[str, str]:
    return {row[0]: row[2] for row in rows[TABLE]}


def _statuses(rows: dict[str, list[tuple]]) -> dict[int, str]:
    names = table_columns()["checkin_raters"]
    return {row[names.index("id")]: row[names.index("status")] for row in rows["checkin_raters"]}


def _truth(row_id: str, ciphertext: str) -> str:
    return open_stored(CheckInResponse.__table__.c.content, ciphertext, row_id)["comment"]


def test_snapshots_around_each_answer_link_no_better_than_chance(
        app: Flask, owner: User, create_round: Callable[..., Cycle], mailbox: MailCatcher,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    agreed_plan(owner, create_round, goals=8)
    checkin = send_checkin(owner, n=8)
    browsers = {}
    for rater in checkin.raters:  # every rater has the page open, answers chosen, not yet sent
        browser = app.test_client()
        open_checkin_link(browser, rater_token(rater))
        browsers[rater.id] = browser
    snapshots = [_dump()]
    order = [checkin.raters[i].id for i in (5, 2, 7, 0, 3, 6, 1, 4)]
    for n, rater_id in enumerate(order):
        form = answer_form(checkin, str(n % 5 - 2), f"rater-{rater_id}")
        assert browsers[rater_id].post("/check-in", data=form).status_code == 302
        snapshots.append(_dump())

    for before, after in itertools.pairwise(snapshots):
        assert not set(_responses(before)) & set(_responses(after))  # every key new at every answer
        assert not set(_responses(before).values()) & set(_responses(after).values())  # every ciphertext too
        assert len(_responses(after)) == len(_responses(before)) + 1
    lengths = {len(c) for s in snapshots for c in _responses(s).values()}
    assert len(lengths) == 1  # one fixed size, whatever was answered or written

    final = _responses(snapshots[-1])
    informed = successes = 0
    for n, rater_id in enumerate(order):
        before, after = snapshots[n], snapshots[n + 1]
        assert _statuses(before)[rater_id] == "invited" and _statuses(after)[rater_id] == "done"
        new = set(_responses(after)) - set(_responses(before))
        guess = None
        if len(new) == 1 and next(iter(new)) in final:
            guess = next(iter(new))
        if guess is None and not _is_sqlite():  # PostgreSQL: the row written with the status change
            flipped = next(row[-2] for row in after["checkin_raters"] if row[0] == rater_id)
            same = [row[0] for row in after[TABLE] if row[-2] == flipped and row[0] in final]
            guess = same[0] if len(same) == 1 else None
        informed += guess is not None
        guess = guess or next(iter(final))
        successes += _truth(guess, final[guess]) == f"rater-{rater_id}"
    print(f"\ncheck-in insider without keys: {successes} of {len(order)} linked, informed guesses {informed}; "
          f"ciphertext {lengths.pop()} characters for {operations.sealed_size(checkin.goal_keys)} padded bytes")
    assert informed == 0 and successes <= 5

    raw = database_bytes(app)
    assert b"rater-" not in raw  # comments are sealed
    # The product's own logs (not the test's mail server, which logs every recipient): no token, no rater's address.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "/c/" not in logged and not any(r.email in logged for r in checkin.raters)
    for message in mailbox.messages:
        for word in MailCatcher.text(message).split():
            if "/c/" in word:
                assert tokens.token_hash(word.rsplit("/c/", 1)[1].strip(".,)>")) not in raw.decode("latin-1")


def _profile(rows: dict[str, list[tuple]], columns: dict[str, list[str]], rater_id: int) -> dict:
    """As tests/fixtures/insider.rater_profile, for a check-in's rater: their row and every row pointing at them,
    less the columns that tell people apart whatever they did."""
    profile: dict[str, list[tuple]] = {}
    for table, table_rows in rows.items():
        names = columns[table]
        keep = [i for i, n in enumerate(names) if n not in _WHO and n != "rater_id"]
        if table == "checkin_raters":
            mine = [r for r in table_rows if r[names.index("id")] == rater_id]
        elif "rater_id" in names:
            mine = [r for r in table_rows if r[names.index("rater_id")] == rater_id]
        elif table == "outbound_mail":
            kind, ref = names.index("kind"), names.index("ref_id")
            mine = [r for r in table_rows if r[ref] == rater_id and r[kind] in operations.RATER_MAIL_KINDS]
        else:
            continue
        profile[table] = sorted(tuple(str(r[i]) for i in keep) for r in mine)
    return profile


def test_after_the_close_no_row_tells_who_answered_declined_or_did_neither(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3, close_in_days=20)
    answered, declined, silent = checkin.raters
    browser = app.test_client()
    open_checkin_link(browser, rater_token(answered))
    assert browser.post("/check-in", data=answer_form(checkin, "1", "mine")).status_code == 302
    other = app.test_client()
    open_checkin_link(other, rater_token(declined))
    assert other.post("/check-in/decline").status_code == 302
    rater_token(silent)
    now = utcnow() + timedelta(days=6)
    assert operations.claim_reminders(now) == 1  # only the silent one is reminded: the open check-in needs that
    unit.commit()

    def profiles() -> list[dict]:
        rows, columns = _dump(), table_columns()
        return [_profile(rows, columns, r.id) for r in (answered, declined, silent)]

    while_open = profiles()
    assert while_open[0] == while_open[1] != while_open[2]
    operations.close_early(db.session.get(CheckIn, checkin.id), now)
    unit.commit()
    after = profiles()
    assert after[0] == after[1] == after[2], after


def test_a_check_in_response_row_holds_only_a_fresh_key_its_check_in_and_one_ciphertext(app: Flask) -> None:
    assert {c["name"] for c in sa.inspect(db.engine).get_columns(TABLE)} == {"id", "checkin_id", "content"}
    assert not [t for t in sa.inspect(db.engine).get_table_names() if t.startswith("checkin") and "draft" in t]
    if _is_sqlite():
        with closing(sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))) as raw, \
                pytest.raises(sqlite3.OperationalError):
            raw.execute(f"SELECT rowid FROM {TABLE}")


@settings(max_examples=200, deadline=None)
@given(goals=st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32), min_size=1,
                      max_size=MAX_GOALS, unique=True),
       answer=st.sampled_from([-2, -1, 0, 1, 2, "n"]),
       comment=st.text(max_size=COMMENT_LIMIT * 2))
def test_any_check_in_answer_the_form_takes_fits_its_fixed_size(goals: list[str], answer: int | str,
                                                                 comment: str) -> None:
    """Whatever a rater writes (control characters are dropped, as on a round's pages), an answer the form takes
    pads to exactly its check-in's size: no length can tell one answer from another."""
    kept = clean_comment(comment)
    if len(kept) > COMMENT_LIMIT:
        return  # the form refuses it, with its message
    size = operations.sealed_size(goals)
    assert len(sealed.pad({"answers": dict.fromkeys(goals, answer), "comment": kept}, size).encode()) == size
    widest = "\U0001d11e" * COMMENT_LIMIT  # four bytes of UTF-8 each
    assert len(sealed.pad({"answers": dict.fromkeys(goals, -2), "comment": widest}, size).encode()) == size


@pytest.mark.parametrize("goals", [[f"{n:014x}" for n in range(8)], [f"{n:027x}" for n in range(5)],
                                   *([f"{n:032x}" for n in range(k)] for k in range(1, MAX_GOALS + 1))])
def test_the_longest_answer_is_not_able_to_say_and_it_fits_with_the_widest_comment(goals: list[str]) -> None:
    """`"n"` is a byte longer in JSON than `-2`: every goal "Not able to say" and a comment at its limit in its
    widest characters still pads to the check-in's size, whatever the goals' keys."""
    size = operations.sealed_size(goals)
    widest = "\U0001d11e" * COMMENT_LIMIT
    assert len(sealed.pad({"answers": dict.fromkeys(goals, "n"), "comment": widest}, size).encode()) == size
