"""Writers on the embedded database queue for it instead of polling SQLite (app/sqlite_writes.py)."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.db import engine_options
from app.sqlite_writes import connection_factory, is_write, take_turn


def _engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"factory": connection_factory(str(path))})

    @sa.event.listens_for(engine, "connect")
    def _no_patience(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # SQLite gives up at once when another connection writes: only the queue keeps writers apart here. (Readers
        # would still meet a writer's commit, and wait for it with the product's busy timeout: none here.)
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


def _lock_is_free(path: Path) -> bool:
    fd = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _write_many(path: str, writers: int, transactions: int) -> list[str]:
    engine = _engine(Path(path))
    failures: list[str] = []

    def work(number: int) -> None:
        for n in range(transactions):
            try:
                with engine.begin() as connection:
                    connection.execute(sa.text("INSERT INTO t (who) VALUES (:who)"), {"who": f"{number}.{n}"})
                    connection.execute(sa.text("UPDATE t SET who = who WHERE id = 1"))
            except sa.exc.OperationalError as error:
                failures.append(str(error.orig))

    threads = [threading.Thread(target=work, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return failures


def _in_child(path: str, writers: int, transactions: int, results: multiprocessing.Queue) -> None:
    results.put(_write_many(path, writers, transactions))


def test_writers_in_threads_and_processes_take_turns(tmp_path: Path) -> None:
    database = tmp_path / "queued.sqlite3"
    with sa.create_engine(f"sqlite:///{database}").begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()
    other = context.Process(target=_in_child, args=(str(database), 4, 25, results))
    other.start()
    failures = _write_many(str(database), 4, 25)
    other.join(60)
    failures += results.get(timeout=10)
    assert failures == []  # with busy_timeout=0, any two writers at once would fail here
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM t")).scalar() == 200


def test_without_the_queue_the_same_load_fails(tmp_path: Path) -> None:
    """The test above can fail: the same writers on plain connections refuse each other."""
    database = tmp_path / "plain.sqlite3"
    engine = sa.create_engine(f"sqlite:///{database}")
    sa.event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=0"))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    failures: list[str] = []

    def work() -> None:
        for _ in range(40):
            try:
                with engine.begin() as connection:
                    connection.execute(sa.text("INSERT INTO t (who) VALUES ('x')"))
                    connection.execute(sa.text("UPDATE t SET who = who"))
            except sa.exc.OperationalError as error:
                failures.append(str(error.orig))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert any("locked" in failure for failure in failures)


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_the_lock_is_held_from_the_first_write_to_the_end_of_the_transaction(tmp_path: Path, ending: str) -> None:
    database = tmp_path / "held.sqlite3"
    connection = sqlite3.connect(database, factory=connection_factory(str(database)))
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.execute("SELECT * FROM t").fetchall()
    assert _lock_is_free(database)  # reading takes no lock
    connection.execute("INSERT INTO t VALUES (1)")
    assert not _lock_is_free(database)
    getattr(connection, ending)()
    assert _lock_is_free(database)
    if ending != "close":
        connection.close()



@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_turn_taken_before_any_write_is_held_until_the_transaction_ends(tmp_path: Path, ending: str) -> None:
    """The read log waits for its turn before it knows its rows (reports/read_log.py): the turn is held through the
    write that follows, and given back at the end even if no write came."""
    database = tmp_path / "turn.sqlite3"
    connection = sqlite3.connect(database, factory=connection_factory(str(database)))
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    take_turn(connection)
    assert not _lock_is_free(database)
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    assert _lock_is_free(database)
    take_turn(connection)
    assert not _lock_is_free(database)
    getattr(connection, ending)()
    assert _lock_is_free(database)
    if ending != "close":
        connection.close()
    take_turn(sqlite3.connect(":memory:"))  # a connection that does not queue: nothing to wait for

def test_which_statements_write() -> None:
    assert all(is_write(s) for s in ["INSERT INTO t VALUES (1)", "  update t set x = 1", "DELETE FROM t",
                                      "REPLACE INTO t VALUES (1)", "CREATE TABLE u (x)", "DROP TABLE u",
                                      "ALTER TABLE t ADD y"])
    assert not any(is_write(s) for s in ["SELECT 1", "PRAGMA foreign_keys=ON", "SAVEPOINT a", "RELEASE a",
                                          "  select * from inserted"])


def test_engine_options_queue_only_sqlite_files(tmp_path: Path) -> None:
    on_file = engine_options(f"sqlite:///{tmp_path}/a.sqlite3", {"pool_pre_ping": True}, str(tmp_path))
    assert "pool_pre_ping" not in on_file  # nothing to ping on this machine
    assert on_file["connect_args"]["factory"].writer.path == f"{tmp_path}/a.sqlite3.writer-lock"
    relative = engine_options("sqlite:///b.sqlite3", {}, str(tmp_path))
    assert relative["connect_args"]["factory"].writer.path == f"{tmp_path}/b.sqlite3.writer-lock"
    assert "connect_args" not in engine_options("sqlite://", {}, str(tmp_path))
    assert engine_options("postgresql+psycopg://u@h/d", {"pool_pre_ping": True}, str(tmp_path)) == {
        "pool_pre_ping": True, "hide_parameters": True}


def test_the_product_empties_its_journal_at_each_commit_instead_of_deleting_it(tmp_path: Path) -> None:
    """journal_mode=TRUNCATE (app/db.py configure_sqlite): the same rollback journal, holding the old pages only
    while a transaction runs, without deleting the file and making it anew for each write."""
    from app import create_app
    from app.extensions import db

    path = tmp_path / "journal.sqlite3"
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                              "REPORT_FILES_DIR": str(tmp_path / "report-files")})
    with app.app_context():
        with db.engine.begin() as connection:
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "truncate"
            connection.execute(sa.text("CREATE TABLE t (secret TEXT)"))
            connection.execute(sa.text("INSERT INTO t VALUES ('before')"))
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE t SET secret = 'after'"))
        db.engine.dispose()
    assert Path(f"{path}-journal").stat().st_size == 0  # emptied at the commit: no old page left in it
