"""PostgreSQL keeps a row's old versions until VACUUM. After a round or a check-in closes, the old versions of the rows
about its raters say, without any key, who answered, declined or did neither (README, "How anonymity is kept": the
version that said `invited` is ended by the transaction that answered, which wrote responses, or declined, which
wrote none). So each close asks for a VACUUM of the tables packages name here, in a housekeeping job once its
transaction has committed: their dead versions leave the tables' pages' row lists at once rather than whenever
autovacuum comes. What WAL archives and base backups already hold stays there (README says how to keep them).

SQLite needs none of it: it runs with `secure_delete`, which zeroes what a write frees."""

from __future__ import annotations

import logging

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.db import after_commit
from app.extensions import db
from app.queue import HOUSEKEEPING, job, queue

log = logging.getLogger(__name__)

JOB_ID = "open360-vacuum-rater-tables"
_tables: set[str] = set()
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


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
