"""Local leads' aggregate usage figures, their suppression rules and the quarterly usage report. It reads counts from
every other package; nothing imports it but create_app()."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from usage import jobs, mails  # noqa: F401  (importing mails registers the mail renderer)
    from usage.reads import init_reads
    from usage.views import bp

    app.register_blueprint(bp)
    init_reads(app)
    on_tick(jobs.tick)
    register_nav("Usage", "usage.index", Role.LOCAL_LEAD)
