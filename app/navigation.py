"""The header's navigation and account links, by role."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.models import Role


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items: list[tuple[str, str]] = []
    if current_user.has_role(Role.OWNER):
        items.append(("Your feedback round", url_for("surveys.dashboard")))
    if current_user.has_role(Role.ADMIN):
        items.append(("Organisation statements", url_for("surveys.org_statements")))
    return [{"text": text, "href": href, "current": request.path == href} for text, href in items]


def account_items() -> list[dict[str, Any]]:
    return [
        {"text": current_user.name, "icon": True},
        {"text": "Sign out", "action": url_for("auth.logout", csrf_token=generate_csrf())},
    ]
