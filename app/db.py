"""Database plumbing: SQLite pragmas, and commit-then-enqueue so jobs only ever see committed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from app.extensions import db

_AFTER_COMMIT_KEY = "open360_after_commit"


def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current transaction has committed (used to enqueue jobs for new rows)."""
    db.session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def commit() -> None:
    """Commit the unit of work, then run what was waiting for it. Views call this once, at the end."""
    db.session.commit()
    callbacks = db.session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_AFTER_COMMIT_KEY, None)


def configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on; deleted rows (rater drafts) overwritten on disk rather than left in free pages."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
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
