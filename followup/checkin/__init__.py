"""Goal check-ins from raters (PRODUCT §10): at a review date (or sooner, if they choose) the owner asks people
they pick how each agreed goal is going; the answers are sealed, unlinkable and shown, once it closes, only where 3
or more people answered a goal, to the owner and their facilitator, beside the owner's own progress."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.owner_data import register_export_part
    from app.vacuum import keeps_rater_traces
    from followup.checkin import jobs, mails, rights  # noqa: F401  (importing mails registers the renderers)
    from followup.checkin.rules import signed
    from followup.checkin.views import bp, profile_links, profile_results
    from surveys.hooks import on_round_deletion

    app.register_blueprint(bp)
    keeps_rater_traces("checkin_raters", "checkin_responses", "checkin_links", "checkin_sessions", "outbound_mail")
    app.add_template_global(profile_results, "checkin_results")
    app.add_template_global(profile_links, "checkin_links")
    app.add_template_global(signed, "checkin_signed")
    on_tick(jobs.tick)
    register_export_part(rights.EXPORT)
    on_round_deletion(rights.forget_round_mail, rights.what_round_deletion_removes)
