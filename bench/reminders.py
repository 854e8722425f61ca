"""Clock tick benchmark: how long one tick takes and how many SQL statements it runs, over 1 000 and 10 000 open
invitations (50 and 500 rounds of 20 raters), to show the statements do not grow with the number of invitations.

Run: OPEN360_ENV=test .venv/bin/python bench/reminders.py
Each size gets a fresh SQLite database. Raters were invited 6 days ago; 30% have responded and 10% declined, so
the rest (60%) are due their first reminder. Delivery jobs go to an in-process queue with no worker, so the figures
are the tick's own: deciding, claiming and committing ("SQL side"), and queueing the delivery jobs ("queueing",
here into the in-process fakeredis of one-machine mode, in one pipeline). Statements are counted with a SQLAlchemy
`before_cursor_execute` listener; the claims' batched insert counts once per batch of up to 1 000 rows.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, mail
from app.clock import tick
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.queue import MAIL, queue
from app.timeutil import today, utcnow
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation, InvitationStatus

RATERS_PER_ROUND = 20
STATUSES = [InvitationStatus.INVITED] * 6 + [InvitationStatus.DONE] * 4


def seed(rounds: int, rng: random.Random) -> int:
    """Open rounds and their invitations, written in bulk (the set-up is not what is measured)."""
    invited_at = utcnow() - timedelta(days=6)
    organisation = Organisation(name="Bench Trust", email_domains=["bench.example"])
    owners = [User(organisation=organisation, email=f"owner{n}@bench.example", name=f"Owner {n}", password_hash="x",
                   role_rows=[UserRole(role=Role.OWNER)]) for n in range(rounds)]
    cycles = [Cycle(owner=owner, state=CycleState.OPEN, questionnaire_version="2026.1",
                    close_on=today() + timedelta(days=15), opened_at=invited_at) for owner in owners]
    db.session.add_all(cycles)
    db.session.flush()
    rows = [{"cycle_id": cycle.id, "name": f"Rater {cycle.id}.{r}", "email": f"r{cycle.id}.{r}@bench.example",
             "category": "peer", "status": rng.choice(STATUSES).value, "link_version": 1, "invited_at": invited_at}
            for cycle in cycles for r in range(RATERS_PER_ROUND)]
    db.session.execute(sa.insert(Invitation.__table__), rows)
    db.session.commit()
    return sum(1 for row in rows if row["status"] == InvitationStatus.INVITED.value)


def measured_tick() -> tuple[float, float, list[str]]:
    """The tick's time, the part of it spent queueing delivery jobs, and its SQL statements."""
    statements: list[str] = []
    queueing = [0.0]
    enqueue = mail.enqueue_deliveries

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split(None, 1)[0].upper())

    def timed_enqueue(ids: list[int], first: bool = False) -> None:
        started = time.perf_counter()
        enqueue(ids, first)
        queueing[0] += time.perf_counter() - started

    sa.event.listen(db.engine, "before_cursor_execute", count)
    mail.enqueue_deliveries = timed_enqueue  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        tick(now=utcnow())
    finally:
        elapsed = time.perf_counter() - started
        mail.enqueue_deliveries = enqueue  # type: ignore[assignment]
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, queueing[0], statements


def describe(statements: list[str]) -> str:
    kinds = {kind: statements.count(kind) for kind in dict.fromkeys(statements)}
    return ", ".join(f"{n} {kind}" for kind, n in kinds.items())


def main() -> None:
    print(f"{'invitations':>11} {'rounds':>6} {'due':>5}  {'tick':>6} {'SQL side':>8} {'queueing':>8} "
          f"{'statements':>10}  breakdown")
    for rounds in (50, 500):
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                                      "QUEUE_MODE": "embedded"})  # deliveries wait in a queue no worker reads
            with app.app_context():
                db.create_all()
                due = seed(rounds, random.Random(rounds))
                invitations = rounds * RATERS_PER_ROUND
                elapsed, queueing, statements = measured_tick()
                assert queue(MAIL).count == due, (queue(MAIL).count, due)
                print(f"{invitations:>11,} {rounds:>6} {due:>5}  {elapsed:>5.2f}s {elapsed - queueing:>7.2f}s "
                      f"{queueing:>7.2f}s {len(statements):>10}  {describe(statements)}")
                elapsed, queueing, statements = measured_tick()  # a minute later: everything due is claimed
                print(f"{'':>11} {'':>6} {0:>5}  {elapsed:>5.2f}s {elapsed - queueing:>7.2f}s {queueing:>7.2f}s "
                      f"{len(statements):>10}  {describe(statements)}  (the next tick: all claimed)")
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
