"""What every request pays before and after its view, made cheaper without changing what it does (issue 29).

Flask and its extensions redo per request some work whose answer cannot change between requests: whether each hook
is a coroutine function, the session cookie's signing serializer, the sign-in extension's hash of the client's
address and browser for a request that carries no session at all. Each class here keeps the library's behaviour
exactly and skips only that repetition; tests/app/test_pipeline.py holds each one to the library's own answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_login import LoginManager
from flask_login.config import AUTH_HEADER_NAME, COOKIE_NAME
from flask_login.signals import user_accessed
from itsdangerous import URLSafeTimedSerializer


class Open360Flask(Flask):
    """Flask asks `inspect.iscoroutinefunction` of each hook and view on every request (fifteen times a page): a
    function's kind never changes, so each is asked once. Only plain functions are kept; a coroutine function is
    wrapped by Flask as before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        found = self._sync.get(func)
        if found is None:
            found = super().ensure_sync(func)
            if found is func:
                self._sync[func] = func
        return found


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per key rather than once per request (twice
    when the cookie is written), and none built for a request without a session cookie (most rater pages)."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializer
        if found is None or found[0] != keys:
            found = self._serializer = (keys, super().get_signing_serializer(app))
        return found[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)) and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # An empty session nobody changed sets no cookie: Flask's own answer, without first reading seven settings.
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class SignIns(LoginManager):
    """Flask-Login, answering "nobody is signed in" at once for a request with an empty session and no remember
    cookie or authorisation header. For such a request the library ends there too, after hashing the client's address
    and browser (to compare with the empty session) and asking for each cookie and header in turn."""

    def _load_user(self) -> None:
        config = current_app.config
        if not session and self._user_callback is not None and self._request_callback is None \
                and config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in request.cookies \
                and config.get("AUTH_HEADER_NAME", AUTH_HEADER_NAME) not in request.headers:
            session.accessed = True  # as the library's look for a user id marks it: the response varies by Cookie
            user_accessed.send(current_app._get_current_object())  # type: ignore[attr-defined]
            self._update_request_context_with_user()
            return
        super()._load_user()
