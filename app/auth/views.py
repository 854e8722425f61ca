"""Sign in and sign out."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app import db as unit
from app.access import public
from app.auth.forms import LoginForm
from app.extensions import csrf, db, limiter
from app.identity.operations import password_sign_in_allowed
from app.models import User
from app.passwords import PasswordChecksBusy, verify_password
from app.web import is_safe_redirect

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _login_key() -> str:
    # Throttle per address and per account, so one attacker cannot lock out a colleague from elsewhere.
    return f"{request.remote_addr}|{(request.form.get('email') or '').strip().lower()}"


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def _address_key() -> str:
    # And per address alone, looser: one address trying a few passwords on each of many accounts (spraying).
    return request.remote_addr or ""


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"])
@limiter.limit(_address_limit, key_func=_address_key, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        try:
            right = verify_password(user.password_hash if user else None, form.password.data)
        except PasswordChecksBusy:
            return render_template("errors/error.html", title="The service is busy",
                                   body="Many people are signing in at once. Wait a moment, then try again."), 503
        if right and user and user.is_active and not password_sign_in_allowed(user):
            form.password.errors.append(f"{user.organisation.name} signs in with its own account: use the "
                                        "“Sign in with” button below")
        elif right and user and user.is_active:
            session.clear()  # a new session, and with it a new CSRF secret, for the signed-in person
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("home.index"))
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
