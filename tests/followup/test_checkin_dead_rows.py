"""PostgreSQL keeps a row's old versions until VACUUM (and its WAL and base backups keep them longer). Until then the
pages of a check-in's tables hold, for each person asked, the version of their row that said `invited`, ended
(xmax) by the transaction that marked them done; and the response rows that transaction wrote (xmin). An answer
writes responses in that transaction, a decline writes none, and silence is ended by the close: so the old versions
would say who answered, who declined and who did neither, which no live row says (PRODUCT §3.3), without any key.
Each close therefore asks for a VACUUM of those tables once it commits (app/vacuum.py): after it, the pages hold
live rows only. WAL archives and base backups taken before keep what they hold (README)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from followup.checkin import operations
from followup.checkin.models import CheckIn
from surveys.models import Cycle
from tests.fixtures.row_versions import old_versions, row_versions
from tests.followup.checkins import agreed_plan, answer_form, open_checkin_link, rater_token, send_checkin


def test_after_the_close_dead_row_versions_do_not_tell_who_answered(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's dead row versions")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        for table in ("checkin_raters", "checkin_responses"):
            connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    agreed_plan(owner, create_round)
    checkin = send_checkin(owner, n=3, close_in_days=20)
    answered, declined, silent = checkin.raters
    browser = app.test_client()
    open_checkin_link(browser, rater_token(answered))
    assert browser.post("/check-in", data=answer_form(checkin, "1")).status_code == 302
    other = app.test_client()
    open_checkin_link(other, rater_token(declined))
    assert other.post("/check-in/decline").status_code == 302
    operations.close_early(db.session.get(CheckIn, checkin.id), utcnow() + timedelta(days=1))
    unit.commit()
    with db.engine.connect() as connection:
        raters = row_versions(connection, "checkin_raters")
        written_by = {xmin for xmin, _, _ in row_versions(connection, "checkin_responses")}
    sent, closing = min(v[0] for v in raters), max(v[0] for v in raters)
    guess = {}
    for _, ended_by, data in [v for v in raters if v[0] == sent]:  # each person's row as it was sent
        who = next(r.email for r in (answered, declined, silent) if r.email.encode() in data)
        guess[who] = "answered" if ended_by in written_by else "neither" if ended_by == closing else "declined"
    truth = {answered.email: "answered", declined.email: "declined", silent.email: "neither"}
    assert guess != truth, guess
    with db.engine.connect() as connection:
        for table in ("checkin_raters", "checkin_responses", "checkin_links", "checkin_sessions"):
            assert old_versions(connection, table) == 0, f"{table} still holds old row versions"
