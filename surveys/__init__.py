"""The feedback round: questionnaire, preparation document, self-assessment, raters and the rater survey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.clock import on_tick
    from app.models import Role
    from app.navigation import register_nav
    from app.owner_data import on_account_deletion, provide_account_rows, register_export_part
    from app.vacuum import keeps_rater_traces
    from surveys import clock, mails, questionnaire_admin, questionnaire_editor, rights  # noqa: F401  (importing mails registers the mail renderers)
    from surveys.cli import purge_command
    from surveys.questionnaire import shipped_files
    from surveys.questionnaire_rules import check_questionnaire
    from surveys.questionnaire_store import Kind, register_kind
    from surveys.views import bp

    app.register_blueprint(bp)
    keeps_rater_traces("invitations", "responses", "rater_drafts", "rater_links", "rater_sessions", "outbound_mail")
    register_kind(Kind("questionnaire", "Questionnaire", "QUESTIONNAIRE_VERSION", lambda v: f"ccl-{v}.yaml",
                       shipped_files, check_questionnaire, pinned_to_rounds=True,
                       edit_endpoint="questionnaires.edit"))
    from surveys import questionnaire_compare  # noqa: F401  (its routes join the versions blueprint)
    app.register_blueprint(questionnaire_admin.bp)
    on_tick(clock.tick)
    register_export_part(rights.EXPORT)
    on_account_deletion(rights.delete_owner_rounds, rights.describe_account_deletion,
                        rights.what_account_deletion_keeps)
    provide_account_rows(rights.account_rows)
    app.cli.add_command(purge_command)
    register_nav("Your feedback round", "surveys.dashboard", Role.OWNER)
    register_nav("Your rounds", "surveys.rounds", Role.OWNER)
    register_nav("Organisation statements", "surveys.org_statements", Role.ADMIN)
    register_nav("Questionnaires", "questionnaires.versions", Role.ADMIN)
