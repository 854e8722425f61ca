"""Organisations and people (administrators; local leads for their own organisation), and one-time links to set a
password (anyone)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from app import db as unit
from app.access import public, roles
from app.accounts import operations, rules
from app.accounts.forms import (
    ForgotPasswordForm,
    OrganisationForm,
    PersonForm,
    RolesForm,
    SetPasswordForm,
    chosen_roles,
    offer_roles,
)
from app.accounts.lookups import manageable_organisation_or_404, organisation_or_404
from app.accounts.organisation_settings import apply_settings, explain_refused_save, fill_settings
from app.accounts.rules import AccountRuleError
from app.auth import rules as throttle_rules
from app.auth import throttle
from app.auth.throttle import Key
from app.extensions import db
from app.identity.operations import provider_only
from app.models import Organisation, Role, User
from app.timeutil import utcnow

bp = Blueprint("accounts", __name__, template_folder="templates")
MANAGERS = (Role.ADMIN, Role.LOCAL_LEAD)
_LINK_KEY = "account_link_id"


# --- organisations (administrators) -------------------------------------------------------------------------------

@bp.route("/admin/organisations")
@roles(Role.ADMIN)
def organisations():  # type: ignore[no-untyped-def]
    rows = db.session.execute(
        sa.select(Organisation, sa.func.count(User.id)).outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.name)).all()
    return render_template("accounts/organisations.html", rows=rows)


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_organisation():  # type: ignore[no-untyped-def]
    return _organisation_form(None)


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_organisation(org_id: int):  # type: ignore[no-untyped-def]
    return _organisation_form(organisation_or_404(org_id))


def _organisation_form(org: Organisation | None):  # type: ignore[no-untyped-def]
    form = OrganisationForm(obj=org)
    if request.method == "GET" and org is not None:
        fill_settings(form, org)
    if form.is_submitted():
        # Every field's problems at once: the settings are checked even when the name is wrong.
        valid = form.validate()
        name = (form.name.data or "").strip()
        clash = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)) if name else None
        if clash is not None and (org is None or clash != org.id):
            form.name.errors.append("There is already an organisation with this name")
        target = org or Organisation(name=name)
        settings_ok = apply_settings(form, target)
        if valid and clash in {None, getattr(org, "id", None)} and settings_ok:
            target.name = name
            db.session.add(target)
            try:
                unit.commit()
            except sa.exc.IntegrityError:
                # Another administrator saved this name or one of these domains after the checks above read them:
                # the database refuses the second (a domain is one organisation's), and the form says why.
                unit.rollback()
                explain_refused_save(form, org, name)
            else:
                flash(f"{target.name} has been saved.")
                return redirect(url_for("accounts.people", org_id=target.id))
    return render_template("accounts/organisation_form.html", form=form, org=org if org and org.id else None,
                           purge_range=rules.PURGE_DAYS_RANGE, retention_range=rules.RETENTION_DAYS_RANGE,
                           interval_range=rules.ROUND_INTERVAL_MONTHS_RANGE,
                           not_set_up=_not_set_up(org) if org and org.id else None)


# --- people (administrators, and local leads for their own organisation) --------------------------------------------

@bp.route("/people")
@roles(Role.LOCAL_LEAD)
def my_people():  # type: ignore[no-untyped-def]
    return redirect(url_for("accounts.people", org_id=current_user.organisation_id))


@bp.route("/organisations/<int:org_id>/people")
@roles(*MANAGERS)
def people(org_id: int):  # type: ignore[no-untyped-def]
    org = manageable_organisation_or_404(org_id)
    # Everyone active first: an organisation's list fills with people who have left (deactivated, never deleted).
    members = db.session.scalars(sa.select(User).where(User.organisation_id == org.id)
                                 .order_by(User.is_active_account.desc(), User.name)).all()
    return render_template("accounts/people.html", org=org, members=members,
                           has_set_password=operations.has_set_password, not_set_up=_not_set_up(org))


@bp.route("/organisations/<int:org_id>/people/invite", methods=["GET", "POST"])
@roles(*MANAGERS)
def invite(org_id: int):  # type: ignore[no-untyped-def]
    org = manageable_organisation_or_404(org_id)
    form = PersonForm()
    offer_roles(form, rules.grantable_roles(current_user.roles))
    if form.validate_on_submit():
        # An organisation not yet set up (no domains) can still have its first people invited by an administrator.
        if _domains(org) and not rules.address_in_domains(form.email.data, _domains(org)):
            form.email.errors.append(f"Enter an address at {org.name}: it must end in "
                                     + " or ".join(f"@{d}" for d in _domains(org)))
        else:
            try:
                user = operations.invite_person(org, form.name.data.strip(), form.email.data, chosen_roles(form),
                                                current_user)
            except operations.InvitationRefused as refused:
                getattr(form, refused.field).errors.append(refused.message)
            else:
                unit.commit()
                flash(f"We have emailed {user.name} a link to choose a password. It works for 7 days.")
                return redirect(url_for("accounts.people", org_id=org.id))
    return render_template("accounts/invite.html", form=form, org=org)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles(*MANAGERS)
def person(user_id: int):  # type: ignore[no-untyped-def]
    user = _manageable_person(user_id)
    form = RolesForm()
    grantable = rules.grantable_roles(current_user.roles)
    offer_roles(form, grantable)
    if request.method == "GET":
        form.roles.data = [r.value for r in user.roles if r in grantable]
    error = None
    if form.validate_on_submit():
        try:
            operations.change_roles(user, chosen_roles(form), current_user, utcnow())
        except AccountRuleError as exc:
            error = exc.message
        else:
            unit.commit()
            flash(f"{user.name}'s roles have been saved.")
            return redirect(url_for("accounts.person", user_id=user.id))
    if error:
        form.roles.errors = [error]
    return render_template("accounts/person.html", form=form, person=user, actions=RolesForm(prefix="act"),
                           has_set_password=operations.has_set_password(user),
                           duty_conflict=operations.duties_problem(user.email, user.roles, user.id),
                           fixed_roles=sorted(user.roles - grantable),
                           may_deactivate=_may_deactivate(user))


@bp.route("/people/<int:user_id>/invite-again", methods=["POST"])
@roles(*MANAGERS)
def invite_again(user_id: int):  # type: ignore[no-untyped-def]
    user = _manageable_person(user_id)
    if RolesForm(prefix="act").validate_on_submit():
        operations.invite_again(user, utcnow())
        unit.commit()
        flash(f"We have emailed {user.name} a new link. The earlier one no longer works.")
    return redirect(url_for("accounts.person", user_id=user.id))


@bp.route("/people/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles(*MANAGERS)
def deactivate(user_id: int):  # type: ignore[no-untyped-def]
    """Asks first, saying what else ends (a facilitator's owners are left without one)."""
    user = _deactivatable_person(user_id)
    if not user.is_active_account:
        return redirect(url_for("accounts.person", user_id=user.id))
    form = RolesForm(prefix="act")
    if form.validate_on_submit():
        operations.deactivate(user, current_user, utcnow())
        unit.commit()
        flash(f"{user.name} can no longer sign in. Nothing of theirs has been deleted.")
        return redirect(url_for("accounts.person", user_id=user.id))
    return render_template("accounts/deactivate.html", person=user,
                           consequences=operations.what_deactivation_does(user))


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@roles(*MANAGERS)
def reactivate(user_id: int):  # type: ignore[no-untyped-def]
    user = _deactivatable_person(user_id)
    if RolesForm(prefix="act").validate_on_submit():
        try:
            operations.reactivate(user)
        except AccountRuleError as exc:
            flash(exc.message)
        else:
            unit.commit()
            flash(f"{user.name} can sign in again. Assign their owners again if they should facilitate them: "
                  "earlier assignments ended when the account was deactivated.")
    return redirect(url_for("accounts.person", user_id=user.id))


def _may_deactivate(user: User) -> bool:
    return user.id != current_user.id and rules.may_deactivate(current_user.roles, user.roles)


def _deactivatable_person(user_id: int) -> User:
    user = _manageable_person(user_id)
    if not _may_deactivate(user):
        abort(403)
    return user


def _manageable_person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not rules.may_manage_organisation(current_user.roles, current_user.organisation_id,
                                                         user.organisation_id):
        abort(404)
    return user


def _not_set_up(org: Organisation) -> str | None:
    if rules.knows_its_colleagues(_domains(org), bool(org.allows_external_raters)):
        return None
    return rules.NOT_SET_UP.format(name=org.name)


def _domains(org: Organisation) -> list[str]:
    return list(getattr(org, "email_domains", None) or [])


# --- passwords (anyone) --------------------------------------------------------------------------------------------

@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        address = (form.email.data or "").strip().lower()
        # Per client address, the same whether or not an account has the address asked about. Never per account:
        # anyone could then keep a person from resetting their own password. An account gets one email a window
        # however often it is asked for (rules.RESET_WINDOW), and that email's link is the person's own way in.
        wait = throttle.take([Key("reset-address", request.remote_addr or "")], utcnow())
        if wait:
            form.email.errors.append(f"There have been too many requests for a link. Try again in "
                                     f"{throttle_rules.in_words(wait)}")
            return render_template("accounts/forgot.html", form=form), 429
        if "\x00" not in address:
            operations.request_reset(address, utcnow())
            unit.commit()
        return render_template("accounts/reset_sent.html", email=address)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/account/link/<token>")
@public
def open_link(token: str):  # type: ignore[no-untyped-def]
    """Exchange the emailed token for a mark in the session, and move on to an address without the token, so it
    never sits in the browser's history or a Referer header."""
    link = operations.usable_link(token, utcnow())
    if link is None:
        return render_template("accounts/link_invalid.html"), 404
    session[_LINK_KEY] = link.id
    return redirect(url_for("accounts.choose_password"))


@bp.route("/account/password", methods=["GET", "POST"])
@public
def choose_password():  # type: ignore[no-untyped-def]
    link = operations.link_by_id(session.get(_LINK_KEY), utcnow())
    if link is None:
        return render_template("accounts/link_invalid.html"), 404
    provider = provider_only(link.user)
    if provider is not None:  # a link sent before the organisation switched password sign-in off
        return render_template("accounts/sign_in_with_provider.html", user=link.user, provider=provider)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.set_password(link, form.password.data, utcnow())
        except AccountRuleError as exc:
            form.password.errors.append(exc.message)
        else:
            unit.commit()
            session.clear()  # a fresh session (and CSRF secret) for the signed-in person
            login_user(user)
            flash("Your password has been set. You are signed in.")
            return redirect(url_for("home.index"))
    return render_template("accounts/choose_password.html", form=form, link=link)
