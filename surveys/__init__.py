"""The feedback round: questionnaire, preparation document, self-assessment, raters and the rater survey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from app.owner_data import on_account_deletion, provide_account_rows, register_export_part
    from surveys import clock, mails, rights  # noqa: F401  (importing mails registers the mail renderers)
    from surveys.cli import purge_command
    from surveys.views import bp

    app.register_blueprint(bp)
    on_tick(clock.tick)
    register_export_part(rights.EXPORT)
    on_account_deletion(rights.delete_owner_rounds, rights.describe_account_deletion)
    provide_account_rows(rights.account_rows)
    app.cli.add_command(purge_command)
    register_nav("Your feedback round", "surveys.dashboard", Role.OWNER)
    register_nav("Your rounds", "surveys.rounds", Role.OWNER)
    register_nav("Organisation statements", "surveys.org_statements", Role.ADMIN)
