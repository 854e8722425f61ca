"""Readying a web process before it serves (gunicorn.conf.py calls `warm_up` in each worker, PRODUCT §8, issue 16).

The sign-in page's slowest requests under load (p99 of 620–830 ms against a p50 of 61 ms) were the first ones each
process served: a fresh process compiles every template a page needs on its first request (0.4 s for the sign-in
page, on this machine), and every request that arrives meanwhile waits behind it. The other tail was the garbage
collector: a full collection walks every object in the process, some 200 000 after start-up (the app, SQLAlchemy,
the compiled templates), holding every thread of the process for about 100 ms. Compiled once before the first
request, and then frozen out of the collector's sight (gc.freeze: they live as long as the process anyway), neither
costs a request anything.
"""

from __future__ import annotations

import gc

from flask import Flask

TEMPLATE_SUFFIXES = (".html", ".jinja", ".txt")


def compile_templates(app: Flask) -> int:
    """Compile every template the app can load (its own, its blueprints', the design system's); how many."""
    env = app.jinja_env
    count = 0
    try:
        names = env.list_templates()
    except TypeError:  # a loader that cannot list its templates (bench/ceiling.py's): each compiles when first used
        return 0
    for name in names:
        if name.endswith(TEMPLATE_SUFFIXES):
            env.get_template(name)
            count += 1
    return count


def warm_up(app: Flask) -> int:
    count = compile_templates(app)
    gc.collect()
    gc.freeze()  # what start-up made is kept for the process's life: full collections need not walk it
    return count
