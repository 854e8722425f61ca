"""The facilitated session (PRODUCT §5, §6): assignment, the facilitator's portal, question prompts, the session
record, the conversation summary, the development profile and plan, and the owner's evaluation.

It sits above reports: it tells reports who facilitates whom (reports.hooks) and adds to the owner's round page
through surveys.hooks, so neither imports this package."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from facilitator import jobs, mails  # noqa: F401  (importing mails registers the mail renderers)
    from facilitator.operations import ReportPeople
    from facilitator.round_page import notes_for, steps_for
    from facilitator.views import bp
    from reports.hooks import provide_report_people
    from surveys.hooks import provide_round_notes, provide_step_links

    app.register_blueprint(bp)
    provide_report_people(ReportPeople())
    provide_step_links(steps_for)
    provide_round_notes(notes_for)
    on_tick(jobs.tick)
    register_nav("Your owners", "facilitator.portal", Role.FACILITATOR)
    register_nav("Development plan", "facilitator.profile", Role.OWNER)
    register_nav("Shared plans", "facilitator.shared", Role.MANAGER)
    register_nav("Facilitators", "facilitator.assignments", Role.ADMIN, Role.LOCAL_LEAD)
    register_nav("Evaluations", "facilitator.evaluations", Role.ADMIN)
