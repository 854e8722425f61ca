"""Development only: the OpenID provider `flask serve` (so `make run`) starts beside the app, so an organisation signs
in with single sign-on on one machine, with no internet and nothing set up by hand. PyPI oidc-provider-mock (Authlib
inside) serves it on loopback, as the mail outbox's SMTP server is served. Never started in production.

An organisation uses it by setting its client ID to DEMO_CLIENT_ID (the demo organisation does): at start-up its
issuer is pointed at the port the provider got, and the provider offers each of its active people, by address, with
that address verified, so a click signs them in."""

from __future__ import annotations

import os
import re
import socket
import threading
import warnings
from types import ModuleType

import sqlalchemy as sa
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from werkzeug.serving import make_server

from app import db as unit
from app.extensions import db
from app.identity.models import SsoSettings
from app.models import User

DEMO_CLIENT_ID = "open360-demo"
DEFAULT_PORT = 8026  # beside the outbox's 8025; a free one is picked when it is taken


def import_mock() -> ModuleType:
    # oidc-provider-mock 0.3 still imports authlib.jose, which Authlib now marks deprecated (it moved to joserfc).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock
    return oidc_provider_mock


def _port() -> int:
    wanted = int(os.environ.get("DEMO_OIDC_PORT", DEFAULT_PORT))
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", wanted))
            return wanted
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def _offline(provider: Flask) -> None:
    """The provider's pages ask a CDN for their stylesheet: without internet the browser waits on it, and with it
    every click reports to that CDN. Its base template is served without that link."""
    loader = provider.jinja_loader
    assert loader is not None
    source = loader.get_source(provider.jinja_env, "_base.html")[0]
    plain = re.sub(r"<link[^>]*cdn\.[^>]*/>", "", source, flags=re.DOTALL)
    provider.jinja_loader = ChoiceLoader([DictLoader({"_base.html": plain}), loader])  # type: ignore[misc]
    provider.jinja_env.loader = provider.jinja_loader


def start_demo_provider(app: Flask) -> str | None:
    """Start the provider for the organisations that use it; its address, or None when none does."""
    with app.app_context():
        rows = list(db.session.scalars(sa.select(SsoSettings).where(SsoSettings.client_id == DEMO_CLIENT_ID)))
        if not rows:
            return None
        port = _port()
        url = f"http://localhost:{port}"
        for row in rows:
            row.issuer = url
        people = list(db.session.scalars(sa.select(User).where(
            User.organisation_id.in_([r.organisation_id for r in rows]), User.is_active_account).order_by(User.email)))
        mock = import_mock()
        users = [mock.User(sub=p.email, claims={"email": p.email, "email_verified": True, "name": p.name})
                 for p in people]
        unit.commit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        provider = mock.app(require_nonce=True, user_claims=users)
    _offline(provider)
    server = make_server("localhost", port, provider, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-oidc-provider").start()
    return url
