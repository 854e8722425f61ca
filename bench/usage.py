"""Usage benchmark: one quarterly build for one organisation and one local lead's usage page, each with its time and
its number of SQL statements, over 10 000 and 100 000 rounds across 50 organisations (6 raters each; each round with
a session by one of its organisation's two facilitators, nine in ten with a summary agreed and two in three
evaluated), to show the statements do not grow with the number of rounds.

Run on SQLite:      OPEN360_ENV=test .venv/bin/python bench/usage.py
Run on PostgreSQL:  OPEN360_ENV=test .venv/bin/python -m tests.servers .venv/bin/python bench/usage.py
(tests.servers starts a throwaway PostgreSQL and sets TEST_DATABASE_URL). Rounds are spread over the eight quarters
before the measured one; the build counts the last complete quarter with every earlier quarter already published
(as the worker finds them), draws the PDF and checks the whole history. The page is served by the test client, signed
in as the organisation's local lead. Statements are counted with a `before_cursor_execute` listener. Each rater marked
done has answered three times in four (the rest declined): one response row each, as the usage figures count
responses (a stand-in ciphertext: nothing here opens one). The last columns are the built quarter's raters invited
and responded, as the organisation's published table holds them.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.encrypted import bound_to
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from facilitator.models import Evaluation, SessionRecord, Summary
from facilitator.rules import EVALUATION_QUESTIONS
from surveys.models import Cycle, Invitation
from usage import jobs, operations, table
from usage.periods import Quarter, last_complete, quarters_from

ORGANISATIONS = 50
RATERS = 6
TODAY = date(2026, 12, 1)
PASSWORD = "bench password 360"


def seed(rounds: int, rng: random.Random) -> None:
    """Organisations, owners, rounds and invitations in bulk (the set-up is not what is measured)."""
    last = last_complete(TODAY)
    quarters = quarters_from(_back(last, 7), last)
    db.session.execute(sa.insert(Organisation.__table__), [{"name": f"Bench Trust {n}"}
                                                            for n in range(ORGANISATIONS)])
    org_ids = list(db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)))
    lead_hash = hash_password(PASSWORD)
    db.session.execute(sa.insert(User.__table__), [
        {"organisation_id": org_ids[n % ORGANISATIONS], "email": f"owner{n}@bench.example", "name": f"Owner {n}",
         "password_hash": "x", "is_active_account": True, "created_at": datetime(2024, 1, 1)}
        for n in range(rounds)] + [
        {"organisation_id": org_id, "email": f"lead{org_id}@bench.example", "name": f"Lead {org_id}",
         "password_hash": lead_hash, "is_active_account": True, "created_at": datetime(2024, 1, 1)}
        for org_id in org_ids])
    leads = db.session.execute(sa.select(User.id).where(User.email.like("lead%"))).scalars().all()
    db.session.execute(sa.insert(UserRole.__table__), [{"user_id": u, "role": Role.LOCAL_LEAD.name} for u in leads])
    owner_ids = db.session.execute(sa.select(User.id).where(User.email.like("owner%")).order_by(User.id)
                                   ).scalars().all()
    cycle_rows = []
    for owner_id in owner_ids:
        quarter = rng.choice(quarters)
        created = datetime.combine(quarter.start + timedelta(days=rng.randrange(80)), datetime.min.time())
        closed = created + timedelta(days=21)
        cycle_rows.append({"owner_id": owner_id, "state": "evaluated", "questionnaire_version": "2026.1",
                           "org_statements": [], "close_on": closed.date(), "created_at": created,
                           "opened_at": created, "closed_at": closed, "reminded_all_on": None})
    for start in range(0, len(cycle_rows), 5000):
        db.session.execute(sa.insert(Cycle.__table__), cycle_rows[start:start + 5000])
    cycle_ids = db.session.scalars(sa.select(Cycle.id)).all()
    rows = [{"cycle_id": c, "name": "R", "email": f"r{c}.{r}@bench.example", "category": "peer",
             "status": rng.choice(["done", "done", "done", "invited"]), "link_version": 1}
            for c in cycle_ids for r in range(RATERS)]
    for start in range(0, len(rows), 10000):
        db.session.execute(sa.insert(Invitation.__table__), rows[start:start + 10000])
    _responses(rows, rng)
    _facilitated(org_ids, rng)
    db.session.commit()


# The table without its column types: a stand-in ciphertext goes in as it is, not sealed and padded per row.
_RESPONSES = sa.table("responses", sa.column("id"), sa.column("cycle_id"), sa.column("content"))


def _responses(invitations: list[dict], rng: random.Random) -> None:  # type: ignore[type-arg]
    """A response for three in four of the raters marked done (the others declined)."""
    rows = [{"id": uuid.UUID(int=rng.getrandbits(128)).hex, "cycle_id": row["cycle_id"], "content": "sealed"}
            for row in invitations if row["status"] == "done" and rng.random() < 0.75]
    for start in range(0, len(rows), 10000):
        db.session.execute(sa.insert(_RESPONSES), rows[start:start + 10000])


def _facilitated(org_ids: list[int], rng: random.Random) -> None:
    """Two facilitators per organisation; each round's session a week after it closed, its summary agreed a week
    later, its evaluation a week after that."""
    db.session.execute(sa.insert(User.__table__), [
        {"organisation_id": org_id, "email": f"facilitator{org_id}.{k}@bench.example", "name": f"Facilitator {k}",
         "password_hash": "x", "is_active_account": True, "created_at": datetime(2024, 1, 1)}
        for org_id in org_ids for k in range(2)])
    facilitators: dict[int, list[int]] = {}
    for user_id, org_id in db.session.execute(sa.select(User.id, User.organisation_id)
                                              .where(User.email.like("facilitator%"))):
        facilitators.setdefault(org_id, []).append(user_id)
    db.session.execute(sa.insert(UserRole.__table__), [{"user_id": u, "role": Role.FACILITATOR.name}
                                                       for ids in facilitators.values() for u in ids])
    cycles = db.session.execute(sa.select(Cycle.id, Cycle.closed_at, User.organisation_id)
                                .join(User, User.id == Cycle.owner_id)).all()
    sessions, summaries, evaluations = [], [], []
    for cycle_id, closed, org_id in cycles:
        facilitator = rng.choice(facilitators[org_id])
        sessions.append({"cycle_id": cycle_id, "held_on": (closed + timedelta(days=7)).date(), "mode": "video",
                         "facilitator_id": facilitator, "recorded_at": closed + timedelta(days=7)})
        if rng.random() < 0.9:
            key = uuid.uuid4().hex
            summaries.append({"id": key, "cycle_id": cycle_id, "version": 1, "status": "agreed", "revision": 1,
                              "content": bound_to({}, key), "facilitator_id": facilitator,
                              "proposed_at": closed + timedelta(days=7), "agreed_at": closed + timedelta(days=14)})
            if rng.random() < 0.75:
                evaluations.append({"cycle_id": cycle_id, "facilitator_id": facilitator,
                                    "ratings": {k: rng.randint(3, 5) for k in EVALUATION_QUESTIONS},
                                    "submitted_at": closed + timedelta(days=21)})
    for model, batch in ((SessionRecord, sessions), (Summary, summaries), (Evaluation, evaluations)):
        for start in range(0, len(batch), 5000):
            db.session.execute(sa.insert(model.__table__), batch[start:start + 5000])


def _back(quarter: Quarter, n: int) -> Quarter:
    for _ in range(n):
        quarter = quarter.previous()
    return quarter


def counted(run):  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        result = run()
    finally:
        elapsed = time.perf_counter() - started
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, len(statements), result


@dataclass
class Measured:
    rounds: int
    build_time: float
    build_statements: int
    page_time: float
    page_statements: int
    invited: int | None  # the built quarter's raters invited and responded, as published (None: hidden)
    responded: int | None


def measure(rounds: int, url: str) -> Measured:
    """Seed `rounds` rounds on a fresh schema at `url`, build the last quarter and serve the local lead's page."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed(rounds, random.Random(rounds))
        org = db.session.get(Organisation, 1)
        last = last_complete(TODAY)
        for quarter in quarters_from(_back(last, 7), last.previous()):
            assert jobs._build(org, quarter, notify=False)
        build_time, build_statements, _ = counted(lambda: jobs._build(org, last, notify=True))
        published = operations.published(org.id)
        operations.check(published)
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        lead = db.session.scalar(sa.select(User).where(User.email == f"lead{org.id}@bench.example"))
        assert client.post("/sign-in", data={"email": lead.email, "password": PASSWORD}).status_code == 302
        client.get("/usage")  # warm: templates compiled, matplotlib loaded
        page_time, page_statements, response = counted(lambda: client.get("/usage"))
        assert response.status_code == 200
        published = operations.published(org.id)
        measured = Measured(rounds, build_time, build_statements, page_time, page_statements,
                            published.get(table.MEASURE, table.INVITED, last.key),
                            published.get(table.MEASURE, table.RESPONDED, last.key))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return measured


def main() -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    print(f"database: {'PostgreSQL' if url else 'SQLite'}")
    print(f"{'rounds':>8} {'invitations':>11}  {'build (with PDF)':>16} {'statements':>10}  {'page':>6} "
          f"{'statements':>10}  {'invited':>7} {'responded':>9}")
    for rounds in (10_000, 100_000):
        with tempfile.TemporaryDirectory() as tmp:
            m = measure(rounds, url or f"sqlite:///{tmp}/bench.sqlite3")
        print(f"{rounds:>8,} {rounds * RATERS:>11,}  {m.build_time:>15.2f}s {m.build_statements:>10}  "
              f"{m.page_time:>5.2f}s {m.page_statements:>10}  {m.invited!s:>7} {m.responded!s:>9}")


if __name__ == "__main__":
    main()
