"""The feedback round: questionnaire, preparation document, self-assessment, raters and the rater survey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from surveys import clock, mails  # noqa: F401  (importing mails registers the mail renderers)
    from surveys.views import bp

    app.register_blueprint(bp)
    on_tick(clock.tick)
    register_nav("Your feedback round", "surveys.dashboard", Role.OWNER)
    register_nav("Organisation statements", "surveys.org_statements", Role.ADMIN)
