"""The start page, and the pages every service has (accessibility statement, privacy)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.access import public
from app.models import Role

bp = Blueprint("home", __name__, template_folder="templates")


@bp.route("/")
@public
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return render_template("home/start.html")
    if current_user.has_role(Role.OWNER):
        return redirect(url_for("surveys.dashboard"))
    return render_template("home/signed_in.html")


@bp.route("/accessibility")
@public
def accessibility():  # type: ignore[no-untyped-def]
    return render_template("home/accessibility.html")


@bp.route("/privacy")
@public
def privacy():  # type: ignore[no-untyped-def]
    return render_template("home/privacy.html")


@bp.route("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
