"""The feedback report: anonymity rules, scoring, charts, the sealed HTML/PDF report and who may read it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.cli import on_key_rotation
    from app.models import Role
    from app.navigation import register_nav
    from app.owner_data import register_export_part
    from reports import jobs, mails, rights  # noqa: F401  (importing mails registers the mail renderer)
    from reports.cli import reports_cli
    from reports.views import bp, report_link_for
    from surveys.hooks import on_round_deletion, provide_cycle_links
    from surveys.signals import round_closed

    app.register_blueprint(bp)
    app.cli.add_command(reports_cli)
    register_export_part(rights.EXPORT)
    on_round_deletion(rights.forget_round_mail, rights.what_round_deletion_removes)
    on_round_deletion(rights.forget_round_files)
    on_key_rotation(jobs.rewrap_report_keys)
    round_closed.connect(jobs.enqueue_build_on_close)
    provide_cycle_links(report_link_for)
    register_nav("Reports", "reports.index", Role.FACILITATOR, Role.MANAGER)
