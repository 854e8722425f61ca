"""The layout's parts built once (app/navigation.py): the head's stylesheets and script, filled with each page's
nonce; and the macros the layout calls, served as globals."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import itsdangerous.timed
import pytest
from flask import Flask
from flask_login import login_user

import app.assets
import app.navigation
from app import create_app
from app.extensions import db
from app.models import Role, User
from app.navigation import HEAD, layout_head
from tests.fixtures.people import signed_in

_NONCES = re.compile(r'nonce="([^"]+)"')


def _app(tmp_path: Path) -> Flask:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    with app.app_context():
        db.create_all()
    return app


def test_the_head_is_the_macro_s_own_with_each_page_s_nonce_never_kept(tmp_path: Path) -> None:
    flask_app = _app(tmp_path)
    client = flask_app.test_client()
    first, second = (client.get("/accessibility").get_data(as_text=True) for _ in range(2))
    nonces = [_NONCES.findall(page) for page in (first, second)]
    # Each page's own nonce, in the head's script and the frame's, and in its policy.
    assert all(len(set(found)) == 1 for found in nonces) and nonces[0][0] != nonces[1][0]
    with flask_app.test_request_context("/accessibility"):
        macro = flask_app.jinja_env.get_template(HEAD).module.layout_head  # type: ignore[attr-defined]
        assert layout_head("n<&>") == macro("n<&>")  # escaped as the template escapes it
        assert 'nonce="n&lt;&amp;&gt;"' in layout_head("n<&>")
        assert layout_head(nonces[1][0]) in second
    cache = flask_app.jinja_env.globals["memoized_component"]
    kept = "".join(str(value) for value in cache._entries.values())  # type: ignore[attr-defined]
    assert "initAll" in kept and not any(nonce[0] in kept for nonce in nonces) and "n&lt;" not in kept


def test_an_edited_stylesheet_gets_its_new_address_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flask_app = _app(tmp_path)
    real = app.assets.fingerprint_of
    with flask_app.test_request_context("/"):
        before = layout_head("n")
        edited = lambda kind, filename="": "edited1234ab" if kind == "static" else real(kind, filename)  # noqa: E731
        monkeypatch.setattr(app.assets, "fingerprint_of", edited)
        monkeypatch.setattr(app.navigation, "fingerprint_of", edited)
        after = layout_head("n")
    assert "/static-edited1234ab/open360.css" in after and "edited1234ab" not in before


def test_the_layout_s_macros_are_the_ones_an_import_gives(tmp_path: Path) -> None:
    env = _app(tmp_path).jinja_env
    for folder, macro, name in (("header", "header", "nhsukHeader"), ("back-link", "backLink", "backLink"),
                                ("error-summary", "errorSummary", "errorSummary")):
        imported = env.from_string(f'{{% from "nhsuk/components/{folder}/macro.jinja" import {macro} as m %}}'
                                   "{{ m is sameas g }}")
        assert imported.render(g=env.globals[name]) == "True"


# --- The signed-in header: built once per set of navigation links, with holes for the name and the CSRF token -------

_HEADER = re.compile(r"<header.*?</header>", re.DOTALL)
_TOKEN = re.compile(r"csrf_token=([^\"&]+)")
# The layout's header as it was written before it had holes: the design system's macro with this person's params.
_AS_THE_MACRO_WROTE_IT = """{% set nav = navigation_items() %}{{ nhsukHeader({
    "service": {"text": config.SERVICE_NAME, "href": url_for("home.index")},
    "account": {"items": [{"text": name, "icon": True},
                          {"text": "Sign out", "action": url_for("auth.logout", csrf_token=token)}]},
    "navigation": {"items": nav} if nav else undefined
  }) }}"""


class _SigningClock:
    """The time Flask-WTF's tokens are signed with (itsdangerous reads time.time()), set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_800_000_000
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _signer: self.now)


def _as_the_macro_wrote_it(flask_app: Flask, user: User, path: str, token: str) -> list[str]:
    with flask_app.test_request_context(path):
        login_user(user)
        return _HEADER.findall(flask_app.jinja_env.from_string(_AS_THE_MACRO_WROTE_IT).render(name=user.name,
                                                                                                 token=token))


def _kept(flask_app: Flask) -> str:
    return "".join(str(value) for value in flask_app.jinja_env.globals["memoized_component"]._entries.values())  # type: ignore[attr-defined]


def test_the_signed_in_header_is_not_built_again_when_the_token_s_second_changes(
        app: Flask, owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _SigningClock(monkeypatch)
    client = signed_in(app, owner)
    cache = app.jinja_env.globals["memoized_component"]
    first = client.get("/accessibility").get_data(as_text=True)
    entries, misses = len(cache), cache.misses
    clock.now += 1
    second = client.get("/accessibility").get_data(as_text=True)
    assert (len(cache), cache.misses) == (entries, misses)  # no new entry, nothing rendered again
    tokens = [_TOKEN.findall(page)[0] for page in (first, second)]
    kept = _kept(app)  # before the real macro below keeps its own params
    assert tokens[0] != tokens[1] and not any(token in kept for token in tokens)
    assert "Olivia Owner" not in kept and 'class="nhsuk-header' in kept
    for page, token in zip((first, second), tokens, strict=True):
        assert _HEADER.findall(page) == _as_the_macro_wrote_it(app, owner, "/accessibility", token)


@pytest.mark.parametrize("name", ['Ann <b>"O\'Neil" & co</b>', "  Ann Lee  ", "Ann\nLee", "Ann\u2028Lee"])
def test_the_signed_in_header_shows_the_name_escaped_as_the_macro_did(
        app: Flask, create_user: Callable[..., User], name: str) -> None:
    user = create_user(Role.OWNER, Role.ADMIN, name=name)
    page = signed_in(app, user).get("/accessibility").get_data(as_text=True)
    assert name.strip() not in _kept(app) and "Ann" not in _kept(app)
    assert _HEADER.findall(page) == _as_the_macro_wrote_it(app, user, "/accessibility", _TOKEN.findall(page)[0])
    assert "<b>" not in _HEADER.findall(page)[0]
