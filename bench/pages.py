"""Page speed benchmark (PRODUCT §8, issue 16): the pages raters and owners wait for, against a ceiling.

Run: .venv/bin/python bench/pages.py          (about 6 minutes with the defaults; needs `wrk`: apt-get install wrk)
     .venv/bin/python bench/pages.py --seconds 5 --repeats 1 --only rater   (a quick look at the rater pages)
     .venv/bin/python bench/pages.py --stack production   (PostgreSQL and Redis, as a region or NHS England runs it)

What it does, in one command:
1. Seeds a fresh database (the embedded default: SQLite in a temporary folder; `--stack production`: a throwaway
   PostgreSQL, and a throwaway Redis for the queue, both started by tests/servers.py): an owner with an earlier
   closed round and an open round of 200 raters (60 answered, 20 declined, drafts for the rest), an owner with a
   report of 50 raters, and rounds of 20 raters whose complete drafts are there to be submitted, one per request.
2. Counts the SQL statements each page sends for rounds of 5, 50 and 200 raters and for owners of 1 and 3 rounds,
   in-process, to show they do not grow (tests/surveys/test_sql_per_page.py holds the same property).
3. Starts the product under gunicorn as production serves it (gunicorn.conf.py: 2 processes of 16 threads; no
   debug, no reloader, templates compiled once) with the stack's settings (`stack_settings`: the embedded default's
   OPEN360_ENV=development, SQLite and the in-process queue; or OPEN360_ENV=production, PostgreSQL and the Redis
   queue, every secret from the environment as the README's configuration table says), and the ceiling
   (bench/ceiling.py: bare Flask rendering a cached template of the same size as the page) under the same gunicorn
   settings; and the floors (bench/ceiling.py `create_floor`: the same bare Flask doing only the product's own read
   of the rater's visit with their sealed draft, or of the person signed in, then the same cached page).
4. For each page, loads ceiling, floor (if it has one) and product in turn on loopback with wrk, alternating A B A B,
   and prints requests/s, p50/p95/p99 latency and each one's share of the ceiling's requests/s.

wrk sends no Accept-Encoding, so both sides send uncompressed HTML: the comparison is of serving, not of gzip.
The machine may be shared: the load average before and after is printed; read the ratio, not the absolute figures.
"CPU ms/req" is the server's CPU (its processes' user + system time, from /proc) per request answered, and "CPU
ratio" the ceiling's over the product's: on a busy machine these move far less than requests a second do.
On the production stack a page's CPU is also the database's: "CPU ms/req" is then the web processes' ("web") plus
the PostgreSQL server's and Redis's ("db": the postmaster and every process under it, and redis-server). No
`flask worker` runs: no page measured waits for a job (the pages enqueue none; seeding's invitation and report mails
stay queued), and a worker's polling would only add to the load the machine's other users see.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import redis
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app import db as unit  # noqa: E402
from app.db import counting_statements  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Organisation, Role, User, UserRole  # noqa: E402
from app.passwords import hash_password  # noqa: E402
from app.timeutil import today  # noqa: E402
from bench.report_build import closed_round  # noqa: E402
from bench.submit import server_processes  # noqa: E402
from config.keys import new_key_text  # noqa: E402
from reports.build import build_report  # noqa: E402
from surveys import operations, responses  # noqa: E402
from surveys.answers import field_name  # noqa: E402
from surveys.categories import Category  # noqa: E402
from surveys.cycle import CycleState  # noqa: E402
from surveys.models import Cycle, Invitation  # noqa: E402
from surveys.rater_list import RaterEntry  # noqa: E402
from tests.fixtures.rounds import link_token  # noqa: E402
from tests.stack.processes import descendants  # noqa: E402

PASSWORD = "bench password 360"
USER_AGENT = "open360-bench"  # one agent for sign-in and load alike: sessions are bound to it ("strong" protection)
MIX = [Category.MANAGER] + [Category.PEER] * 4 + [Category.DIRECT_REPORT] * 4 + [Category.OTHER]
# Raters seeded for the submit's load, per second of it: more than it ever answers (SQLite ~40 a second, PostgreSQL
# ~180 on 2 busy cores), as wrk goes round its lines again when it runs out, and a rater who has sent their feedback
# is answered 404 (the link no longer works), counted as an error.
SUBMITS_PER_SECOND = 400
GUNICORN = ["-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket", "--log-level", "warning"]
WRK_SCRIPT = """
local counter, lines, step, at = 0, {}, 1, 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  step = tonumber(args[2]); at = id
end
function request()
  local line = lines[(at % #lines) + 1]; at = at + step
  local method, path, cookie, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
  local headers = {["User-Agent"] = "AGENT", ["Cookie"] = cookie}
  if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" else body = nil end
  return wrk.format(method, path, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
""".replace("AGENT", USER_AGENT)


# --- seeding -------------------------------------------------------------------------------------------------------


def _owner(org: Organisation, name: str, password_hash: str) -> User:
    user = User(organisation=org, email=f"{name}@bench.example", name=f"Owner {name.title()}",
                password_hash=password_hash, role_rows=[UserRole(role=Role.OWNER)])
    db.session.add(user)
    return user


def _open_round(owner: User, raters: int) -> Cycle:
    cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
    operations.add_raters(cycle, [RaterEntry(f"Rater {n}", f"r{n}.{owner.email}", MIX[n % len(MIX)])
                                  for n in range(raters)])
    operations.open_round(cycle, today())
    return cycle


def _finished_round(owner: User, raters: int, rng: random.Random) -> Cycle:
    """An earlier round, all done with (set straight to its last state: its report is not what is measured)."""
    cycle = closed_round(owner, raters, rng)
    cycle.state = CycleState.EVALUATED
    return cycle


def _complete(invitation: Invitation, rng: random.Random) -> None:
    keys = invitation.cycle.questionnaire().statement_keys()
    responses.save_answers(invitation, {k: rng.randint(1, 5) for k in keys})
    responses.save_comments(invitation, {"strengths": "Calm under pressure and always makes time for the team."})


@dataclass
class Seeded:
    owner_email: str  # the owner of the open round of 200
    report_owner_email: str
    report_id: int
    area_tokens: list[str] = field(default_factory=list)  # raters part-way through
    check_tokens: list[str] = field(default_factory=list)  # raters with everything answered
    submit_tokens: list[str] = field(default_factory=list)  # the same, one per submit request


def seed(submits: int, rng: random.Random) -> Seeded:
    org = Organisation(name="Bench Trust", email_domains=["bench.example"])
    db.session.add(org)
    password_hash = hash_password(PASSWORD)
    busy = _owner(org, "busy", password_hash)
    _finished_round(busy, 10, rng)  # an earlier round, so the dashboard has history
    big = _open_round(busy, 200)
    for n, invitation in enumerate(big.invitations):
        if n < 60:
            _complete(invitation, rng)
            responses.submit(invitation)
        elif n < 80:
            responses.decline(invitation)
        elif n < 140:
            _complete(invitation, rng)
        else:
            responses.save_answers(invitation, {invitation.cycle.questionnaire().statement_keys()[0]: 3})
    reader = _owner(org, "reader", password_hash)
    report = build_report(closed_round(reader, 50, rng))
    unit.commit()
    seeded = Seeded(busy.email, reader.email, report.id if report else 0)
    seeded.area_tokens = [link_token(i) for i in big.invitations[140:180]]
    seeded.check_tokens = [link_token(i) for i in big.invitations[80:120]]
    for n in range(0, submits, 20):
        cycle = _open_round(_owner(org, f"submit{n}", password_hash), 20)
        for invitation in cycle.invitations:
            _complete(invitation, rng)
        unit.commit()
        seeded.submit_tokens += [link_token(i) for i in cycle.invitations]
    unit.commit()
    return seeded


# --- HTTP ----------------------------------------------------------------------------------------------------------


class Browser:
    """One cookie jar and no redirects followed, enough to sign in and to open a rater's link."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie_header(), "User-Agent": USER_AGENT}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        data = response.read()
        connection.close()
        return response.status, response.getheader("Location") or "", data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def follow(self, location: str) -> str:
        """GET `location` (an address or a path), following redirects; the path it ends at."""
        for _ in range(5):
            path = location.split("://", 1)[-1].split("/", 1)[-1] if "://" in location else location
            path = path if path.startswith("/") else f"/{path}"
            status, location, _ = self.request("GET", path)
            if status not in (301, 302, 303):
                return path
        return path


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


def sign_in(port: int, email: str) -> Browser:
    """Signed in as a browser is: the form posted, its redirect followed, and every cookie set on the way kept.
    Following matters: signing in starts a new session with no CSRF secret, and the first page that shows a form
    (every signed-in page's header has the sign-out form) makes one and sends the session again. A browser keeps
    that cookie; wrk replays a fixed one, so with the cookie from the sign-in's answer every request of the load
    made a new secret and re-signed and re-sent the session, which a browser only does once (1.8 of the round page's
    6.1 ms of CPU under gunicorn)."""
    browser = Browser(port)
    _, _, page = browser.request("GET", "/sign-in")
    status, location, _ = browser.request("POST", "/sign-in", {"csrf_token": csrf_token(page.decode()),
                                                               "email": email, "password": PASSWORD})
    assert status == 302, f"sign-in as {email} gave {status}"
    browser.follow(location)
    return browser


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    """A test client signed in as this person, for the in-process measures."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in as {email} gave {response.status_code}"
    return client


def open_link(port: int, token: str) -> tuple[str, str]:
    """A rater's pages' base address and cookie, after opening the emailed link as a browser does."""
    browser = Browser(port)
    base = browser.follow(f"/r/{token}")
    return base.rstrip("/"), browser.cookie_header()


@dataclass
class Page:
    label: str
    lines: list[str]  # wrk request lines: method, path, cookie, body (tab-separated)
    size: int = 0  # bytes of the first response's body, for the ceiling
    statuses: set[int] = field(default_factory=set)
    floor: str = ""  # "" (none), or the floor it is measured against too, its route: "rater" or "signed-in"


def floor_lines(page: Page) -> list[str]:
    """The floor's requests for a page: the same cookies, for a cached page of the page's size."""
    return [_line("GET", f"/{page.floor}/{page.size}", line.split("\t")[2]) for line in page.lines]


def _line(method: str, path: str, cookie: str, body: str = "") -> str:
    return "\t".join((method, path, cookie, body))


def pages(port: int, seeded: Seeded, questionnaire_keys: Callable[[int], list[str]]) -> list[Page]:
    with ThreadPoolExecutor(4) as pool:
        area = list(pool.map(lambda t: open_link(port, t), seeded.area_tokens))
        check = list(pool.map(lambda t: open_link(port, t), seeded.check_tokens))
        submit = list(pool.map(lambda t: open_link(port, t), seeded.submit_tokens))
    answers = urlencode({**{field_name(k): "4" for k in questionnaire_keys(1)}, "action": "continue"})
    owner = sign_in(port, seeded.owner_email).cookie_header()
    reader = sign_in(port, seeded.report_owner_email).cookie_header()
    return [
        # Floors: what the product's own stack costs before any page's work. The health check runs every request
        # hook and extension but renders nothing; the accessibility statement is the layout around fixed text,
        # with no database. No page can reach a larger share of the ceiling than these.
        Page("floor: health check (no template)", [_line("GET", "/healthz", "")]),
        Page("floor: static page in the layout", [_line("GET", "/accessibility", "")]),
        # The same page for someone signed in (the owner): the floor of every owner's page and the report's.
        Page("floor: static page, signed in", [_line("GET", "/accessibility", owner)], floor="signed-in"),
        Page("sign-in page", [_line("GET", "/sign-in", "")]),
        Page("rater area page", [_line("GET", f"{base}/area/1", cookie) for base, cookie in area], floor="rater"),
        Page("rater area save (POST)", [_line("POST", f"{base}/area/1", cookie, answers) for base, cookie in area]),
        Page("rater check page", [_line("GET", f"{base}/check", cookie) for base, cookie in check], floor="rater"),
        Page("rater submit (POST)", [_line("POST", f"{base}/check", cookie) for base, cookie in submit]),
        Page("owner dashboard, 200 raters", [_line("GET", "/round", owner)], floor="signed-in"),
        Page("owner raters page, 200 raters", [_line("GET", "/round/raters", owner)], floor="signed-in"),
        Page(f"report page (50 raters, report {seeded.report_id})",
             [_line("GET", f"/reports/{seeded.report_id}", reader)], floor="signed-in"),
    ]


def measure_size(port: int, page: Page) -> None:
    method, path, cookie, body = page.lines[-1].split("\t")  # the last line: a submit uses up its rater
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    page.size = len(response.read())
    page.statuses.add(response.status)
    connection.close()
    if page.label.startswith("rater submit"):
        page.lines.pop()


# --- processes and load --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(app_spec: str, port: int, env: dict[str, str], log: Path) -> Iterator[int]:
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, *GUNICORN, "--bind", f"127.0.0.1:{port}", app_spec],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{app_spec} did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        process.wait(20)


def stack_settings(stack: str, tmp: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment the product runs with on this stack, for gunicorn and for this process's seeding alike (the
    same master keys, or the seeded drafts and report could not be opened). Production's are every setting the
    README's configuration table requires, against the servers tests/servers.py started (TEST_DATABASE_URL,
    TEST_REDIS_URL); no mail is sent while pages are measured, so its SMTP server is never reached."""
    environment = {name: value for name, value in environ.items() if name != "FLASK_DEBUG"}
    if stack == "embedded":
        return environment | {"OPEN360_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
    return environment | {
        "OPEN360_ENV": "production",
        "SECRET_KEY": new_key_text(),
        "DATABASE_URL": environ["TEST_DATABASE_URL"],
        "REDIS_URL": environ["TEST_REDIS_URL"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Open360 <no-reply@bench.example>",
        "PUBLIC_URL": "https://open360.bench.example",
        "OPEN360_MASTER_KEYS": f"bench1:{new_key_text()}",
        "CONTACT_EMAIL": "open360@bench.example",
        "REPORT_FILES_DIR": str(tmp / "report-files"),
    }


def database_servers(settings: Mapping[str, Any]) -> Callable[[], list[int]]:
    """The processes of the database server and of Redis, as they are now (PostgreSQL starts a process for each new
    connection); none on the embedded stack, where SQLite and the queue run inside the web processes. Called inside
    the seeding's app context (server_processes asks PostgreSQL for its postmaster)."""
    postgres = server_processes(settings["SQLALCHEMY_DATABASE_URI"])
    if settings["QUEUE_MODE"] != "redis":
        return postgres
    redis_pid = int(redis.Redis.from_url(settings["REDIS_URL"]).info("server")["process_id"])
    return lambda: [*postgres(), redis_pid]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and by their children that have ended, from /proc.
    The ended ones matter: a PostgreSQL backend of a connection closed during a run is counted in its postmaster's.
    /proc's stat, not schedstat: stat sums every thread of a process (gunicorn's 16), schedstat only the first.
    On a shared machine the CPU a request costs is steadier than the requests a second: other work slows the clock,
    not the count."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for process in pids:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / tick  # utime, stime, cutime, cstime
    return total


def web_processes(pid: int) -> Callable[[], list[int]]:
    return lambda: [pid, *descendants(pid)]


@dataclass
class Run:
    requests_per_s: float
    p50: float
    p95: float
    p99: float
    errors: int
    web_ms: float = 0.0  # the web processes' CPU per request
    db_ms: float = 0.0  # the database server's and Redis's

    @property
    def cpu_ms(self) -> float:
        return self.web_ms + self.db_ms


def wrk(port: int, lines: list[str], seconds: int, connections: int, threads: int, work: Path,
        web: Callable[[], list[int]], servers: Callable[[], list[int]] = list) -> Run:
    (work / "lines.tsv").write_text("\n".join(lines) + "\n")
    before = cpu_seconds(web()), cpu_seconds(servers())
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(work / "load.lua"), f"http://127.0.0.1:{port}", "--",
                          str(work / "lines.tsv"), str(threads)], capture_output=True, text=True, check=True)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out.stdout, re.MULTILINE)
    assert match, out.stdout + out.stderr
    requests, duration_us, p50, p95, p99, status_errors, socket_errors = map(int, match.groups())
    web_ms, db_ms = ((cpu_seconds(processes()) - was) * 1000 / max(requests, 1)
                     for processes, was in zip((web, servers), before, strict=True))
    return Run(requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, status_errors + socket_errors,
               web_ms, db_ms)


def best(runs: list[Run]) -> Run:
    """The median run by requests/s of each side (with two runs, the better one: noise only ever slows a run)."""
    return sorted(runs, key=lambda r: r.requests_per_s)[len(runs) // 2]


# --- SQL statements per page ---------------------------------------------------------------------------------------


def sql_per_page(tmp: Path) -> None:
    """Statements per page for rounds of 5, 50 and 200 raters and owners of 1 and 3 rounds, in-process. Requests run
    outside the seeding's app context, so each starts with an empty session, as in a web process."""
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/sql.sqlite3"})
    rng = random.Random(5)
    cases: list[tuple[str, str, str, str, dict[str, str]]] = []  # column, owner, rater token, done token, answers
    with app.app_context():
        engine = db.engine
        db.create_all()
        org = Organisation(name="SQL Trust", email_domains=["bench.example"])
        db.session.add(org)
        password_hash = hash_password(PASSWORD)
        for raters, earlier in ((5, 0), (50, 0), (200, 0), (50, 2)):
            owner = _owner(org, f"sql{raters}x{earlier}", password_hash)
            for _ in range(earlier):
                _finished_round(owner, 5, rng)
            cycle = _open_round(owner, raters)
            for invitation in cycle.invitations[: raters // 2]:
                _complete(invitation, rng)
            for invitation in cycle.invitations[: raters // 5]:
                responses.submit(invitation)
            unit.commit()
            area = cycle.questionnaire().areas[0]
            answers = {field_name(s.key): "4" for sub in area.sub_areas for s in sub.statements}
            cases.append((f"{raters} raters" + (f", {earlier + 1} rounds" if earlier else ""), owner.email,
                          link_token(cycle.invitations[-1]), link_token(cycle.invitations[raters // 2 - 1]),
                          answers | {"action": "continue"}))
    rows: dict[str, dict[str, int]] = {}
    for column, email, token, done_token, answers in cases:
        rater, done, signed_in = app.test_client(), app.test_client(), signed_in_client(app, email)
        base = rater.get(f"/r/{token}", follow_redirects=True).request.path
        done_base = done.get(f"/r/{done_token}", follow_redirects=True).request.path
        for label, call in (
            ("rater area page", lambda r=rater, b=base: r.get(f"{b}/area/1")),
            ("rater area save (POST)", lambda r=rater, b=base, a=answers: r.post(f"{b}/area/1", data=a)),
            ("rater check page", lambda d=done, b=done_base: d.get(f"{b}/check")),
            ("rater submit (POST)", lambda d=done, b=done_base: d.post(f"{b}/check")),
            ("owner dashboard", lambda s=signed_in: s.get("/round")),
            ("owner raters page", lambda s=signed_in: s.get("/round/raters")),
        ):
            with counting_statements(engine) as statements:
                status = call().status_code
            assert status in (200, 302), f"{label}: {status}"
            rows.setdefault(label, {})[column] = len(statements)
    columns = list(next(iter(rows.values())))
    print("SQL statements per page (in-process, counted with a SQLAlchemy before_cursor_execute listener)")
    print(f"  {'page':<26}" + "".join(f"{c:>20}" for c in columns) + "   constant?")
    for label, counts in rows.items():
        same = "yes" if len(set(counts.values())) == 1 else "NO"
        print(f"  {label:<26}" + "".join(f"{counts[c]:>20}" for c in columns) + f"   {same}")
    print()


# --- main ----------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--repeats", type=int, default=2, help="runs per side, alternating ceiling and product")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=5116, help="the product's port (the ceiling takes a free one)")
    parser.add_argument("--only", default="",
                        help="measure only pages whose label contains this (or one of these, comma-separated)")
    parser.add_argument("--no-sql", action="store_true", help="skip counting SQL statements")
    parser.add_argument("--stack", choices=("embedded", "production"), default="embedded",
                        help="embedded: SQLite and the in-process queue; production: PostgreSQL and Redis")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if args.stack == "production" and not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        from tests.servers import main as with_servers  # a throwaway PostgreSQL and Redis, then this command again

        raise SystemExit(with_servers([sys.executable, *sys.argv]))
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(1, 5, 15 min) on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if not args.no_sql:
            sql_per_page(tmp)
        ceiling_env, env = dict(os.environ), stack_settings(args.stack, tmp, os.environ)
        os.environ.update(env)  # the seeding's app reads its settings as gunicorn's do
        started = time.monotonic()
        app = create_app()
        with app.app_context():
            db.drop_all()
            db.create_all()
            seeded = seed(SUBMITS_PER_SECOND * args.seconds * args.repeats, random.Random(360))
            questionnaire = Cycle(questionnaire_version=app.config["QUESTIONNAIRE_VERSION"]).questionnaire()
            servers = database_servers(app.config)
            db.session.remove()
            db.engine.dispose()  # its connections' backends would count as the server's, idle
        print(f"seeded in {time.monotonic() - started:.0f} s")

        def area_keys(number: int) -> list[str]:
            area = questionnaire.areas[number - 1]
            return [s.key for sub in area.sub_areas for s in sub.statements]

        (tmp / "load.lua").write_text(WRK_SCRIPT)
        ceiling_port, floor_port = free_port(), free_port()
        with gunicorn("app:create_app()", args.port, env, tmp / "product.log") as product_pid, \
                gunicorn("bench.ceiling:create()", ceiling_port, ceiling_env, tmp / "ceiling.log") as ceiling_pid, \
                gunicorn("bench.ceiling:create_floor()", floor_port, env, tmp / "floor.log") as floor_pid:
            wanted = args.only.split(",")
            measured = [p for p in pages(args.port, seeded, area_keys) if any(w in p.label for w in wanted)]
            print(f"\nwrk -t{args.threads} -c{args.connections}, {args.seconds} s a run, ceiling and product "
                  f"alternating {args.repeats}×; gunicorn.conf.py for both; {args.stack} stack: "
                  + (f"SQLite in {tmp}" if args.stack == "embedded" else
                     f"PostgreSQL {app.config['SQLALCHEMY_DATABASE_URI']}, Redis {app.config['REDIS_URL']}"))
            print(f"{'page':<40}{'side':>9}{'bytes':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                  f"{'errors':>8}{'of ceiling':>12}{'CPU ms/req':>12}{'web':>7}{'db':>7}{'CPU ratio':>11}")
            for page in measured:
                measure_size(args.port, page)
                ceiling_line = _line("POST" if "POST" in page.label else "GET",
                                     f"/{page.size if page.statuses == {200} else 0}", "", "action=continue")
                runs: dict[str, list[Run]] = {"ceiling": [], "floor": [], "product": []}
                # A submit uses up its rater: each run gets its own share of them.
                share = len(page.lines) // args.repeats if "submit" in page.label else 0
                for n in range(args.repeats):
                    lines = page.lines[n * share:(n + 1) * share] if share else page.lines
                    runs["ceiling"].append(wrk(ceiling_port, [ceiling_line], args.seconds, args.connections,
                                               args.threads, tmp, web_processes(ceiling_pid)))
                    if page.floor:
                        runs["floor"].append(wrk(floor_port, floor_lines(page), args.seconds, args.connections,
                                                 args.threads, tmp, web_processes(floor_pid), servers))
                    runs["product"].append(wrk(args.port, lines, args.seconds, args.connections, args.threads, tmp,
                                               web_processes(product_pid), servers))
                ceiling = best(runs["ceiling"])
                for side, run in ((side, best(found)) for side, found in runs.items() if found):
                    ratio = f"{run.requests_per_s / ceiling.requests_per_s:>12.0%}" if side != "ceiling" \
                        else " " * 12
                    cpu_ratio = f"{ceiling.cpu_ms / run.cpu_ms:>11.0%}" if side != "ceiling" and run.cpu_ms else ""
                    where = f"{run.web_ms:>7.2f}{run.db_ms:>7.2f}" if side != "ceiling" else " " * 14
                    print(f"{page.label if side == 'ceiling' else '':<40}{side:>9}{page.size:>8}"
                          f"{run.requests_per_s:>9.0f}{run.p50:>9.1f}{run.p95:>9.1f}{run.p99:>9.1f}"
                          f"{run.errors:>8}{ratio}{run.cpu_ms:>12.2f}{where}{cpu_ratio}")
            print("(status 302 pages are compared with a ceiling that parses the form and redirects)")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
