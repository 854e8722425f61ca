"""The read log's rows from the pages that serve a report, committed in groups (issue 29).

Each read of a report is one row the owner sees (PRODUCT §5: every read goes to the owner's read log), and a page or
file is served only once its row is committed, so a read is never served unlogged. That commit was most of what
logging cost: on SQLite a commit of the rollback journal syncs the disk five times (the journal, its folder, the
journal again, the database, the emptied journal): 0.4–0.7 ms of CPU, and from 1 to 20 ms of wall time on this
shared disk, for one small row. Readers that arrive together now share one: a request puts its row in the open
group and waits; one of the waiting requests at a time writes a whole group in one transaction, on a connection of
its own, and tells each of its requests when it is committed. The group stays open until its writer may write (on
SQLite it waits for its turn behind another process's commit, app/sqlite_writes.py): the rows that come meanwhile
go with it. A group refused for a row's fault is written again row by row, so a read fails (and is not served) only
for its own fault, such as its report deleted meanwhile; a group that finds the database locked or the connection
gone fails as a whole, at once. A request alone is a group of one, as before. Nothing is held longer than its
request waits for it: a row names a reader and a report, never anything decrypted, and it is gone from memory once
it is in the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.sqlite_writes import take_turn

Row = dict[str, Any]
# The errors a single row can cause (its report deleted meanwhile, a value the column refuses).
_ONE_ROWS_FAULT = (sa.exc.IntegrityError, sa.exc.DataError)


class NotCommitted(Exception):
    """The group this row was in could not be committed: the read is not logged, so it must not be served."""


@dataclass
class _Group:
    # Its requests wait on it (on the log's one lock): a commit wakes the requests of its own group, and one of the
    # next group's to write it, not every waiting request.
    changed: threading.Condition
    rows: list[Row] = field(default_factory=list)
    done: bool = False
    errors: dict[int, BaseException] = field(default_factory=dict)  # by place in rows: the reads not logged


class GroupCommit:
    """Rows for one table, inserted and committed a group at a time by whichever waiting request is free to."""

    def __init__(self, statement: sa.Insert, engine: sa.Engine) -> None:
        self._statement = statement
        self._engine = engine
        self._lock = threading.Lock()
        self._open: _Group | None = None  # the group new rows join, until its writer may write
        self._writing = False

    def _new_group(self) -> _Group:
        return _Group(threading.Condition(self._lock))

    def write(self, row: Row) -> None:
        """Return once this row is committed; raise NotCommitted if it could not be."""
        with self._lock:
            group = self._open = self._open or self._new_group()
            place = len(group.rows)
            group.rows.append(row)
            while not group.done and self._writing:
                group.changed.wait()
            leads = not group.done
            if leads:  # nobody is writing, and our group is not written: we write it, and whoever joins it meanwhile
                self._writing = True
        if leads:
            self._commit(group)
        if place in group.errors:
            raise NotCommitted("the read could not be logged") from group.errors[place]

    def _commit(self, group: _Group) -> None:
        try:
            try:
                self._insert(group, group.rows)
            except BaseException as exc:  # an interrupt too: every request of the group must hear of it
                self._close(group)
                if len(group.rows) == 1 or not isinstance(exc, _ONE_ROWS_FAULT):
                    # A lock that did not come, a lost connection: every row's, and trying each alone would keep
                    # the whole group waiting a lock timeout per row.
                    group.errors.update(dict.fromkeys(range(len(group.rows)), exc))
                else:  # one row's fault (its report deleted meanwhile) must not be the others': each alone
                    for place, row in enumerate(group.rows):
                        try:
                            self._insert(group, [row])
                        except BaseException as one:
                            group.errors[place] = one
        finally:
            with self._lock:
                group.done, self._writing = True, False
                group.rows = []
                group.changed.notify_all()
                if self._open is not None:  # rows came during this commit: one of their requests writes them
                    self._open.changed.notify()

    def _insert(self, group: _Group, rows: list[Row]) -> None:
        """These rows of the group in one transaction. The group is closed only once this connection may write: on
        SQLite the writer waits its turn (app/sqlite_writes.py) behind another process's commit, often longer than a
        commit takes, and the rows of every request that came meanwhile go with it rather than into the next
        group, which would wait for its turn again. (A group written again row by row is closed already.)"""
        with self._engine.begin() as connection:
            take_turn(connection.connection.dbapi_connection)
            self._close(group)
            connection.execute(self._statement, rows)

    def _close(self, group: _Group) -> None:
        """No row joins this group any more: the rows written, or failed, are the ones it holds now."""
        with self._lock:
            if self._open is group:
                self._open = None
