"""What every request pays (app/pipeline.py): each shortcut gives the library's own answer."""

from __future__ import annotations

import flask.app
import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from app.models import User
from app.pipeline import Open360Flask, SessionCookies
from tests.fixtures.people import signed_in


def test_each_hook_is_asked_once_whether_it_is_a_coroutine(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda func: asked.append(func) or real(func))
    client = app.test_client()
    client.get("/accessibility")
    first = len(asked)
    client.get("/accessibility")
    assert first > 0 and len(asked) == first


def test_a_coroutine_function_is_still_refused_without_asgiref() -> None:
    app = Open360Flask(__name__)

    async def view() -> str:
        return "never"

    for _ in range(2):  # not kept: asked again, and refused again
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)


def _cookie_app(interface: SecureCookieSessionInterface, key: str = "first key") -> Flask:
    app = Flask(__name__)
    app.secret_key = key
    app.session_interface = interface

    @app.route("/set/<value>")
    def set_value(value: str) -> str:
        session["value"] = value
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return str(session.get("value"))

    return app


def test_session_cookies_read_what_flask_writes_and_the_other_way_round() -> None:
    ours, flasks = _cookie_app(SessionCookies()), _cookie_app(SecureCookieSessionInterface())
    for writer, reader in ((ours, flasks), (flasks, ours), (ours, ours)):
        browser = writer.test_client()
        browser.get("/set/kept")
        cookie = browser.get_cookie("session")
        assert cookie is not None
        other = reader.test_client()
        other.set_cookie("session", cookie.value)
        assert other.get("/get").get_data(as_text=True) == "kept"


def test_a_changed_key_refuses_old_cookies_unless_it_is_a_fallback() -> None:
    interface = SessionCookies()
    app = _cookie_app(interface)
    browser = app.test_client()
    browser.get("/set/kept")
    app.secret_key = "second key"
    assert browser.get("/get").get_data(as_text=True) == "None"
    app.config["SECRET_KEY_FALLBACKS"] = ["first key"]
    browser.get("/set/kept")  # written with the second key
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "third key", ["second key"]
    assert browser.get("/get").get_data(as_text=True) == "kept"


def test_a_tampered_or_absent_cookie_is_an_empty_session() -> None:
    app = _cookie_app(SessionCookies())
    browser = app.test_client()
    assert browser.get("/get").get_data(as_text=True) == "None"
    browser.set_cookie("session", "eyJ2YWx1ZSI6ImZvcmdlZCJ9.forged.signature")
    assert browser.get("/get").get_data(as_text=True) == "None"


def test_nobody_signed_in_varies_by_cookie_as_before(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/accessibility")
    assert response.status_code == 200 and "Cookie" in response.headers.get("Vary", "")
    assert "Sign out" not in response.get_data(as_text=True)


def test_a_signed_in_session_from_another_browser_is_nobody(app: Flask, owner: User) -> None:
    browser = signed_in(app, owner)
    assert "Sign out" in browser.get("/accessibility").get_data(as_text=True)
    copied = app.test_client()
    copied.environ_base["HTTP_USER_AGENT"] = "another browser"
    cookie = browser.get_cookie("session")
    assert cookie is not None
    copied.set_cookie("session", cookie.value)
    assert "Sign out" not in copied.get("/accessibility").get_data(as_text=True)  # "strong" session protection
    assert "Sign out" in browser.get("/accessibility").get_data(as_text=True)


def test_the_signing_serializer_is_built_once_per_key(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = SecureCookieSessionInterface.get_signing_serializer
    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer",
                        lambda self, app: built.append(app.secret_key) or real(self, app))
    app = _cookie_app(SessionCookies())
    browser = app.test_client()
    for value in ("a", "b", "c"):
        browser.get(f"/set/{value}")
        browser.get("/get")
    app.secret_key = "second key"
    browser.get("/set/d")
    assert built == ["first key", "second key"]


def test_the_health_check_reads_without_a_session_and_reports_the_database_down(
        client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    import app.db
    from app.extensions import db

    db.session.remove()
    assert client.get("/healthz").json["database"] == "ok"
    assert not db.session.registry.has()  # no ORM session was made for it

    def down(*_args: object) -> None:
        raise sa.exc.OperationalError("SELECT", {}, Exception("unreachable"))

    monkeypatch.setattr(app.db, "read_row", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "down"
