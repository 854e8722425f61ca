"""The layout's parts built once (app/navigation.py): the head's stylesheets and script, filled with each page's
nonce; and the macros the layout calls, served as globals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

import app.assets
import app.navigation
from app import create_app
from app.extensions import db
from app.navigation import HEAD, layout_head

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
