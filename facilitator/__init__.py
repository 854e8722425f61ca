"""The facilitated session (PRODUCT §5, §6): assignment, the facilitator's portal, question prompts, the session
record, the conversation summary, the development profile and plan, and the owner's evaluation.

It sits above reports: it tells reports who facilitates whom (reports.hooks) and adds to the owner's round page
through surveys.hooks, so neither imports this package."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.accounts.operations import on_deactivation, on_role_removal
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from app.owner_data import count_held, on_account_deletion, register_export_part
    from facilitator import jobs, mails, operations, prompts, prompts_editor, rights
    from facilitator.operations import ReportPeople
    from facilitator.round_page import approvers_for, notes_for, plan_links_for, steps_for
    from facilitator.views import bp
    from reports.hooks import provide_report_people
    from surveys.hooks import (
        on_round_deletion,
        provide_approvers,
        provide_cycle_links,
        provide_report_held,
        provide_round_notes,
        provide_step_links,
    )
    from surveys.questionnaire_store import Kind, register_kind
    from surveys.signals import round_closed

    app.register_blueprint(bp)
    register_kind(Kind("prompts", "Session prompts", "PROMPTS_VERSION", lambda v: f"prompts-{v}.yaml",
                       prompts.shipped_files, prompts.check_upload, pinned_to_rounds=False,
                       edit_endpoint="prompt_editor.edit"))
    app.register_blueprint(prompts_editor.bp)
    provide_report_people(ReportPeople())
    provide_step_links(steps_for)
    provide_round_notes(notes_for)
    provide_approvers(approvers_for)
    provide_cycle_links(plan_links_for)
    provide_report_held(operations.held_cycle)
    on_tick(jobs.tick)
    on_deactivation(operations.end_assignments, operations.what_ending_assignments_does)
    on_role_removal(Role.FACILITATOR, operations.end_assignments)
    round_closed.connect(mails.tell_facilitator_of_no_responses)
    register_export_part(rights.ASSIGNMENT)
    register_export_part(rights.SESSIONS)
    on_round_deletion(rights.forget_round_mail, rights.what_round_deletion_removes)
    on_account_deletion(rights.forget_owner_mail, rights.what_account_deletion_removes)
    count_held(rights.held_by_name)
    register_nav("Your owners", "facilitator.portal", Role.FACILITATOR)
    register_nav("Rater lists to confirm", "surveys.lists_to_confirm", Role.FACILITATOR,
                 when=lambda person: person.organisation.requires_nomination_approval)
    register_nav("Development plan", "facilitator.profile", Role.OWNER)
    register_nav("Shared plans", "facilitator.shared", Role.MANAGER)
    register_nav("Facilitators", "facilitator.assignments", Role.ADMIN, Role.LOCAL_LEAD)
    register_nav("Evaluations", "facilitator.evaluations", Role.ADMIN)
