"""Database plumbing: engine options, SQLite pragmas, and commit-then-enqueue so jobs only see committed rows."""

from __future__ import annotations

import logging
import os
import weakref
from collections import namedtuple
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


def read_row(statement: sa.Select[Any] | sa.TextualSelect, params: dict[str, Any]) -> Any:
    """The one row (or None) of a Core select, on a connection of its own rather than through the ORM session, as a
    named tuple (by index, or by each column's key). For a page whose only read is this one statement (each of a
    rater's pages, the health check), no session is made, begun and closed around it. It sees what is committed, as
    any other request does: never use it for rows this request has written and not committed.

    The statement runs on the pool's DBAPI connection, compiled once for the engine's dialect, with SQLAlchemy's own
    processors for each parameter and column (`RawRead`): SQLAlchemy's execution around a statement it had already
    compiled cost six times what SQLite took to run it (0.085 of 0.1 ms). Whenever anything listens to the engine's
    statements (the statement counts in the tests, a tracer), the read goes through SQLAlchemy as before, so they
    see it."""
    engine = db.engine
    dispatch = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        with engine.connect() as connection:
            return connection.execute(statement, params).one_or_none()
    return raw_read(engine, statement).one_or_none(engine, params)


# Per engine (tests make one an app), each statement compiled for its dialect the first time it is read.
_RAW_READS: weakref.WeakKeyDictionary[sa.Engine, dict[Any, RawRead]] = weakref.WeakKeyDictionary()


def raw_read(engine: sa.Engine, statement: sa.Select[Any] | sa.TextualSelect) -> RawRead:
    """The statement compiled for this engine, kept with the statement (a module's constant) for the process."""
    reads = _RAW_READS.get(engine)
    if reads is None:
        reads = _RAW_READS[engine] = {}
    found = reads.get(statement)
    if found is None:
        found = reads[statement] = RawRead(engine.dialect, statement)
    return found


class RawRead:
    """One select, compiled once for one dialect, run on a pooled DBAPI connection of an engine of that dialect.

    Exactly what SQLAlchemy's execution does with a compiled select, less its bookkeeping: the parameters go through
    each bind's processor (a date to SQLite's text), in the dialect's parameter style; each column through its type's
    result processor (text to a date, a name to an enum, a sealed column to its Ciphertext), chosen from the cursor's
    description the first time as SQLAlchemy chooses them; the connection goes back to the pool, which ends its
    transaction; a driver's error is raised as SQLAlchemy's (`sa.exc.DBAPIError`), and a connection the error shows
    broken is dropped from the pool. Only plain binds: no expanding (IN) or literal ones, which change the SQL."""

    def __init__(self, dialect: sa.Dialect, statement: sa.Select[Any] | sa.TextualSelect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params or compiled.escaped_bind_names \
                or any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("a raw read takes plain binds only")
        keys = [column.key for column in statement.selected_columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a raw read's columns need distinct keys: {keys}")
        self.dialect, self.sql = dialect, compiled.string
        self.row = namedtuple("RawRow", keys, rename=True)  # type: ignore[misc]
        self.types = [column.type for column in statement.selected_columns]
        self.binds = [(name, compiled.binds[name].type._cached_bind_processor(dialect))
                      for name in compiled.bind_names.values()]
        self.positional = compiled.positiontup  # the binds' order, for a positional parameter style
        self.processors: list[Any] | None = None

    def parameters(self, params: dict[str, Any]) -> Any:
        values = {}
        for name, process in self.binds:
            value = params[name]
            values[name] = value if process is None else process(value)
        return values if self.positional is None else tuple(values[name] for name in self.positional)

    def one_or_none(self, engine: sa.Engine, params: dict[str, Any]) -> Any:
        parameters = self.parameters(params)
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, parameters)
            rows = cursor.fetchmany(2)
            processors = self.processors
            if processors is None:
                processors = self.processors = [
                    kind._cached_result_processor(self.dialect, described[1])
                    for kind, described in zip(self.types, cursor.description, strict=True)]
        except self.dialect.loaded_dbapi.Error as exc:
            if cursor is not None and self.dialect.is_disconnect(exc, connection.dbapi_connection, cursor):
                connection.invalidate(exc)
            raise sa.exc.DBAPIError.instance(self.sql, parameters, exc, self.dialect.loaded_dbapi.Error,
                                             hide_parameters=engine.hide_parameters, dialect=self.dialect) from exc
        finally:
            if cursor is not None:
                cursor.close()
            connection.close()  # back to the pool, which rolls back what the read began
        if not rows:
            return None
        if len(rows) > 1:
            raise sa.exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return self.row._make([value if process is None else process(value)
                               for process, value in zip(processors, rows[0], strict=True)])


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
    writers queue on a lock beside it (app/sqlite_writes.py). A statement's error never shows its parameters: it
    is logged with a time (app/errors.py), and a rater's session hash or invitation id beside a time would tie that
    rater to it for anyone who also holds the database (PRODUCT §3.5)."""
    url = sa.engine.make_url(uri)
    options = {**options, "hide_parameters": True}
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
