"""PostgreSQL keeps a row's old versions until VACUUM. After a round or a check-in closes, the old versions of the rows
about its raters say, without any key, who answered, declined or did neither (README, "How anonymity is kept": the
version that said `invited` is ended by the transaction that answered, which wrote responses, or declined, which
wrote none). So each close asks for a VACUUM of the tables packages name here, in a housekeeping job once its
transaction has committed: their dead versions leave the tables' pages' row lists at once rather than whenever
autovacuum comes. What WAL archives and base backups already hold stays there (README says how to keep them).

SQLite needs none of it: it runs with `secure_delete`, which zeroes what a write frees."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.clock import on_tick
from app.db import after_commit
from app.extensions import db
from app.queue import HOUSEKEEPING, job, queue

log = logging.getLogger(__name__)

JOB_ID = "open360-vacuum-rater-tables"
_tables: set[str] = set()
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# The clock's backstop: old row versions left longer than this since the tables were last vacuumed get a VACUUM.
BACKSTOP_AFTER = timedelta(minutes=10)


def keeps_rater_traces(*tables: str) -> None:
    """Name tables whose old row versions could tell what a named rater did (at import or init)."""
    _tables.update(tables)


def vacuum_after_commit() -> None:
    """Called in a close's transaction: one VACUUM job once it commits (one waiting already serves)."""
    after_commit(_enqueue_once)


def _enqueue_once() -> None:
    housekeeping = queue(HOUSEKEEPING)
    try:
        if Job.fetch(JOB_ID, connection=housekeeping.connection).get_status() in _WAITING:
            return
    except NoSuchJobError:
        pass
    housekeeping.enqueue(vacuum_rater_tables, job_id=JOB_ID)


@job
def vacuum_rater_tables() -> str:
    if db.engine.dialect.name != "postgresql":
        return "not needed: SQLite zeroes what it frees (secure_delete)"
    known = [name for name in sorted(_tables) if name in db.metadata.tables]
    if not known:
        return "no tables"
    quote = db.engine.dialect.identifier_preparer.quote
    # VACUUM cannot run inside a transaction: a connection of its own, in autocommit.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM {', '.join(quote(name) for name in known)}")
    log.info("Vacuumed %s after a close", ", ".join(known))
    return f"vacuumed {len(known)} tables"


@on_tick
def vacuum_if_left_behind(now: datetime) -> str:
    """The job queued at a close can be lost (Redis down at the commit, or a VACUUM already running when the close
    committed): each tick, on PostgreSQL, if a named table still holds old row versions and none of them was vacuumed
    in the last BACKSTOP_AFTER, queue one. At most one VACUUM of the lot every ten minutes or so, only while there is
    something to remove."""
    if db.engine.dialect.name != "postgresql" or not _tables:
        return "not needed"
    # PostgreSQL's own clock on both sides: the vacuum times are its, whatever clock the product runs on.
    left, lately = db.session.execute(sa.text(
        "SELECT coalesce(sum(n_dead_tup), 0), "
        "coalesce(bool_or(greatest(last_vacuum, last_autovacuum) > now() - make_interval(secs => :seconds)), false) "
        "FROM pg_stat_user_tables WHERE relname = ANY(:names)"),
        {"names": sorted(_tables), "seconds": BACKSTOP_AFTER.total_seconds()}).one()
    db.session.commit()
    if not left:
        return "nothing left behind"
    if lately:
        return "vacuumed lately"
    _enqueue_once()
    return "queued"
