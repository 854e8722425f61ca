"""Report build benchmark: figures, check and encryption for 10, 50 and 200 raters, in a warm worker, then the two
PDFs that the worker renders right after (the report is ready, and its owner told, before them).

Run: OPEN360_ENV=test .venv/bin/python bench/report_build.py
Pass a folder (bench/report_build.py /tmp/out) to also write each size's PDF there, to look at.
On a loaded machine the wall time is mostly waiting for a core; the CPU time is the build's own cost.
Prints the build time per size (after one warm-up build, so imports are done, as in a long-running worker; each size
built REPEATS times, best kept), the time to render the page from the sealed data (what a read costs), and the peak
memory of the process.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.timeutil import today
from reports.build import build_report, pdf_for, sealed_data
from reports.figures import Words
from reports.render import render_body
from surveys import operations, responses
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY
from surveys.rater_list import RaterEntry

REPEATS = 3
MIX = [Category.MANAGER] + [Category.PEER] * 4 + [Category.DIRECT_REPORT] * 4 + [Category.OTHER]


def closed_round(owner: User, raters: int, rng: random.Random):  # type: ignore[no-untyped-def]
    cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
    operations.add_raters(cycle, [RaterEntry(f"R {n}", f"r{n}.{owner.id}@bench.example", MIX[n % len(MIX)])
                                  for n in range(raters)])
    operations.open_round(cycle, today())
    keys = cycle.questionnaire().statement_keys()
    operations.save_self_answers(cycle, {k: rng.randint(2, 5) for k in keys})
    for invitation in cycle.invitations:
        responses.save_answers(invitation, {k: NOT_ABLE_TO_SAY if rng.random() < 0.08 else rng.randint(1, 5)
                                            for k in keys})
        responses.save_comments(invitation, {"strengths": "Clear and kind. " * rng.randint(1, 8)})
        responses.submit(invitation)
    cycle.state = operations.rules.close_early(cycle.state, raters)
    return cycle


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            org = Organisation(name="Bench", email_domains=["bench.example"])
            rng = random.Random(360)
            times: dict[int, float] = {}
            for size in (10, *(s for s in (10, 50, 200) for _ in range(REPEATS))):
                owner = User(organisation=org, email=f"owner{size}.{rng.random()}@bench.example", name="Bench Owner",
                             password_hash="x", role_rows=[UserRole(role=Role.OWNER)])
                db.session.add(owner)
                cycle = closed_round(owner, size, rng)
                unit.commit()
                started, cpu = time.perf_counter(), time.process_time()
                report = build_report(cycle)
                unit.commit()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                assert report is not None
                if not hasattr(main, "warmed"):
                    main.warmed = True  # type: ignore[attr-defined]
                    print(f"warm-up build (imports included): {elapsed:.2f} s")
                    continue
                times[size] = min(times.get(size, elapsed), elapsed)
                started, pdf_cpu = time.perf_counter(), time.process_time()
                pdf = pdf_for(report, "pdf")
                pdf_for(report, "pdf_reader")
                unit.commit()
                pdfs, pdf_cpu = time.perf_counter() - started, time.process_time() - pdf_cpu
                if out:
                    (out / f"report-{size}.pdf").write_bytes(pdf)
                started = time.perf_counter()
                data, content = sealed_data(report)
                render_body(data, content, Words(is_owner=True, name="Bench Owner"))
                page = time.perf_counter() - started
                print(f"{size:>4} raters: build {elapsed:.2f} s wall, {cpu:.2f} s CPU; then two PDFs "
                      f"{pdfs:.2f} s wall, {pdf_cpu:.2f} s CPU; page render at read {page * 1000:.0f} ms, "
                      f"peak memory so far {_rss_mb():.0f} MB")
            print(f"best of {REPEATS}: " + ", ".join(f"{s} raters {t:.2f} s" for s, t in times.items())
                  + f"; 200 / 10 = {times[200] / times[10]:.2f}")
    print(f"peak memory (whole process, ru_maxrss): {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
