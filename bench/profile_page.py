"""One page's cost, request by request, in-process (issue 16): where a rater's page spends its time.

Run: .venv/bin/python bench/profile_page.py                  (the rater area page; cProfile's top 40 by own time)
     .venv/bin/python bench/profile_page.py --page sign-in --sort cumulative
     .venv/bin/python bench/profile_page.py --page dashboard      (the owner of a round of 200 raters)
     .venv/bin/python bench/profile_page.py --page static         (a floor: the layout around fixed text)

Seeds the same database as bench/pages.py (without the submit rounds) under the embedded default's settings, warms
the app as a web process is warmed (app/warmup.py) and with 30 requests, then times `--requests` requests by CPU
time of this thread (steadier than the clock on a shared machine: best of five) and profiles as many more. Load
generators measure throughput; this measures what one request costs and where.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.warmup import warm_up  # noqa: E402
from bench.pages import USER_AGENT, seed, signed_in_client  # noqa: E402
from surveys.answers import field_name  # noqa: E402
from surveys.models import Cycle  # noqa: E402


def requests(page: str, folder: Path) -> Callable[[], int]:
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/profile.sqlite3"})
    with app.app_context():
        db.create_all()
        seeded = seed(0, random.Random(360))
        questionnaire = Cycle(questionnaire_version=app.config["QUESTIONNAIRE_VERSION"]).questionnaire()
    warm_up(app)  # as each gunicorn worker is before its first request
    rater, done = app.test_client(), app.test_client()
    rater.environ_base["HTTP_USER_AGENT"] = done.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    base = rater.get(f"/r/{seeded.area_tokens[0]}", follow_redirects=True).request.path
    done_base = done.get(f"/r/{seeded.check_tokens[0]}", follow_redirects=True).request.path
    owner, reader = signed_in_client(app, seeded.owner_email), signed_in_client(app, seeded.report_owner_email)
    keys = [s.key for sub in questionnaire.areas[0].sub_areas for s in sub.statements]
    answers = {**{field_name(k): "4" for k in keys}, "action": "continue"}
    calls: dict[str, Callable[[], int]] = {
        "area": lambda: rater.get(f"{base}/area/1").status_code,
        "save": lambda: rater.post(f"{base}/area/1", data=answers).status_code,
        "check": lambda: done.get(f"{done_base}/check").status_code,
        "sign-in": lambda: app.test_client().get("/sign-in").status_code,
        "health": lambda: app.test_client().get("/healthz").status_code,
        "static": lambda: app.test_client().get("/accessibility").status_code,
        # The signed-in floor: the same static page for an owner (session, loading the person, the signed-in header).
        "signed-in": lambda: owner.get("/accessibility").status_code,
        "dashboard": lambda: owner.get("/round").status_code,
        "raters": lambda: owner.get("/round/raters").status_code,
        "report": lambda: reader.get(f"/reports/{seeded.report_id}").status_code,
    }
    return calls[page]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--page", default="area", choices=["area", "save", "check", "sign-in", "health", "static",
                                                           "signed-in", "dashboard", "raters", "report"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key: tottime, cumulative, …")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        call = requests(args.page, Path(folder))
        for _ in range(30):
            status = call()
        assert status in (200, 302), f"{args.page}: {status}"
        best = min(_cpu_per_request(call, args.requests) for _ in range(5))
        print(f"{args.page}: {best:.2f} ms of CPU a request (in-process test client, best of 5 × {args.requests})")
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        for _ in range(args.requests):
            call()
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


def _cpu_per_request(call: Callable[[], int], count: int) -> float:
    started = time.thread_time()
    for _ in range(count):
        call()
    return (time.thread_time() - started) * 1000 / count


if __name__ == "__main__":
    main()
