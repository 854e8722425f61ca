"""The start page, and the pages every service has (accessibility statement, privacy)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from app import web
from app.access import public
from app.accounts.rules import ROUND_INTERVAL_MONTHS_RANGE
from app.models import DEFAULT_ROUND_INTERVAL_MONTHS, Organisation, Role
from app.timeutil import utcnow
from app.words import counted

DEFAULT_PURGE_DAYS = 30  # app.models.Organisation.rater_purge_days's default

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
    # A signed-in person's organisation runs the service for them and may name its own contact; anyone else
    # (a rater, a visitor) reads the operator's alone.
    organisation = current_user.organisation if current_user.is_authenticated else None
    return render_template("home/accessibility.html", organisation=organisation,
                           contacts=statement_contacts(organisation, current_app.config["SERVICE_OPERATOR"],
                                                       current_app.config["CONTACT_EMAIL"]))


def statement_contacts(organisation: Organisation | None, operator: str, operator_email: str) -> list[tuple[str, str]]:
    """(who, email) for accessibility requests, as the statement lists them: the organisation's own contact, when
    it names one, then the team that runs the service (CONTACT_EMAIL, which production requires), for everyone.
    Empty only where CONTACT_EMAIL is unset (development or tests): the statement then sends people to their local
    lead."""
    contacts = []
    if organisation is not None and organisation.accessibility_contact_email:
        contacts.append((organisation.accessibility_contact_name or organisation.name,
                         organisation.accessibility_contact_email))
    if operator_email:
        contacts.append((operator or "the team that runs the service", operator_email))
    return contacts


@bp.route("/privacy")
@public
def privacy():  # type: ignore[no-untyped-def]
    # Periods are each organisation's own: a signed-in person sees theirs; anyone else the defaults.
    organisation = current_user.organisation if current_user.is_authenticated else None
    # A rater has no account: the page they were asked from gives their organisation's figure (the rater start
    # page); here, for anyone not signed in, it depends on the organisation that asked them.
    purge_words = (counted(organisation.rater_purge_days, "day") if organisation else
                   f"a set time (usually {DEFAULT_PURGE_DAYS} days; your first page as a rater says how long)")
    retention_days = organisation.retention_days if organisation else 1095
    years = retention_days / 365
    retention_years = (f"{years:g} years" if years.is_integer() and years != 1 else
                       "1 year" if years == 1 else f"{retention_days} days")
    interval = organisation.min_round_interval_months if organisation else DEFAULT_ROUND_INTERVAL_MONTHS
    return render_template("home/privacy.html", purge_words=purge_words, retention_years=retention_years,
                           organisation_words=organisation.name if organisation else "your organisation",
                           interval_words=counted(interval, "month"),
                           longest_interval_words=counted(ROUND_INTERVAL_MONTHS_RANGE[1], "month"))


@bp.route("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    return web.health(utcnow())
