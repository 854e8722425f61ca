"""The page shell (app/rendering.py, 5.): a visitor's page is the layout built once per page template, with holes for
the page's blocks and the nonce, filled at each page. Pages are byte for byte those of the full render, what goes in
a hole is escaped, and what is kept holds neither the page's own text nor the nonce."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, flash, g, render_template

from app import create_app
from app.extensions import db
from surveys.categories import Category
from surveys.questionnaire import for_round

SECRET_NAME = "Ada <b>&amp; \"Lovelace\"</b>"


def _apps(tmp_path: Path) -> tuple[Flask, Flask]:
    made = []
    for shell in (True, False):
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'{shell}.sqlite3'}",
                                  "TEMPLATE_PAGE_SHELL": shell})
        with app.app_context():
            db.create_all()
        made.append(app)
    return made[0], made[1]


def _render(app: Flask, template: str, nonce: str = "n<&>\"", message: str | None = None, **values: Any) -> str:
    with app.test_request_context("/feedback/decline"):
        app.preprocess_request()  # who is signed in: nobody
        g.csp_nonce = nonce
        if message:
            flash(message)
        return render_template(template, **values)


def _shells(app: Flask) -> list[Any]:
    cache = app.jinja_env.globals["memoized_component"]
    return [value for key, value in cache._entries.items() if key[0] == "page shell"]  # type: ignore[attr-defined]


def test_a_visitor_s_page_is_the_full_render_s_byte_for_byte_and_keeps_nothing_of_its_own(tmp_path: Path) -> None:
    shell_app, full_app = _apps(tmp_path)
    values = {"owner": SimpleNamespace(name=SECRET_NAME), "category": Category.PEER}
    for nonce in ("first-nonce", "n<&>\""):  # the second from the shell already built
        page = _render(shell_app, "surveys/rater/decline.html", nonce, **values)
        assert page == _render(full_app, "surveys/rater/decline.html", nonce, **values)
    assert _shells(shell_app), "the page was not rendered into its shell"
    assert 'nonce="n&lt;&amp;&gt;&#34;"' in page and "Ada &lt;b&gt;&amp;amp; &#34;Lovelace&#34;&lt;/b&gt;" in page
    assert "<title>Do not give feedback – " in page
    kept = "".join(str(piece) for shell in _shells(shell_app) for piece in shell[0])
    assert "Lovelace" not in kept and "first-nonce" not in kept and "n&lt;" not in kept
    assert 'nonce="">' in kept  # a hole where the nonce goes
    assert "</html>" in kept  # the layout itself is what is kept
    assert not _shells(full_app)


def test_a_message_an_error_or_a_preview_takes_the_full_render(tmp_path: Path) -> None:
    shell_app, full_app = _apps(tmp_path)
    values = {"owner": SimpleNamespace(name=SECRET_NAME), "category": Category.PEER}
    for app in (shell_app, full_app):
        _render(app, "surveys/rater/decline.html", **values)  # the shell exists before each case
    cases: list[tuple[str | None, dict[str, Any]]] = [
        ("You have <signed> out.", {}),
        (None, {"preview": {"title": "Preview", "text": "As a rater sees it"}}),
        (None, {"error": "Your <round> has closed", "answers": {}, "comments": {}, "incomplete": 1,
                "questionnaire": for_round(shell_app.config["QUESTIONNAIRE_VERSION"], [])}),
    ]
    for message, extra in cases:
        template = "surveys/rater/check.html" if "error" in extra else "surveys/rater/decline.html"
        pages = [_render(app, template, message=message, **{**values, **extra}) for app in (shell_app, full_app)]
        assert pages[0] == pages[1]
        assert ("You have &lt;signed&gt; out." in pages[0]) == bool(message)
    assert "Error: Check your answers" in pages[0] and "Your &lt;round&gt; has closed" in pages[0]


def test_every_public_page_is_the_same_with_and_without_the_shell(tmp_path: Path) -> None:
    shell_app, full_app = _apps(tmp_path)
    for path in ("/accessibility", "/privacy", "/sign-in", "/feedback/thank-you", "/r/not-a-token", "/nowhere"):
        pages = []
        for app in (shell_app, full_app):
            client = app.test_client()
            client.get(path)  # built, then served from the shell
            pages.append(_masked(client.get(path).get_data(as_text=True)))
        assert pages[0] == pages[1], path
    assert len(_shells(shell_app)) >= 5


def _masked(page: str) -> str:
    page = re.sub(r'nonce="[^"]+"', 'nonce="N"', page)
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", page)
