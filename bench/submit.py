"""Rater submission benchmark: `POST /feedback/check` for every rater of a round, each holding a full draft.

Run: OPEN360_ENV=test .venv/bin/python bench/submit.py            (SQLite, a fresh file; a round of 50)
     RATERS=20 OPEN360_ENV=test .venv/bin/python bench/submit.py  (the goal's round of 20: ≤ 5 ms of CPU)
     OPEN360_ENV=test .venv/bin/python -m tests.servers .venv/bin/python bench/submit.py   (PostgreSQL)
     PROFILE=tottime [PROFILE_FILTER=storage/] … bench/submit.py  (cProfile by CPU time over the timed submissions)
     EACH=1 … bench/submit.py                                     (also every timed submission's CPU in turn)
Each submission re-encrypts and rewrites every response of the round (surveys/responses.py), so the last of the n
rewrites n rows. The first and the second submission count the SQL statements a POST runs (a SQLAlchemy
`before_cursor_execute` listener; the multi-row INSERT counts once); the others, the costliest last among them, each in
an app context of its own as under gunicorn and with nothing listening, are timed: p50 and p95, the slowest, and the CPU
time of this process per POST (user + system, the test client's share included); on PostgreSQL also the server's own CPU
per POST (every process of its postmaster, from /proc/<pid>/schedstat in nanoseconds: /proc's stat ticks are 10 ms) and
the sum of the two, which is what the goal counts (issue 29: ≤ 5 ms of CPU at 20 raters, web process plus database).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.timeutil import today
from surveys import links, operations
from surveys.answers import field_name
from surveys.categories import Category
from surveys.rater_list import RaterEntry
from tests.stack.processes import descendants

RATERS = int(os.environ.get("RATERS", "50"))
CATEGORIES = [Category.PEER, Category.DIRECT_REPORT, Category.OTHER, Category.MANAGER]


def server_processes(url: str) -> Callable[[], list[int]]:
    """The database server's processes (the postmaster and every process under it), or none for SQLite, which runs
    in this process."""
    if not url.startswith("postgresql"):
        return list
    with db.engine.connect() as connection:
        backend = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return lambda: [postmaster, *descendants(postmaster)]


def cpu_ms(pids: list[int]) -> float:
    """The CPU these processes have used so far, in ms (schedstat counts nanoseconds; stat counts 10 ms ticks)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, IndexError):  # a process that ended meanwhile
            continue
    return total / 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "QUEUE_MODE": "sync", "SMTP_PORT": 9})
        with app.app_context():
            db.drop_all()
            db.create_all()
            org = Organisation(name="Bench Trust", email_domains=["bench.example"])
            owner = User(organisation=org, email="owner@bench.example", name="Owner", password_hash="x",
                         role_rows=[UserRole(role=Role.OWNER)])
            db.session.add(owner)
            cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
            invitations = operations.add_raters(cycle, [
                RaterEntry(f"Rater {n}", f"r{n}@bench.example", CATEGORIES[n % 4]) for n in range(RATERS)])
            for invitation in invitations:  # invited without mail: the bench measures the rater's POST only
                invitation.status = invitation.status.INVITED
            cycle.state = cycle.state.OPEN
            tokens = [links.issue(i) for i in invitations]
            db.session.commit()
            areas = cycle.questionnaire().areas
            browsers = []
            for n, token in enumerate(tokens):
                browser = app.test_client()
                assert browser.get(f"/r/{token}").status_code == 302
                for number, area in enumerate(areas, start=1):
                    data = {field_name(s.key): str(1 + n % 5) for sub in area.sub_areas for s in sub.statements}
                    browser.post(f"/feedback/area/{number}", data={**data, "action": "continue"})
                browser.post("/feedback/comments", data={"q-strengths": "x" * 1500, "q-develop": "y" * 800,
                                                         "action": "continue"})
                browsers.append(browser)
            unit.commit()
            engine = db.engine
            servers = server_processes(url)
            db.session.remove()
        # The timed requests run outside the setup's app context, each in its own as under gunicorn: inside it,
        # every request shared the setup's session and expired its 20-odd objects at each commit.
        # Statements are counted on the first and the second submission only (not the last, which rewrites the most
        # rows: the CPU figures must have it): while anything listens to the engine's statements, a read that would skip
        # SQLAlchemy's execution goes through it so that the listener sees it (app/db.py read_row), which a server with
        # no listener never pays. The CPU figures leave both out, and so the first one's compiling and caching, which a
        # server does once.
        counts: list[int] = []
        statements = [0]

        def count(*_args: object) -> None:
            statements[0] += 1

        times, cpu, server = [], [], []
        profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE") else None
        for n, browser in enumerate(browsers):
            counted = n in (0, 1)
            if counted:
                statements[0] = 0
                sa.event.listen(engine, "before_cursor_execute", count)
            pids = servers()  # listed before the clock starts: reading /proc costs this process CPU
            server_started = cpu_ms(pids)
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler and not counted:
                profiler.enable()
            assert browser.post("/feedback/check").status_code == 302
            if profiler and not counted:
                profiler.disable()
            if counted:
                sa.event.remove(engine, "before_cursor_execute", count)
                counts.append(statements[0])
                continue
            cpu.append((time.process_time() - cpu_started) * 1000)
            server.append(cpu_ms(pids) - server_started)
            times.append((time.perf_counter() - started) * 1000)
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(os.environ["PROFILE"])
            stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 45)
        if os.environ.get("EACH"):  # every submission's CPU in turn: the last rewrites the most rows
            print("CPU each", " ".join(f"{c:.1f}" for c in cpu), "| PostgreSQL each",
                  " ".join(f"{c:.1f}" for c in server))
        with app.app_context():
            db.drop_all()
        quantiles = statistics.quantiles(times, n=20)
        print(f"{url.split(':')[0]}: {RATERS} submissions, "
              f"p50 {statistics.median(times):.0f} ms, p95 {quantiles[18]:.0f} ms, slowest {max(times):.0f} ms; "
              f"SQL statements of the first and second submission {counts[0]}, {counts[1]}; CPU of the others "
              f"(this process, client included) mean {statistics.mean(cpu):.1f} ms, last {cpu[-1]:.1f} ms"
              + (f"; PostgreSQL's CPU mean {statistics.mean(server):.1f} ms, last {server[-1]:.1f} ms; both "
                 f"mean {statistics.mean(cpu) + statistics.mean(server):.1f} ms" if url.startswith("postgresql")
                 else ""))


if __name__ == "__main__":
    main()
