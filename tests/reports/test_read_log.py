"""The read log's group commit (reports/read_log.py): every read is committed before its request goes on, reads
arriving during a commit share the next one, and one read that cannot be written fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from reports.read_log import GroupCommit, NotCommitted

TABLE = sa.Table("reads", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("n", sa.Integer, sa.CheckConstraint("n >= 0"), nullable=False))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'reads.sqlite3'}")
    TABLE.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _commits(engine: sa.Engine, first_takes: float = 0.0) -> list[int]:
    """Count the engine's commits; the first one takes `first_takes` seconds (a slow disk), so that others queue."""
    commits: list[int] = []

    def commit(_connection: Any) -> None:
        commits.append(1)
        if len(commits) == 1:
            time.sleep(first_takes)

    sa.event.listen(engine, "commit", commit)
    return commits


def _stored(engine: sa.Engine) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.scalars(sa.select(TABLE.c.n)))


def _write_together(log: GroupCommit, engine: sa.Engine, numbers: list[int]) -> dict[int, str]:
    """Each number written by a thread of its own, the first alone and the rest while its commit runs; what each
    found: "committed" if its row was in the database when write returned, else the error."""
    found: dict[int, str] = {}
    first_started = threading.Event()

    def write(n: int) -> None:
        if n != numbers[0]:
            first_started.wait()
            time.sleep(0.02)  # the first is in its commit by now
        else:
            first_started.set()
        try:
            log.write({"n": n})
        except NotCommitted as exc:
            found[n] = type(exc.__cause__).__name__
            return
        found[n] = "committed" if n in _stored(engine) else "returned before its commit"

    threads = [threading.Thread(target=write, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return found


def test_reads_arriving_during_a_commit_share_the_next_and_each_returns_once_committed(engine: sa.Engine) -> None:
    commits = _commits(engine, first_takes=0.3)
    log = GroupCommit(sa.insert(TABLE), engine)
    numbers = list(range(12))
    found = _write_together(log, engine, numbers)
    assert found == dict.fromkeys(numbers, "committed")
    assert _stored(engine) == numbers
    assert len(commits) == 2  # the first read alone, then the eleven that came while it was being committed


def test_a_read_that_cannot_be_written_fails_alone_and_the_log_goes_on(engine: sa.Engine) -> None:
    _commits(engine, first_takes=0.3)
    log = GroupCommit(sa.insert(TABLE), engine)
    found = _write_together(log, engine, [1, 2, -3, 4, 5])  # -3 breaks the table's rule, in the second group
    assert found == {1: "committed", 2: "committed", -3: "IntegrityError", 4: "committed", 5: "committed"}
    with pytest.raises(NotCommitted):
        log.write({"n": -6})  # alone
    log.write({"n": 7})
    assert _stored(engine) == [1, 2, 4, 5, 7]


def test_a_group_that_finds_the_database_locked_fails_at_once_not_row_by_row(tmp_path: Path) -> None:
    """A lock that will not come (another writer holds the database) is no row's own fault: trying each row of the
    group alone again would keep every reader of the group waiting a lock timeout per row."""
    import sqlite3

    path = tmp_path / "locked.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    TABLE.metadata.create_all(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the database
    begun: list[int] = []
    sa.event.listen(engine, "begin", lambda _connection: begun.append(1))
    try:
        log = GroupCommit(sa.insert(TABLE), engine)
        group = log._new_group()
        group.rows = [{"n": n} for n in range(8)]
        log._commit(group)
        assert sorted(group.errors) == list(range(8))  # every read of the group hears of it
        assert all(isinstance(error, sa.exc.OperationalError) for error in group.errors.values())
        assert len(begun) == 1  # one wait for the lock, not one more for each row
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()


def test_reads_arriving_while_the_writer_waits_its_turn_go_in_its_group(tmp_path: Path) -> None:
    """On SQLite the group's writer first waits for its turn to write (app/sqlite_writes.py), behind another
    process's commit; the reads that come meanwhile go in its one commit, not in a second one that would wait its
    turn again."""
    from app.sqlite_writes import connection_factory

    path = tmp_path / "queued.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"factory": connection_factory(str(path))})
    TABLE.metadata.create_all(engine)
    commits = _commits(engine)
    log = GroupCommit(sa.insert(TABLE), engine)
    other_writer = engine.connect()
    other_writer.execute(sa.insert(TABLE), {"n": 0})  # holds the turn until it commits
    found: dict[int, str] = {}

    def write(n: int) -> None:
        log.write({"n": n})
        found[n] = "committed" if n in _stored(engine) else "returned before its commit"

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(1, 7)]
        threads[0].start()
        time.sleep(0.1)  # the first is waiting for its turn by now, its group still open
        for thread in threads[1:]:
            thread.start()
        time.sleep(0.2)
        other_writer.commit()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        other_writer.close()
        engine.dispose()
    assert found == dict.fromkeys(range(1, 7), "committed")
    assert len(commits) == 2  # the other writer's, then one for all six reads


def test_many_readers_at_once_are_each_committed_and_none_is_left_waiting(tmp_path: Path) -> None:
    """A commit wakes its own group and one request of the next to write it (not every waiting request): no read
    is left waiting for a wake-up that never comes, and reads still share commits."""
    from app.sqlite_writes import connection_factory

    path = tmp_path / "many.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"factory": connection_factory(str(path))},
                              pool_size=20)
    TABLE.metadata.create_all(engine)
    commits = _commits(engine)
    log = GroupCommit(sa.insert(TABLE), engine)

    def reads(first: int) -> None:
        for n in range(first, first + 10):
            time.sleep(0.001 * (n % 3))
            log.write({"n": n})

    threads = [threading.Thread(target=reads, args=(first,)) for first in range(0, 160, 10)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)
        assert _stored(engine) == list(range(160))
        assert len(commits) < 160
    finally:
        engine.dispose()
