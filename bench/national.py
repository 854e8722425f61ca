"""A national year, scaled down and measured on the production stack, then extrapolated to NHS England (issue 29).

Run: OPEN360_ENV=test .venv/bin/python -m tests.servers .venv/bin/python bench/national.py
     (--sizes 5,20,60,150 --burst 100 --reminders 50000 --usage-rounds 100000; smaller values for a quick look,
     0 to leave a part out)

tests.servers starts a throwaway PostgreSQL and Redis; this bench then starts, as production runs them, a gunicorn
(gunicorn.conf.py: 2 processes of 16 threads) and `flask worker` processes (every queue, mail first), all with the
test settings (the production code, with the test master key, so that the bench can seed data the workers open),
and an SMTP server that keeps what it receives. What it measures, in order:

1. Rounds of 5, 20, 60 and 150 raters, each through the real paths: the owner's round opened (invitations mailed
   by the workers), every rater following their link over HTTP to gunicorn, saving each area and the comments
   (drafts) and submitting; the owner closing the round; the workers building the report and its two PDFs. For
   each round: the database's growth per table (heap, TOAST, indexes: pg_relation_size, pg_total_relation_size of
   the TOAST table, pg_indexes_size), first as it lies on disk (dead row versions included) and then after
   VACUUM FULL (what a year settles to once vacuumed); WAL bytes (pg_current_wal_lsn before and after) for the
   drafts, each submission, the close with its build and PDFs, and the whole round; each submission's wall time
   and CPU (gunicorn's processes plus PostgreSQL's, from /proc).
2. Whether a submission's cost grows with the round: a least-squares fit of each submission's CPU against the
   number of responses it rewrites or adds (k), and of each round's totals against n (the exponent of n in a
   log-log fit: 1 is linear, 2 quadratic).
3. One clock tick with 50 000 reminders due (2 500 open rounds of 20 raters invited 6 days ago, written in bulk):
   the tick's wall and CPU time and SQL statements, run in this process on the real Redis (the same job a worker
   runs), Redis memory per queued delivery; then 2 mail-only workers deliver for 20 s, for the rate per worker.
   The deliveries left are then dropped.
4. A close date's burst: 100 rounds of 6 raters (--burst), answered in this process and closed at once, so 100
   builds wait in the reports queue; 2 workers build every report with its PDFs (3 s of CPU each: 200 took 21 min
   at a load average of 13, so the default is 100; --burst 300 for a few hundred). Per-report CPU (the workers'
   own and their job processes', from /proc) and the drain rate, extrapolated to 5 000 reports on 4 and 16
   workers.
5. The local lead's usage page and one quarterly build at 100 000 rounds (bench/usage.py's bulk seed by SQL).
6. Peak memory (VmHWM) of the web processes, the workers and their job processes, and Redis.

Extrapolation to 225 000 rounds, stated again in the output: the issue's national year is 75 000-225 000 rounds
and 0.5-1.5 million rater responses, so 6.7 responses a round. The per-round figures measured at n = 5, 20, 60
and 150 (every rater answering) are interpolated linearly at n = 6.7 and n = 20, times 225 000.
Per-report CPU times 5 000 gives the burst's CPU; divided by the workers, its drain time when each worker has a
core of its own and the database keeps up. The machine is shared: the load average is printed at the start and
the end, and wall times are inflated by it; CPU times much less so.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import resource
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy
import redis
import sqlalchemy as sa
from flask import current_app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app import db as unit  # noqa: E402
from app.clock import tick  # noqa: E402
from app.extensions import db  # noqa: E402
from app.mail import OutboundMail, Status  # noqa: E402
from app.models import Organisation, Role, User, UserRole  # noqa: E402
from app.queue import MAIL, queue  # noqa: E402
from app.timeutil import today, utcnow  # noqa: E402
from reports.build import missing_files  # noqa: E402
from reports.files import report_files  # noqa: E402
from reports.models import Report  # noqa: E402
from surveys import links, operations  # noqa: E402
from surveys.answers import area_statements, field_name  # noqa: E402
from surveys.categories import Category  # noqa: E402
from surveys.models import Cycle, Invitation, InvitationStatus  # noqa: E402
from surveys.questionnaire import NOT_ABLE_TO_SAY  # noqa: E402
from surveys.rater_list import RaterEntry  # noqa: E402
from tests.fixtures.answers import answer  # noqa: E402
from tests.fixtures.smtp import MailCatcher, free_port  # noqa: E402
from tests.stack.processes import Processes, descendants  # noqa: E402

NATIONAL_ROUNDS = 225_000
NATIONAL_RESPONSES = 1_500_000
BURST_TARGET = 5_000
CATEGORIES = [Category.MANAGER, Category.PEER, Category.PEER, Category.DIRECT_REPORT, Category.DIRECT_REPORT,
              Category.OTHER]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


# --- /proc: CPU and peak memory of other processes ---------------------------------------------------------------


def cpu_seconds(pids: list[int], children: bool = False) -> float:
    """User + system CPU of these processes (and, with `children`, of the children they have reaped: an RQ
    worker's job processes)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return total / _TICKS


def tree(pid: int) -> list[int]:
    return [pid, *descendants(pid)]


def peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemoryWatch:
    """Samples the peak resident memory (VmHWM) of every process under some roots, by label, 5 times a second:
    RQ's job processes live for one job each, and their peak is gone once they exit."""

    def __init__(self) -> None:
        self.roots: dict[str, list[int]] = {}
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def watch(self, label: str, pid: int) -> None:
        self.roots.setdefault(label, []).append(pid)

    def sample(self) -> None:
        for label, roots in list(self.roots.items()):
            for root in roots:
                for pid in tree(root):
                    self.peaks[label] = max(self.peaks.get(label, 0.0), peak_mb(pid))

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# --- PostgreSQL: sizes, WAL, the server's CPU --------------------------------------------------------------------


@dataclass
class Size:
    heap: int = 0
    toast: int = 0
    indexes: int = 0
    total: int = 0

    def __sub__(self, other: Size) -> Size:
        return Size(self.heap - other.heap, self.toast - other.toast, self.indexes - other.indexes,
                    self.total - other.total)

    def __add__(self, other: Size) -> Size:
        return Size(self.heap + other.heap, self.toast + other.toast, self.indexes + other.indexes,
                    self.total + other.total)


class Postgres:
    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as connection:
            backend = connection.scalar(sa.text("SELECT pg_backend_pid()"))
        self.postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])

    def sizes(self) -> dict[str, Size]:
        query = sa.text("""
            SELECT c.relname, pg_relation_size(c.oid),
                   CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END,
                   pg_indexes_size(c.oid), pg_total_relation_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'""")
        with self.engine.connect() as connection:
            return {name: Size(heap, toast, indexes, total)
                    for name, heap, toast, indexes, total in connection.execute(query)}

    def lsn(self) -> int:
        with self.engine.connect() as connection:
            text = connection.scalar(sa.text("SELECT pg_current_wal_lsn()::text"))
        high, low = text.split("/")
        return (int(high, 16) << 32) + int(low, 16)

    def cpu(self) -> float:
        return cpu_seconds(tree(self.postmaster))

    def vacuum_full(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("VACUUM FULL"))


