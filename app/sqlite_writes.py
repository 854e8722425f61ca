"""One writer at a time on the embedded database, in the order writers arrive (PRODUCT §8, issue 16).

SQLite lets one connection write at a time. Left to itself, a writer that finds the database busy polls: it sleeps
1, 2, 5 … and then 100 ms between tries, so under load the unlucky ones wait seconds while the database is free most
of that time, and two writers that each read before writing can refuse each other outright ("database is locked").
With a trust's whole staff reminded at once, a rater's submit took 2.4 s at the 95th percentile and some failed.

Here every write transaction first takes a lock beside the database, and gives it back when the transaction ends:
threads of one process queue on a threading lock (they sleep until it is theirs), and one thread per process at a
time takes an exclusive `flock` on `<database>.writer-lock`, which other processes (gunicorn's workers, the CLI)
share. SQLite's own locking stays underneath, unchanged; this only puts writers in a queue before they reach it.
Readers never take the lock.

WAL mode would let readers and a writer go on together too, but it keeps every changed page, a deleted draft among
them, in the `-wal` file until a checkpoint, which PRODUCT §3.3 rules out (app/db.py turns on secure_delete instead).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any

# Statements that write, by their first word. pysqlite opens a transaction before INSERT, UPDATE, DELETE and REPLACE;
# the schema statements are here so that migrations queue too.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
WAIT_SECONDS = 5.0  # as long as SQLite's own busy timeout (app/db.py): then "database is locked", as before


class WriterLock:
    """The queue for one database file, shared by every connection to it in this process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    def acquire(self) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        if not self._threads.acquire(timeout=WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked (waited for the writer lock)")
        try:
            self._take_file_lock(deadline)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _take_file_lock(self, deadline: float) -> None:
        if self._fd is None or self._pid != os.getpid():
            # A process forked from one that had the file open must not share its open file: flock would then
            # count both as one holder.
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        pause = 0.0002
        # Only one thread of this process is ever here (it holds _threads), so a short poll costs little; a
        # blocking flock could not give up after WAIT_SECONDS if another process never let go.
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked (waited for the writer lock)") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)


_locks: dict[str, WriterLock] = {}
_locks_guard = threading.Lock()


def writer_lock(database_path: str) -> WriterLock:
    path = os.path.abspath(database_path) + ".writer-lock"
    with _locks_guard:
        return _locks.setdefault(path, WriterLock(path))


def is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


class _QueuedCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.connection._before(sql)  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        self.connection._before(sql)  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection that takes its database's writer lock before its first write and gives it back when
    the transaction ends (commit, rollback, or close)."""

    writer: WriterLock  # set on the per-database subclass made by connection_factory

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writing = False

    def cursor(self, factory: Any = _QueuedCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    # The shortcuts make their cursor in C, past cursor() above: they queue here instead.
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def _before(self, sql: str) -> None:
        if not self._writing and is_write(sql):
            self.take_turn()

    def take_turn(self) -> None:
        """Wait for this connection's turn to write now, before its first write statement is known (the read log
        gathers the rows to write while it waits). The turn ends with the transaction, or at the next commit or
        rollback if none was begun."""
        if not self._writing:
            self.writer.acquire()
            self._writing = True

    def _done(self) -> None:
        if self._writing:
            self._writing = False
            self.writer.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:  # a commit that failed leaves its transaction open, and its lock held
                self._done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._done()


def take_turn(dbapi_connection: Any) -> None:
    """Wait for this connection's turn to write, if it is one that queues (the embedded database); else nothing."""
    if isinstance(dbapi_connection, QueuedConnection):
        dbapi_connection.take_turn()


def connection_factory(database_path: str) -> type[QueuedConnection]:
    return type("QueuedConnection", (QueuedConnection,), {"writer": writer_lock(database_path)})
