"""The header's navigation and account links. Each package registers its own entries, so the core never needs
to know the packages built on it. And the parts of the layout that are the same on every page they are on: the
footer, and the header of someone not signed in (or of a preview), built once per address root and kept with the
memoized components (app/rendering.py): building their params in the layout, with an address or two from url_for,
cost more than the cached macro call itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.assets import fingerprint_of
from app.models import Role, User
from app.rendering import fill, holes, split_at_holes

HEAD = "macros/layout_head.html"


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
    # The person and their roles once, not through Flask-Login's proxy and a new set of roles for each entry (twice
    # a dozen times a signed-in page).
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.is_authenticated:
        return []
    roles, items = user.roles, []
    for entry in _entries:
        if entry.roles & roles and (entry.when is None or entry.when(user)):
            href = url_for(entry.endpoint)
            items.append({"text": entry.text, "href": href, "current": request.path == href})
    return items


def account_items() -> list[dict[str, Any]]:
    return [
        {"text": current_user.name, "icon": True},
        {"text": "Sign out", "action": url_for("auth.logout", csrf_token=generate_csrf())},
    ]


def visitor_header() -> Markup:
    """The header without an account or navigation: the service's name, linking to its home page."""
    env = current_app.jinja_env
    name = current_app.config["SERVICE_NAME"]
    return env.globals["memoized_component"].fragment(  # type: ignore[no-any-return,attr-defined]
        ("layout header", name, request.script_root), "header",
        lambda: {"service": {"text": name, "href": url_for("home.index")}, "account": env.undefined(),
                 "navigation": env.undefined()})


def layout_head(nonce: str) -> Markup:
    """The layout's stylesheets and script: their addresses follow from the address root and the files' versions
    (app/assets.py), and only the script's nonce changes from page to page, so it goes in a hole (app/rendering.py,
    4.) and is never kept."""
    env = current_app.jinja_env
    key = ("layout head", request.script_root, fingerprint_of("nhsuk"), fingerprint_of("static", "open360.css"))
    pieces = env.globals["memoized_component"].cached(  # type: ignore[attr-defined]
        key, lambda: split_at_holes(env.get_template(HEAD).module.layout_head(*holes(1)), 1))  # type: ignore[attr-defined]
    return fill(pieces, [nonce])


def footer() -> Markup:
    """Every page's footer: the accessibility statement and how information is used."""
    return current_app.jinja_env.globals["memoized_component"].fragment(  # type: ignore[no-any-return,attr-defined]
        ("layout footer", request.script_root), "footer",
        lambda: {"meta": {"items": [{"href": url_for("home.accessibility"), "text": "Accessibility statement"},
                                    {"href": url_for("home.privacy"), "text": "How your information is used"}]},
                 "copyright": {"text": "Open360 – open-source software"}})
