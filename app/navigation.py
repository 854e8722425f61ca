"""The header's navigation and account links. Each package registers its own entries, so the core never needs
to know the packages built on it. And the parts of the layout that are the same on every page they are on: the
footer, and the header of someone not signed in (or of a preview), built once per address root and kept with the
memoized components (app/rendering.py): building their params in the layout, with an address or two from url_for,
cost more than the cached macro call itself. The header of someone signed in is built once per set of navigation
links, with holes for the person's name and the sign-out form's CSRF token (app/rendering.py, 4.)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.assets import fingerprint_of
from app.models import Role, User
from app.rendering import Uncacheable, fill, freeze, holes, split_at_holes

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


# What Flask-WTF's signed tokens are made of (itsdangerous: URL-safe base64 and dots): url_for leaves them as they are.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.-]+")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # where Jinja's `indent` (str.splitlines) breaks


def signed_in_header() -> Markup:
    """The header of someone signed in: the service's name, their navigation, their name and a sign-out form.

    Only the name and the sign-out form's CSRF token change from one person or second to the next (Flask-WTF's token
    holds the time it was signed), so the header is rendered once per address root and set of navigation links
    (which follow from the person's roles and the page), with a hole for each, and kept with the memoized
    components; each page fills the holes, escaped, and they are never kept. Keyed on the name and the token, as
    it was, the header was built again on nearly every request and the cache took a new entry per person a second.
    A name the macro would trim or re-indent inside (a line break), or a token url_for would quote, gets the real
    macro, uncached."""
    env = current_app.jinja_env
    memo = env.globals["memoized_component"]
    nav = navigation_items()
    name, token = current_user.name, generate_csrf()
    service = current_app.config["SERVICE_NAME"]
    fits = isinstance(name, str) and name.strip() and not _LINE_BREAK.search(name) and _URL_SAFE.fullmatch(token)
    try:
        key = ("layout signed-in header", service, request.script_root, freeze(nav)) if fits else None
    except Uncacheable:
        key = None
    if key is None:
        logout = url_for("auth.logout", csrf_token=token)
        return memo.original("header")(_header_params(service, nav, name, logout))  # type: ignore[no-any-return]

    def build() -> tuple[Markup, ...]:
        name_hole, token_hole = holes(2)
        logout = url_for("auth.logout", csrf_token="T")
        if not logout.endswith("csrf_token=T"):
            raise RuntimeError(f"the sign-out address {logout} does not end with its token")
        params = _header_params(service, nav, name_hole, logout[:-1] + str(token_hole))
        return split_at_holes(memo.original("header")(params), 2)

    return fill(memo.cached(key, build), [name.strip(), token])


def _header_params(service: str, nav: list[dict[str, Any]], name: str, logout: str) -> dict[str, Any]:
    return {
        "service": {"text": service, "href": url_for("home.index")},
        "account": {"items": [{"text": name, "icon": True}, {"text": "Sign out", "action": logout}]},
        "navigation": {"items": nav} if nav else current_app.jinja_env.undefined(),
    }


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


def page_shell_key() -> tuple[str, ...]:
    """What the layout around a visitor's page follows from (app/rendering.py, 5.): the service's name, and what the
    visitor's header, the head and the footer are kept under."""
    return (current_app.config["SERVICE_NAME"], request.script_root, fingerprint_of("nhsuk"),
            fingerprint_of("static", "open360.css"))


def footer() -> Markup:
    """Every page's footer: the accessibility statement and how information is used."""
    return current_app.jinja_env.globals["memoized_component"].fragment(  # type: ignore[no-any-return,attr-defined]
        ("layout footer", request.script_root), "footer",
        lambda: {"meta": {"items": [{"href": url_for("home.accessibility"), "text": "Accessibility statement"},
                                    {"href": url_for("home.privacy"), "text": "How your information is used"}]},
                 "copyright": {"text": "Open360 – open-source software"}})
