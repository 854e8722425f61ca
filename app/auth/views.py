"""Sign in and sign out."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response
from wtforms import ValidationError

from app import db as unit
from app.access import public
from app.auth import rules, throttle
from app.auth.forms import LoginForm
from app.auth.throttle import Key
from app.extensions import csrf, db
from app.identity.operations import password_sign_in_allowed
from app.models import User
from app.passwords import PasswordChecksBusy, verify_password
from app.timeutil import utcnow
from app.web import is_safe_redirect

bp = Blueprint("auth", __name__, template_folder="templates")


DEVICE_COOKIE = "open360_device"
_DEVICE_SALT = "open360-device"
_DEVICE_DAYS = 365


def _device(user: User | None) -> str | None:
    """This browser's mark of having signed in to `user` before (a signed cookie), or None."""
    if user is None or not request.cookies.get(DEVICE_COOKIE):
        return None
    try:
        marked = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT).loads(
            request.cookies[DEVICE_COOKIE])
    except BadSignature:
        return None
    if not isinstance(marked, dict) or marked.get("u") != user.id or not isinstance(marked.get("n"), str):
        return None
    return f"{user.id}:{marked['n']}"


def _remember_device(response: Response, user: User, device: str | None) -> None:
    if device is not None:
        return
    value = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT).dumps(
        {"u": user.id, "n": secrets.token_urlsafe(16)})
    # Only the sign-in form needs it; it says nothing but "this browser signed in to that account".
    response.set_cookie(DEVICE_COOKIE, value, max_age=_DEVICE_DAYS * 24 * 3600, path=url_for("auth.login"),
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                        samesite="Lax")


def _guess_keys(email: str, device: str | None) -> tuple[Key, list[Key]]:
    """What one attempt counts against: the account (or, from a browser that signed in to it before, that browser's
    own allowance, so someone guessing elsewhere never locks its owner out of it), and, from any other browser, the
    client's address as the trusted proxy saw it (PROXY_HOPS). A browser with the mark skips the address's count too:
    otherwise guessing from behind a hospital's shared address would keep every colleague there out. Keyed by the
    address typed, so an unknown one is throttled just the same. Returns the account's key and every key counted."""
    if device:
        account = Key("sign-in-device", device)
        return account, [account]
    account = Key("sign-in-account", email)
    return account, [account, Key("sign-in-address", request.remote_addr or "")]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        device = _device(user)
        account, counted = _guess_keys(email, device)
        wait = throttle.take(counted, utcnow())
        if wait:
            form.password.errors.append(
                f"There have been too many attempts to sign in. Try again in {rules.in_words(wait)}, "
                "or reset your password with the link below")
            return render_template("auth/login.html", form=form), 429
        try:
            right = verify_password(user.password_hash if user else None, form.password.data)
        except PasswordChecksBusy:
            throttle.give_back(counted)  # not checked, so not a guess
            unit.commit()
            return render_template("errors/error.html", title="The service is busy",
                                   body="Many people are signing in at once. Wait a moment, then try again."), 503
        if right and user and user.is_active and not password_sign_in_allowed(user):
            form.password.errors.append(f"{user.organisation.name} signs in with its own account: use the "
                                        "“Sign in with” button below")
        elif right and user and user.is_active:
            throttle.forget([account])
            throttle.give_back([k for k in counted if k != account])
            unit.commit()
            session.clear()  # a new session, and with it a new CSRF secret, for the signed-in person
            login_user(user)
            target = request.args.get("next")
            response = redirect(target if is_safe_redirect(target) else url_for("home.index"))
            _remember_device(response, user, device)
            return response
        form.password.errors.append("The email address or password is not right")
    return render_template("auth/login.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@public
@csrf.exempt  # the header's sign-out form cannot carry a hidden field, so the token travels in the query
def logout():  # type: ignore[no-untyped-def]
    try:
        validate_csrf(request.args.get("csrf_token"))
    except (ValidationError, CSRFError):
        return redirect(url_for("home.index"))
    if current_user.is_authenticated:
        current_user.end_sessions()  # every copy of this session's cookie stops working
        unit.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))
