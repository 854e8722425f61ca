"""After the conversation (PRODUCT §10): the change since the owner's last report, the next round starting where the
last ended, and review-date nudges.

It sits above facilitator and reports and reads both; nothing below imports it. It adds to the report through
reports.hooks and to the round through surveys.hooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from followup import change, checkin, last_goals, mails, reviews  # noqa: F401  (mails registers its renderer)
    from followup.views import bp
    from reports.hooks import provide_report_content
    from surveys.hooks import on_round_deletion, provide_preparation_context

    app.register_blueprint(bp)
    provide_report_content(change.change_content, change.change_section)
    on_round_deletion(change.forget_earlier_round, change.what_round_deletion_removes)
    provide_preparation_context(last_goals.last_goals)
    on_round_deletion(reviews.forget_round_mail)
    on_tick(reviews.tick)
    register_nav("Review dates", "followup.review_dates", Role.FACILITATOR)
    checkin.init_app(app)
