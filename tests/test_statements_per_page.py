"""Each page people wait for sends exactly this many SQL statements (PRODUCT §8, issue 29): a change that adds one
fails here and says which page, so a repeated read or a row-by-row load cannot creep back unnoticed. The counts
are of one request with an empty session, as in a web process (tests/surveys/test_sql_per_page.py holds that they
do not grow with the round). Where a count goes down, lower it here."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.db import counting_statements, read_once
from app.extensions import db
from app.models import Role, User
from reports.models import Report
from surveys import responses
from surveys.models import Cycle
from tests.fixtures.answers import area_form
from tests.fixtures.people import signed_in
from tests.fixtures.rounds import link_token, open_link

# page → statements. The signed-in pages: the person with their roles (1), then the page's own reads.
EXPECTED = {
    # was 1: the organisations that sign in with their own accounts, for their buttons, now read once every
    # BUTTONS_SECONDS in each process (app/identity/operations.py); counted here after the process's first page
    "sign-in page": 0,
    "accessibility statement": 0,
    "rater area page": 1,  # session, invitation, round, owner's name and draft at once (surveys/links.py)
    "rater area save": 4,  # the session, then a draft's first save: an UPDATE that finds none, then the INSERT
    "rater area save again": 3,  # was 4: the draft written by one UPDATE, no ORM load of the invitation and draft
    "rater check page": 1,
    # was 16: roles twice, the round's conversation summaries four times; then 11, and 4: the round's steps counted
    # in one statement, its rounds read once for the round and whether a new one may start, and nothing asked of
    # a report, release, session or summary that the round's state or settings say cannot exist yet
    "owner dashboard": 4,
    # was 11: the roles again with each query of rounds, the facilitator twice; then 10 with the organisation's
    # domains (a table of their own, so one organisation holds each) and a list sent back with a note; then 5: the
    # raters as plain values, the last round with its raters at once, the organisation's rules in one statement,
    # and the confirmation section's reads only where it is shown (surveys/rater_rows.py)
    "owner raters page": 5,
    # was 11: the reader, their roles and the report read again after the read was logged; then 7. The owner's
    # read: the report with its round at once, whether it is held from them (reports/access.py asks only what
    # decides it: not who facilitates, nor whom it is shared with), and the read logged; then 3: no release looked
    # for where the organisation holds no report (facilitator.operations.held_cycle).
    "report page": 3,
}


def _statements(call: Callable[[], object]) -> int:
    db.session.remove()  # each request starts with an empty session, as in a web process
    with counting_statements() as statements:
        status = call().status_code  # type: ignore[attr-defined]
    assert status in (200, 302), status
    return len(statements)


def test_each_page_sends_the_statements_it_needs_and_no_more(
        app: Flask, client: FlaskClient, create_user: Callable[..., User], create_round: Callable[..., Cycle],
        create_closed_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER, email="counted.owner@trust.example")
    cycle = create_round(owner, [(f"Rater {n}", f"r{n}@trust.example", ["peer", "manager", "direct_report"][n % 3])
                                 for n in range(9)])
    keys = cycle.questionnaire().statement_keys()
    for invitation in cycle.invitations[:4]:
        responses.save_answers(invitation, dict.fromkeys(keys, 4))
    responses.submit(cycle.invitations[0])
    answers = area_form(cycle.questionnaire().areas[0]) | {"action": "continue"}
    changed = area_form(cycle.questionnaire().areas[0], "3") | {"action": "continue"}
    reader = create_user(Role.OWNER, email="counted.reader@trust.example")
    report = db.session.scalar(sa.select(Report).where(
        Report.cycle_id == create_closed_round(reader, {"manager": 1, "peer": 3, "direct_report": 3}).id))
    assert report is not None
    report_id = report.id
    tokens = [link_token(cycle.invitations[n]) for n in (8, 3)]
    unit.commit()

    rater, done = app.test_client(), app.test_client()
    base, done_base = open_link(rater, f"/r/{tokens[0]}"), open_link(done, f"/r/{tokens[1]}")
    as_owner, as_reader = signed_in(app, owner), signed_in(app, reader)
    client.get("/sign-in")
    counts = {
        "sign-in page": _statements(lambda: client.get("/sign-in")),
        "accessibility statement": _statements(lambda: client.get("/accessibility")),
        "rater area page": _statements(lambda: rater.get(f"{base}/area/1")),
        "rater area save": _statements(lambda: rater.post(f"{base}/area/1", data=answers)),
        "rater area save again": _statements(lambda: rater.post(f"{base}/area/1", data=changed)),
        "rater check page": _statements(lambda: done.get(f"{done_base}/check")),
        "owner dashboard": _statements(lambda: as_owner.get("/round")),
        "owner raters page": _statements(lambda: as_owner.get("/round/raters")),
        "report page": _statements(lambda: as_reader.get(f"/reports/{report_id}")),
    }
    assert counts == EXPECTED


def test_a_read_once_value_is_read_again_after_any_write(app: Flask, create_user: Callable[..., User]) -> None:
    """What a page reads once (app.db.read_once) is never older than the session's own writes: a flush, a commit or
    a rollback forgets it, and while changes wait to be flushed the database is asked."""
    user = create_user(Role.OWNER, email="once@trust.example")
    unit.commit()
    reads: list[str] = []

    def name() -> str:
        reads.append("read")
        return db.session.scalar(sa.select(User.name).where(User.id == user.id)) or ""

    first = read_once(("name", user.id), name)
    assert read_once(("name", user.id), name) == first and len(reads) == 1
    user.name = "Renamed Owner"  # waiting to be flushed: asked again, and the query's autoflush sends it
    assert read_once(("name", user.id), name) == "Renamed Owner" and len(reads) == 2
    assert read_once(("name", user.id), name) == "Renamed Owner" and len(reads) == 3  # the flush forgot it
    assert read_once(("name", user.id), name) == "Renamed Owner" and len(reads) == 3
    db.session.execute(sa.update(User).where(User.id == user.id).values(name="Changed Elsewhere"))
    unit.commit()
    assert read_once(("name", user.id), name) == "Changed Elsewhere" and len(reads) == 4
    user = db.session.get(User, user.id)  # type: ignore[assignment]
    user.name = "Rolled Back"
    db.session.flush()
    assert read_once(("name", user.id), name) == "Rolled Back" and len(reads) == 5
    unit.rollback()
    assert read_once(("name", user.id), name) == "Changed Elsewhere" and len(reads) == 6