def grown(after: dict[str, Size], before: dict[str, Size]) -> dict[str, Size]:
    return {name: size - before.get(name, Size()) for name, size in after.items()
            if (size - before.get(name, Size())).total}


def total(sizes: dict[str, Size]) -> Size:
    out = Size()
    for size in sizes.values():
        out = out + size
    return out


# --- HTTP, as a rater's browser ------------------------------------------------------------------------------------


class Browser:
    """One cookie jar, no redirects followed (tests/stack/test_production.py's, reused)."""

    def __init__(self, port: int) -> None:
        from tests.stack.test_production import Browser as StackBrowser

        self._browser = StackBrowser(port)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        return self._browser.request(method, path, form)


def rater_drafts(port: int, token: str, areas: list[dict[str, str]], comment: str) -> tuple[Browser, str]:
    """A rater follows their link, saves every area and the comments (each save a draft) and reaches the check
    page: the browser and its form token, ready to submit."""
    browser = Browser(port)
    status, location, _ = browser.request("GET", f"/r/{token}")
    assert status == 302 and location.endswith("/feedback"), (status, location)
    status, _, html = browser.request("GET", "/feedback/area/1")
    assert status == 200, status
    found = _CSRF.search(html)
    csrf = found.group(1) if found else ""  # the test settings send no form token
    for number, form in enumerate(areas, start=1):
        status, _, _ = browser.request("POST", f"/feedback/area/{number}", {"csrf_token": csrf, **form,
                                                                             "action": "continue"})
        assert status == 302, (number, status)
    status, _, _ = browser.request("POST", "/feedback/comments", {
        "csrf_token": csrf, "q-strengths": comment, "q-develop": comment[: len(comment) // 2], "action": "continue"})
    assert status == 302, status
    return browser, csrf


# --- The stack --------------------------------------------------------------------------------------------------


@dataclass
class Stack:
    url: str
    redis_url: str
    smtp: MailCatcher
    processes: Processes
    pg: Postgres
    memory: MemoryWatch
    port: int = 0
    web: list = field(default_factory=list)  # type: ignore[type-arg]
    workers: list = field(default_factory=list)  # type: ignore[type-arg]

    def start_web(self) -> None:
        self.port = free_port()
        process = self.processes.start("web", argv=[
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
            f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning", "app:create_app()"])
        self.web.append(process)
        self.memory.watch("web", process.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Browser(self.port).request("GET", "/healthz")[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start\n" + self.processes.log_tail())

    def start_workers(self, count: int, *queues: str) -> None:
        for _ in range(count):
            argv = [sys.executable, "-m", "flask", "--app", "app", "worker"]
            for name in queues:
                argv += ["--queue", name]
            process = self.processes.start("worker", argv=argv, env=self.processes.env)
            self.workers.append(process)
            self.memory.watch("worker", process.pid)

    def worker_cpu(self) -> float:
        """The workers' CPU with their finished job processes' and their running ones'."""
        pids = [w.pid for w in self.workers if w.poll() is None]
        return cpu_seconds(pids, children=True) + sum(cpu_seconds(descendants(pid)) for pid in pids)

    def stop_workers(self) -> None:
        self.memory.sample()
        for process in self.workers:
            self.processes.kill(process)
        self.workers.clear()

    def web_cpu(self) -> float:
        return sum(cpu_seconds(tree(process.pid)) for process in self.web)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, stack: Stack) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out waiting for {what}\n{stack.processes.log_tail()}")
        time.sleep(0.1)
    return time.monotonic() - started


def scalar(statement: sa.Select) -> int:  # type: ignore[type-arg]
    value = db.session.scalar(statement)
    db.session.commit()  # end the read, so the next sees the workers' commits
    return int(value or 0)


def sent_count() -> int:
    return scalar(sa.select(sa.func.count()).select_from(OutboundMail).where(OutboundMail.status == Status.SENT))


def outbox_settled() -> bool:
    return scalar(sa.select(sa.func.count()).select_from(OutboundMail).where(
        OutboundMail.status.in_([Status.PENDING, Status.SENDING]))) == 0


def reports_ready(cycle_ids: list[int]) -> int:
    """Reports built with both their PDFs and both page bodies (kept as files, reports/files.py)."""
    ids = db.session.scalars(sa.select(Report.id).where(Report.cycle_id.in_(cycle_ids))).all()
    db.session.commit()
    stored = report_files().names()
    return sum(1 for report_id in ids if not missing_files(report_id, stored))


def pdf_bytes() -> int:
    """What the reports' sealed files (2 PDFs and 2 page bodies each) take on disk, outside the database."""
    folder = Path(current_app.config["REPORT_FILES_DIR"])
    return sum(path.stat().st_size for path in folder.glob("*") if path.is_file()) if folder.exists() else 0


_counter = iter(range(10**9))


def new_owner(org: Organisation) -> User:
    n = next(_counter)
    owner = User(organisation=org, email=f"owner{n}@bench.example", name=f"Owner {n}", password_hash="x",
                 role_rows=[UserRole(role=Role.OWNER)])
    db.session.add(owner)
    return owner


def the_org() -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "National Bench Trust"))
    if org is None:
        org = Organisation(name="National Bench Trust", email_domains=["bench.example"])
        db.session.add(org)
    return org


# --- 1. Rounds of n raters ---------------------------------------------------------------------------------------


@dataclass
class RoundResult:
    n: int
    disk: dict[str, Size]
    live: dict[str, Size]
    wal_drafts: int
    wal_submissions: list[int]
    wal_close: int
    wal_round: int
    cpu: list[float]  # per submission: gunicorn + PostgreSQL
    wall: list[float]
    close_seconds: float
    pdf_files: int = 0  # bytes of the round's report files (2 PDFs, 2 page bodies), outside the database


def one_round(stack: Stack, n: int, rng: random.Random) -> RoundResult:
    pg = stack.pg
    before = pg.sizes()
    files_before = pdf_bytes()
    wal_start = pg.lsn()
    cycle = operations.start_cycle(new_owner(the_org()), today() + timedelta(days=21), today())
    invitations = operations.add_raters(cycle, [
        RaterEntry(f"Rater {k}", f"r{k}.{uuid.uuid4().hex[:8]}@bench.example", CATEGORIES[k % len(CATEGORIES)])
        for k in range(n)])
    operations.open_round(cycle, today())
    tokens = [links.issue(invitation) for invitation in invitations]
    unit.commit()
    cycle_id = cycle.id
    areas = cycle.questionnaire().areas
    wait_until(outbox_settled, 300, "the invitations to go", stack)
    wal_drafts, wal_submissions, cpus, walls = 0, [], [], []
    for token in tokens:
        forms = [{field_name(s.key): str(rng.choice([1, 2, 3, 4, 5, NOT_ABLE_TO_SAY])) for s in area_statements(a)}
                 for a in areas]
        start = pg.lsn()
        browser, csrf = rater_drafts(stack.port, token, forms, "Listens well and explains why. " * rng.randint(2, 30))
        wal_drafts += pg.lsn() - start
        browser.request("GET", "/feedback/check")
        start, cpu, started = pg.lsn(), stack.web_cpu() + pg.cpu(), time.perf_counter()
        status, _, _ = browser.request("POST", "/feedback/check", {"csrf_token": csrf})
        walls.append(time.perf_counter() - started)
        cpus.append(stack.web_cpu() + pg.cpu() - cpu)
        wal_submissions.append(pg.lsn() - start)
        assert status == 302, status
    start, started = pg.lsn(), time.monotonic()
    cycle = db.session.get(Cycle, cycle_id)
    operations.close_round_early(cycle)
    unit.commit()
    wait_until(lambda: reports_ready([cycle_id]) == 1, 600, "the report and its PDFs", stack)
    wait_until(outbox_settled, 300, "the owner's mails", stack)
    close_seconds = time.monotonic() - started
    wal_close, wal_round = pg.lsn() - start, pg.lsn() - wal_start
    disk = grown(pg.sizes(), before)
    pg.vacuum_full()
    live = grown(pg.sizes(), before)
    return RoundResult(n, disk, live, wal_drafts, wal_submissions, wal_close, wal_round, cpus, walls, close_seconds,
                       pdf_bytes() - files_before)


def print_round(r: RoundResult) -> None:
    disk, live = total(r.disk), total(r.live)
    print(f"\n  round of {r.n} raters (all answer): on disk {disk.total / MB:.2f} MB (dead row versions included), "
          f"{live.total / MB:.2f} MB after VACUUM FULL = {live.total / r.n / 1024:.0f} KiB per response; "
          f"its report's 2 PDFs and 2 page bodies {r.pdf_files / 1024:.0f} KiB as files, outside the database")
    print(f"    after VACUUM FULL: heap {live.heap / MB:.2f} MB, TOAST {live.toast / MB:.2f} MB, "
          f"indexes {live.indexes / MB:.2f} MB; by table: " + ", ".join(
              f"{name} {size.total / 1024:.0f} KiB" for name, size in
              sorted(r.live.items(), key=lambda item: -item[1].total)[:6]))
    print("    on disk by table: " + ", ".join(
        f"{name} {size.total / 1024:.0f} KiB" for name, size in sorted(r.disk.items(), key=lambda i: -i[1].total)[:6]))
    subs = r.wal_submissions
    print(f"    WAL: round {r.wal_round / MB:.2f} MB = drafts {r.wal_drafts / MB:.2f} MB + submissions "
          f"{sum(subs) / MB:.2f} MB (first {subs[0] / 1024:.0f} KiB, last {subs[-1] / 1024:.0f} KiB, mean "
          f"{sum(subs) / len(subs) / 1024:.0f} KiB) + close, build, PDFs and mail {r.wal_close / MB:.2f} MB + "
          f"opening and invitations")
    print(f"    submission: CPU (gunicorn + PostgreSQL) first {r.cpu[0] * 1000:.0f} ms, last {r.cpu[-1] * 1000:.0f} "
          f"ms, sum {sum(r.cpu):.2f} s; wall median {sorted(r.wall)[len(r.wall) // 2] * 1000:.0f} ms, last "
          f"{r.wall[-1] * 1000:.0f} ms; close to report with PDFs {r.close_seconds:.1f} s")


def fit_growth(results: list[RoundResult]) -> None:
    ks = numpy.array([k for r in results for k in range(1, r.n + 1)], dtype=float)
    cpu = numpy.array([c for r in results for c in r.cpu]) * 1000
    wal = numpy.array([w for r in results for w in r.wal_submissions]) / 1024
    slope, intercept = numpy.polyfit(ks, cpu, 1)
    quad = numpy.polyfit(ks, cpu, 2)
    wal_slope, wal_intercept = numpy.polyfit(ks, wal, 1)
    print(f"\n  a submission's CPU against k, the responses already in its round plus its own (least squares over "
          f"{len(ks)} submissions): {intercept:.1f} ms + {slope:.3f} ms x k (a quadratic fit adds "
          f"{quad[0]:.5f} ms x k^2); its WAL {wal_intercept:.0f} KiB + {wal_slope:.1f} KiB x k")
    ns = numpy.array([r.n for r in results], dtype=float)
    sizes = [(n, r) for n, r in zip(ns, results, strict=True) if n >= 5]
    if len(sizes) >= 2:
        x = numpy.log([n for n, _ in sizes])
        for label, values in (("submission CPU", [sum(r.cpu) for _, r in sizes]),
                              ("submission WAL", [sum(r.wal_submissions) for _, r in sizes]),
                              ("whole round's WAL", [r.wal_round for _, r in sizes]),
                              ("storage after VACUUM FULL", [total(r.live).total for _, r in sizes])):
            exponent = numpy.polyfit(x, numpy.log(values), 1)[0]
            kind = "quadratic" if exponent > 1.6 else "linear" if exponent < 1.3 else "between linear and quadratic"
            print(f"  a round's {label} grows as n^{exponent:.2f} over n = "
                  f"{', '.join(str(int(n)) for n, _ in sizes)}: {kind} in its raters")
    largest = max(results, key=lambda r: r.n)
    k_share = slope * largest.n / (intercept + slope * largest.n)
    if len(results) >= 2:
        a, b = sorted(results, key=lambda r: r.n)[-2:]
        local = numpy.log(sum(b.cpu) / sum(a.cpu)) / numpy.log(b.n / a.n)
        print(f"  between the two largest rounds ({a.n} and {b.n}) a round's submission CPU grows as n^{local:.2f}")
    print("  so: " + (f"quadratic in n. Each submission costs more the more responses its round already holds "
                      f"(the k term is {k_share:.0%} of the last submission of the round of {largest.n}), so a "
                      f"round's submissions cost about a n + b n(n+1)/2" if k_share > 0.5 else
                      f"linear in n. A submission costs about the same whatever its round holds (the k term is "
                      f"{k_share:.0%} of the last submission of the round of {largest.n})"))
    print("  (CPU is read from /proc in ticks of 10 ms: single submissions of a small round read 0, 10 or 20 ms; "
          "the sums and the fit are what to read)")


def extrapolate_storage(results: list[RoundResult]) -> dict[str, float]:
    mean_n = NATIONAL_RESPONSES / NATIONAL_ROUNDS
    ns = [float(r.n) for r in sorted(results, key=lambda r: r.n)]
    fitted = {}
    print(f"\n  national year: {NATIONAL_ROUNDS:,} rounds, {NATIONAL_RESPONSES:,} responses ({mean_n:.1f} a round); "
          f"each per-round figure read at n = {mean_n:.1f} (and at 20, as if every round had 20 answers) by linear "
          f"interpolation between the measured rounds of {', '.join(str(int(n)) for n in ns)} raters, times "
          f"{NATIONAL_ROUNDS:,}")

    def at(n: float, values: list[float]) -> float:
        if ns[0] <= n <= ns[-1]:
            return float(numpy.interp(n, ns, values))
        return float(numpy.polyval(numpy.polyfit(ns, values, min(2, len(ns) - 1)), n))  # outside: a fit

    ordered = sorted(results, key=lambda r: r.n)
    for label, values in (("database after VACUUM FULL", [total(r.live).total for r in ordered]),
                          ("database on disk before vacuum", [total(r.disk).total for r in ordered]),
                          ("WAL", [r.wal_round for r in ordered])):
        at_mean, at_20 = at(mean_n, values), at(20, values)
        fitted[label] = at_mean * NATIONAL_ROUNDS
        print(f"    {label}: {at_mean / MB:.2f} MB a round -> {at_mean * NATIONAL_ROUNDS / 1024**3:,.0f} GB a year "
              f"({at_20 * NATIONAL_ROUNDS / 1024**3:,.0f} GB if every round had 20)")
    cpu = at(mean_n, [sum(r.cpu) for r in ordered])
    print(f"    submissions' CPU (web + database): {cpu:.2f} s a round -> {cpu * NATIONAL_ROUNDS / 3600:,.0f} "
          "CPU-hours a year")
    return fitted


# --- 3. The clock with 50 000 reminders due -------------------------------------------------------------------------


def seed_due(reminders: int, per_round: int = 20) -> None:
    """Open rounds whose raters were invited 6 days ago and have not replied: each is due a reminder."""
    org = the_org()
    unit.commit()
    rounds = reminders // per_round
    invited_at = utcnow() - timedelta(days=6)
    owner_table, cycle_table, invitation_table = User.__table__, Cycle.__table__, Invitation.__table__
    tag = uuid.uuid4().hex[:6]
    db.session.execute(sa.insert(owner_table), [
        {"organisation_id": org.id, "email": f"due{tag}.{n}@bench.example", "name": f"Owner {n}", "password_hash": "x",
         "is_active_account": True, "created_at": invited_at} for n in range(rounds)])
    owners = db.session.scalars(sa.select(User.id).where(User.email.like(f"due{tag}.%"))).all()
    db.session.execute(sa.insert(UserRole.__table__), [{"user_id": u, "role": Role.OWNER.name} for u in owners])
    db.session.execute(sa.insert(cycle_table), [
        {"owner_id": owner, "state": "open", "questionnaire_version": "2026.1", "org_statements": [],
         "close_on": today() + timedelta(days=15), "created_at": invited_at, "opened_at": invited_at}
        for owner in owners])
    cycles = db.session.scalars(sa.select(Cycle.id).where(Cycle.owner_id.in_(owners))).all()
    rows = [{"cycle_id": c, "name": f"Rater {c}.{r}", "email": f"due{c}.{r}@bench.example", "category": "peer",
             "status": InvitationStatus.INVITED.value, "link_version": 1, "invited_at": invited_at}
            for c in cycles for r in range(per_round)]
    for start in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(invitation_table), rows[start:start + 10_000])
    unit.commit()


def clock_tick(stack: Stack, reminders: int) -> None:
    tick(now=utcnow())  # once first: imports, and the quarter's usage build for the bench's organisation
    queue(MAIL).empty()
    seed_due(reminders)
    connection = redis.Redis.from_url(stack.redis_url)
    memory_before = int(connection.info("memory")["used_memory"])
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    summary = tick(now=utcnow())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sa.event.remove(db.engine, "before_cursor_execute", count)
    queued = queue(MAIL).count
    per_job = (int(connection.info("memory")["used_memory"]) - memory_before) / max(queued, 1)
    print(f"\n3. one clock tick with {reminders:,} reminders due: {elapsed:.1f} s wall, {cpu:.1f} s CPU in this "
          f"process (PostgreSQL's own besides), {statements[0]} SQL statements; {queued:,} deliveries queued in Redis, "
          f"{per_job:,.0f} bytes of Redis memory each ({per_job * queued / MB:.0f} MB for the lot)")
    print(f"   tick: {summary[:200]}")
    sent_before = sent_count()
    stack.start_workers(2, MAIL)
    wait_until(lambda: sent_count() > sent_before + 10, 120, "the first deliveries", stack)
    cpu0, sent0, started = stack.worker_cpu(), sent_count(), time.monotonic()
    time.sleep(20)
    sent = sent_count() - sent0
    seconds, cpu = time.monotonic() - started, stack.worker_cpu() - cpu0
    stack.stop_workers()
    print(f"   delivery by 2 mail workers: {sent} reminders in {seconds:.0f} s = {sent / seconds:.1f} a second "
          f"({sent / seconds / 2:.1f} per worker), {cpu / max(sent, 1) * 1000:.0f} ms of worker CPU each; "
          f"{reminders:,} would take {reminders / max(sent / seconds, 1e-9) / 60:.0f} min on 2 workers here")
    queue(MAIL).empty()
    db.session.execute(sa.delete(OutboundMail).where(OutboundMail.status.in_([Status.PENDING, Status.SENDING])))
    db.session.execute(sa.update(Cycle).where(Cycle.state == "open").values(state="cancelled"))
    unit.commit()


# --- 4. A close date's burst of reports ----------------------------------------------------------------------------


def closed_rounds(count: int, raters: int, rng: random.Random) -> list[int]:
    """Rounds answered in this process (the tests' raters, tests/fixtures/answers.py: the real submission code
    without HTTP), then closed early at once: each build is queued as its close commits."""
    org, ids = the_org(), []
    for _ in range(count):
        cycle = operations.start_cycle(new_owner(org), today() + timedelta(days=21), today())
        for k in range(raters):
            db.session.add(Invitation(cycle=cycle, name=f"Rater {k}", category=CATEGORIES[k % len(CATEGORIES)],
                                      email=f"b{k}.{uuid.uuid4().hex[:8]}@bench.example",
                                      status=InvitationStatus.INVITED, invited_at=utcnow()))
        cycle.state = cycle.state.OPEN
        cycle.opened_at = utcnow()
        db.session.flush()
        answer(cycle, rng, "Calm in a crisis. " * rng.randint(1, 10))  # the tests' own raters: the real submission
        unit.commit()
        ids.append(cycle.id)
    for cycle_id in ids:
        operations.close_round_early(db.session.get(Cycle, cycle_id))
    unit.commit()
    return ids


def burst(stack: Stack, count: int, rng: random.Random) -> None:
    seeding = time.monotonic()
    ids = closed_rounds(count, 6, rng)
    seeding = time.monotonic() - seeding
    started = time.monotonic()
    stack.start_workers(2)
    wait_until(lambda: reports_ready(ids) == len(ids), 3600, "the burst's reports", stack)
    seconds, cpu = time.monotonic() - started, stack.worker_cpu()
    wait_until(outbox_settled, 300, "the owners' mails", stack)
    stack.stop_workers()
    per_report, rate = cpu / count, count / seconds
    print(f"\n4. close-date burst: {count} rounds of 6 raters closed at once (answered and closed in {seeding:.0f} s) "
          f"-> every report with its 2 PDFs and 2 page bodies on 2 workers in {seconds:.0f} s: "
          f"{rate * 60:.1f} reports a minute, "
          f"{per_report:.2f} s of worker CPU a report (build, 2 PDFs, 2 page bodies, the owner's mails)")
    print(f"   {BURST_TARGET:,} reports: {BURST_TARGET * per_report / 3600:.1f} h of CPU; "
          + "; ".join(f"on {w} workers {BURST_TARGET * per_report / w / 60:.0f} min with a core each "
                      f"({BURST_TARGET / (rate * w / 2) / 60:.0f} min at this run's measured rate per worker)"
                      for w in (4, 16)))


# --- 5. Usage at 100 000 rounds -----------------------------------------------------------------------------------


def usage_at(rounds: int, url: str) -> None:
    spec = importlib.util.spec_from_file_location("bench_usage", ROOT / "bench" / "usage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_usage"] = module
    spec.loader.exec_module(module)
    started = time.monotonic()
    m = module.measure(rounds, url)
    print(f"\n5. local lead's usage at {rounds:,} rounds ({rounds * module.RATERS:,} invitations, 50 organisations; "
          f"seeded, built and served in {time.monotonic() - started:.0f} s): one quarterly build with its PDF "
          f"{m.build_time:.2f} s and {m.build_statements} statements; the usage page {m.page_time * 1000:.0f} ms and "
          f"{m.page_statements} statements; the quarter's raters invited {m.invited}, responded {m.responded}")


# --- main -------------------------------------------------------------------------------------------------------


@contextmanager
def stack_running(url: str, redis_url: str) -> Iterator[Stack]:
    smtp = MailCatcher()
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="open360-national-") as logs:
        processes = Processes(Path(logs), url, redis_url, smtp.port)
        processes.env["REPORT_FILES_DIR"] = str(Path(logs) / "report-files")  # this run's own, not a shared /tmp one
        stack = Stack(url, redis_url, smtp, processes, Postgres(url), MemoryWatch())
        try:
            yield stack
        finally:
            stack.memory.stop()
            processes.stop_all()
            smtp.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5,20,60,150")
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--reminders", type=int, default=50_000)
    parser.add_argument("--usage-rounds", type=int, default=100_000)
    args = parser.parse_args()
    url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not url or not url.startswith("postgresql") or not redis_url:
        sys.exit("Run on the production stack: OPEN360_ENV=test .venv/bin/python -m tests.servers "
                 ".venv/bin/python bench/national.py")
    began = time.monotonic()
    print(f"{datetime.now():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (the machine is shared)")
    rng = random.Random(29)
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "QUEUE_MODE": "redis", "REDIS_URL": redis_url})
    with stack_running(url, redis_url) as stack, app.app_context():
        app.config["SMTP_PORT"] = stack.smtp.port
        app.config["REPORT_FILES_DIR"] = stack.processes.env["REPORT_FILES_DIR"]  # the workers' folder
        db.drop_all()
        db.create_all()
        stack.start_web()
        stack.start_workers(2)
        print("\n1. rounds through the real paths (gunicorn for the raters, 2 workers for mail, builds and PDFs)")
        one_round(stack, 2, rng)  # not measured: every table gets its first pages, every process its imports
        results = []
        for n in (int(size) for size in args.sizes.split(",")):
            results.append(one_round(stack, n, rng))
            print_round(results[-1])
        stack.stop_workers()
        print("\n2. growth")
        fit_growth(results)
        extrapolate_storage(results)
        if args.reminders:
            clock_tick(stack, args.reminders)
        if args.burst:
            burst(stack, args.burst, rng)
        stack.memory.sample()
        connection = redis.Redis.from_url(redis_url)
        redis_peak = int(connection.info("memory")["used_memory_peak"]) / MB
        web_peak, worker_peak = stack.memory.peaks.get("web", 0), stack.memory.peaks.get("worker", 0)
        for process in stack.web:
            stack.processes.kill(process)
        db.session.remove()
    if args.usage_rounds:
        usage_at(args.usage_rounds, url)
    print(f"\n6. peak memory: web process (gunicorn, 16 threads) {web_peak:.0f} MB; worker or job process "
          f"{worker_peak:.0f} MB; this bench process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
          f"MB (ran the tick and the usage build); Redis peak {redis_peak:.0f} MB")
    print(f"\nload average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"the bench took {(time.monotonic() - began) / 60:.1f} min")


if __name__ == "__main__":
    main()
