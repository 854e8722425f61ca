"""Open360: the application factory. Only this function knows every blueprint."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g
from jinja2 import ChainableUndefined

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    import config
    from app.pipeline import Open360Flask, SessionCookies

    app = Open360Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    app.session_interface = SessionCookies()
    app.config.update(config.load(env, app.instance_path))
    app.config.setdefault("NHSUK_DIST", str(PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"))
    # The reports' sealed PDFs (reports/files.py): a folder every web process and worker shares.
    app.config.setdefault("REPORT_FILES_DIR", os.environ.get("REPORT_FILES_DIR")
                          or os.path.join(app.instance_path, "report-files"))
    app.config.update(overrides or {})

    _configure_templates(app)
    _init_extensions(app)
    _register_blueprints(app)

    from app.errors import register_error_pages
    from app.logs import redact_rater_links
    from app.security import register_security_headers

    register_error_pages(app)
    register_security_headers(app)
    redact_rater_links()
    _trust_proxies(app)

    from app.cli import register_cli
    from demo.cli import register_cli as register_demo_cli

    register_cli(app)
    register_demo_cli(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies (TLS ends there), take the client's address and scheme from the headers
    they add. Only then: trusted blindly, X-Forwarded-For would let anyone pick a fresh address for each guess at a
    password, and the sign-in throttle counts per address (app/auth/throttle.py). With x_for=hops ProxyFix takes
    the address the proxy nearest the client appended, so whatever a client writes in the header itself is ignored."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


# Flask escapes only .html/.htm/.xml/.xhtml/.svg; the NHS.UK macros are .jinja files, and without this every
# argument passed to them (an organisation's statement, a pasted line, a rater's comment) is written out raw.
ESCAPED_TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg", ".jinja")


def _escapes(template_name: str | None) -> bool:
    """Every template escapes what it renders except plain-text mail bodies (.txt), which are never HTML."""
    return template_name is None or template_name.endswith(ESCAPED_TEMPLATE_SUFFIXES)


def _configure_templates(app: Flask) -> None:
    from app import rendering

    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": _escapes}
    rendering.configure(app)  # the loaders (ours, then the NHS.UK macros'), memoized components, lean whitespace

    from app import addresses, words
    from app.models import Role
    from app.navigation import (
        footer,
        layout_head,
        navigation_items,
        page_shell_key,
        signed_in_header,
        visitor_header,
    )
    from app.web import error_list

    app.add_template_filter(words.counted, "counted")
    app.add_template_filter(words.noun, "noun")
    app.add_template_filter(words.sentence_start, "sentence_start")
    app.add_template_filter(addresses.breakable, "breakable_address")
    # The same for every page: the environment's globals, not a context processor run for each page.
    app.jinja_env.globals.update(error_list=error_list, navigation_items=navigation_items,
                                 signed_in_header=signed_in_header, Role=Role, visitor_header=visitor_header,
                                 layout_footer=footer, layout_head=layout_head,
                                 page_shell_key=page_shell_key)
    # The macros the layout and many pages call, as globals: the very objects `{% from … import … %}` gives (macro
    # modules are made without context, once), without an import at every page.
    env = app.jinja_env
    for folder, macro, name in (("header", "header", "nhsukHeader"), ("error-summary", "errorSummary", "errorSummary"),
                                ("back-link", "backLink", "backLink")):
        env.globals[name] = getattr(env.get_template(f"nhsuk/components/{folder}/macro.jinja").module, macro)

    @app.context_processor
    def nonce_for_templates() -> dict[str, Any]:
        nonce = g.get("csp_nonce")
        if nonce is None:
            nonce = g.csp_nonce = secrets.token_urlsafe(16)
        return {"csp_nonce": nonce, "cspNonce": nonce}


def _init_extensions(app: Flask) -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import joinedload

    from app.crypto import KeyRing
    from app.db import configure_sqlite, engine_options
    from app.extensions import compress, csrf, db, login_manager, migrate
    from app.models import User
    from app.queue import init_queue

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), app.instance_path)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"

    # Built once: `session.get` built the statement and its loader option anew for every request (costlier than
    # running it). The same row as before, into the request's session.
    signed_in_user = sa.select(User).where(User.id == sa.bindparam("user_id")).options(joinedload(User.role_rows))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        number, _, version = user_id.partition(":")
        if not (number.isdigit() and version.isdigit() and len(number) <= 9 and len(version) <= 9):
            return None
        # The roles in the same statement: every signed-in page asks for them (its access check, the navigation),
        # and a second round trip for them was a tenth of a small page.
        user = db.session.execute(signed_in_user, {"user_id": int(number)}).unique().scalar_one_or_none()
        # A deactivated account's sessions end, and so does every session from before the person last signed out.
        if user is None or not user.is_active or str(user.session_version) != version:
            return None
        return user

    from app.passwords import configure as configure_passwords

    configure_passwords(app.config["PASSWORD_CHECKS"], app.config["PASSWORD_CHECK_WAIT"])
    app.extensions["open360_key_ring"] = KeyRing(app.config["MASTER_KEYS"])
    init_queue(app)


def _register_blueprints(app: Flask) -> None:
    from app import assets, outbox
    from app.account.views import bp as account_bp
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.home.views import bp as home_bp
    from app.models import Role
    from app.navigation import register_nav
    from app.web import BoundedIntConverter
    from facilitator import init_app as init_facilitator
    from reports import init_app as init_reports
    from surveys import init_app as init_surveys

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added: every <int:id> is bounded
    app.register_blueprint(assets.bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(account_bp)
    register_nav("Mail delivery", "admin.mail", Role.ADMIN)
    if app.config["SHOW_OUTBOX"]:
        app.register_blueprint(outbox.bp)
    init_surveys(app)
    init_reports(app)
    from app.accounts import init_app as init_accounts

    init_accounts(app)
    from app.identity import init_app as init_identity

    init_identity(app)
    from usage import init_app as init_usage

    init_usage(app)
    init_facilitator(app)
    from followup import init_app as init_followup

    init_followup(app)
    register_nav("Your information", "account.index", *Role)  # everyone has something held about them
