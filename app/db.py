"""Database plumbing: engine options, SQLite pragmas, and commit-then-enqueue so jobs only see committed rows."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.sqlite_writes import connection_factory

_AFTER_COMMIT_KEY = "open360_after_commit"
log = logging.getLogger(__name__)


def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current transaction has committed (used to enqueue jobs for new rows)."""
    db.session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def commit() -> None:
    """Commit the unit of work, then run what was waiting for it. Views call this once, at the end.

    What waits is enqueueing jobs for the rows just saved. If that fails (Redis down) the change is saved all the
    same, so it is logged, never reported to the person as a failure: the clock queues such work again once Redis is
    back (app/mail.py requeue_stranded)."""
    db.session.commit()
    callbacks = db.session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except redis.exceptions.RedisError as exc:  # only the queue's being away: a job's own error still shows
            log.warning("Saved, but the queue could not take its job; left to the clock: %s: %s",
                        type(exc).__name__, exc)


_READ_ONCE_KEY = "open360_read_once"
T = TypeVar("T")


def read_once(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, asked of the database once in this session until it next writes: one page asks several packages
    about its round, and each asked for the round's conversation summaries again (four times on the owner's round
    page). Sessions last one request (or one job), so nothing read here outlives it; every flush, commit and
    rollback forgets what was read, and while the session holds changes not yet flushed the database is asked, so
    the query's own autoflush sends them first. Only for reads whose answer depends on nothing but the key."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return read()
    known: dict[Hashable, Any] = session.info.setdefault(_READ_ONCE_KEY, {})
    if key not in known:
        known[key] = read()
    return known[key]  # type: ignore[no-any-return]


def _forget_reads(session: so.Session, *_args: Any) -> None:
    session.info.pop(_READ_ONCE_KEY, None)


for _event in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    sa.event.listen(so.Session, _event, _forget_reads)


def read_row(statement: sa.Executable, params: dict[str, Any]) -> sa.Row[Any] | None:
    """The one row (or None) of a Core statement, on a connection of its own rather than through the ORM session.
    For a page whose only read is this one statement (each of a rater's pages), no session is made, begun and closed
    around it: that was half the read's cost. It sees what is committed, as any other request does: never use it
    for rows this request has written and not committed."""
    with db.engine.connect() as connection:
        return connection.execute(statement, params).one_or_none()


def insert_unless_there(table: sa.Table, unique: sa.Column[Any]) -> Any:
    """`INSERT … ON CONFLICT (unique) DO NOTHING` for this database: the claim that lets the database's unique index
    decide between two requests or processes at once (a mail to send, a throttle's counter)."""
    inserts = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    dialect = db.session.get_bind().dialect.name
    if dialect not in inserts:
        raise NotImplementedError(f"claims need ON CONFLICT DO NOTHING: SQLite or PostgreSQL, not {dialect}")
    return inserts[dialect](table).on_conflict_do_nothing(index_elements=[unique])


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_AFTER_COMMIT_KEY, None)


def engine_options(uri: str, options: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """The engine's options for this database. An SQLite file needs no ping (it is on this machine), and its
    writers queue on a lock beside it (app/sqlite_writes.py)."""
    url = sa.engine.make_url(uri)
    if url.get_backend_name() != "sqlite":
        return options
    options = {key: value for key, value in options.items() if key != "pool_pre_ping"}
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        # Flask-SQLAlchemy opens a relative SQLite path in the instance folder; the lock must sit beside that file.
        path = os.path.join(instance_path, database)
        options["connect_args"] = {**options.get("connect_args", {}), "factory": connection_factory(path)}
    return options


def configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on; deleted rows (rater drafts) overwritten on disk rather than left in free pages; the rollback
    journal emptied at each commit rather than deleted and made anew (the README's "Under gunicorn" says why)."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):  # an in-memory database keeps its journal in memory
            cursor.execute("PRAGMA journal_mode=TRUNCATE")
        cursor.close()


@contextmanager
def counting_statements(engine: sa.Engine | None = None) -> Iterator[list[str]]:
    """The SQL statements sent inside the block, for the tests and benchmarks that hold them constant."""
    engine = engine or db.engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
