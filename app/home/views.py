"""The start page, and the pages every service has (accessibility statement, privacy)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app import web
from app.access import public
from app.models import Role
from app.timeutil import utcnow

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
    # Periods are each organisation's own: a signed-in person sees theirs; anyone else the defaults.
    organisation = current_user.organisation if current_user.is_authenticated else None
    purge_days = organisation.rater_purge_days if organisation else 30
    retention_days = organisation.retention_days if organisation else 1095
    years = retention_days / 365
    retention_years = (f"{years:g} years" if years.is_integer() and years != 1 else
                       "1 year" if years == 1 else f"{retention_days} days")
    return render_template("home/privacy.html", purge_days=purge_days, retention_years=retention_years,
                           organisation_words=organisation.name if organisation else "your organisation")


@bp.route("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    return web.health(utcnow())
