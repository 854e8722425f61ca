"""The header's navigation and account links. Each package registers its own entries, so the core never needs
to know the packages built on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.models import Role, User


@dataclass(frozen=True)
class NavEntry:
    text: str
    endpoint: str
    roles: frozenset[Role]
    # Shown only to whom this says it serves (None: everyone with the role): no link to a step nobody asks of them.
    when: Callable[[User], bool] | None = None


_entries: list[NavEntry] = []


def register_nav(text: str, endpoint: str, *roles: Role, when: Callable[[User], bool] | None = None) -> None:
    entry = NavEntry(text, endpoint, frozenset(roles), when)
    if entry not in _entries:
        _entries.append(entry)


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for entry in _entries:
        if entry.roles & current_user.roles and (entry.when is None or entry.when(current_user)):
            href = url_for(entry.endpoint)
            items.append({"text": entry.text, "href": href, "current": request.path == href})
    return items


def account_items() -> list[dict[str, Any]]:
    return [
        {"text": current_user.name, "icon": True},
        {"text": "Sign out", "action": url_for("auth.logout", csrf_token=generate_csrf())},
    ]
