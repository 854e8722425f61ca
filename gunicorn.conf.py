"""gunicorn's settings for Open360, read by gunicorn whenever it starts in this directory (or with `-c` this file).

Threaded workers: a sync worker serves one connection at a time, so ten clients that send their request slowly
(a phone on a poor signal, or someone doing it on purpose) took every sync worker and the site for 20 s. A threaded
worker keeps serving others while some threads wait. That only raises the bar: in production a buffering reverse
proxy (nginx, see the README) stands in front and passes on only complete requests.
"""

import os

from config.base import web_threads

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = web_threads(os.environ)
timeout = 30  # a request that takes longer than this is a fault: its worker is restarted
graceful_timeout = 30
keepalive = 5


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Before a worker takes its first request: templates compiled, start-up objects out of the collector's way
    (app/warmup.py says why: the sign-in page's slowest requests were these)."""
    from app.warmup import warm_up

    warm_up(worker.wsgi)
