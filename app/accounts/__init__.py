"""Accounts: administrators' organisations and people, local leads' facilitators and owners, one-time links to set
a password (invitations and resets)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.accounts import mails  # noqa: F401  (importing mails registers the mail renderers)
    from app.accounts.views import bp
    from app.models import Role
    from app.navigation import register_nav

    app.register_blueprint(bp)
    register_nav("Organisations", "accounts.organisations", Role.ADMIN)
    register_nav("People", "accounts.my_people", Role.LOCAL_LEAD)
