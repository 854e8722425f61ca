"""Signing in with an organisation's OpenID provider, and the administrator's page of its settings."""

from __future__ import annotations

import secrets
from calendar import timegm

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from app import db as unit
from app.access import public, roles
from app.accounts.lookups import organisation_or_404
from app.auth import rules as throttle_rules
from app.auth import throttle
from app.auth.throttle import Key
from app.extensions import db
from app.identity import oidc, operations, rules
from app.identity.forms import SsoSettingsForm
from app.identity.models import SsoSettings
from app.identity.rules import TokenRefused
from app.identity.settings import apply_settings, fill_settings
from app.models import Role
from app.timeutil import utcnow
from app.web import is_safe_redirect

bp = Blueprint("identity", __name__, template_folder="templates")
_PENDING = "sso_pending"


def _client(settings: SsoSettings) -> oidc.Client:
    return oidc.Client(settings.client_id, settings.auth_method, settings.credential or "",
                       url_for("identity.callback", _external=True))


def _unavailable(settings: SsoSettings):  # type: ignore[no-untyped-def]
    return render_template("errors/error.html", title=f"{settings.provider_name} is not answering",
                           body="We could not reach your organisation's sign-in service. Try again in a few "
                                "minutes."), 503


@bp.route("/sign-in/with/<int:org_id>")
@public
def start(org_id: int):  # type: ignore[no-untyped-def]
    """Send the person to their organisation's provider, with a fresh state, nonce and PKCE verifier."""
    settings = operations.enabled_settings(org_id)
    if settings is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        found = oidc.provider(settings.issuer)
    except oidc.ProviderUnavailable:
        return _unavailable(settings)
    pending = {"org": org_id, "state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
               "verifier": secrets.token_urlsafe(48), "next": request.args.get("next") or ""}
    session[_PENDING] = pending
    return redirect(oidc.authorisation_url(found, _client(settings), state=pending["state"], nonce=pending["nonce"],
                                           code_verifier=pending["verifier"], acr=settings.acr))


@bp.route("/sign-in/callback")
@public
def callback():  # type: ignore[no-untyped-def]
    # Counted per client address like password sign-in (app.auth.throttle), and given back when it succeeds.
    address = Key("sso-callback-address", request.remote_addr or "")
    wait = throttle.take([address], utcnow())
    if wait:
        return _refused(f"There have been too many attempts to sign in from here. Try again in "
                        f"{throttle_rules.in_words(wait)}."), 429
    pending = session.pop(_PENDING, None)  # one use: a replayed callback finds nothing here
    if request.args.get("error"):
        # The person pressed Cancel or Deny, or their organisation's sign-in refused them. Some providers drop
        # `state` from an error, so this is said whether or not it came back: it signs nobody in.
        return _cancelled(pending), 400
    if not isinstance(pending, dict) or not secrets.compare_digest(str(request.args.get("state", "")),
                                                                   str(pending.get("state", ""))):
        return _refused("This sign-in was not started here, or has been used already. Start again."), 400
    settings = operations.enabled_settings(pending["org"])
    if settings is None:
        abort(404)
    if not request.args.get("code"):
        return _refused(f"{settings.provider_name} did not sign you in. Start again, or ask your IT service desk "
                        "if it keeps happening."), 400
    try:
        found = oidc.provider(settings.issuer)
        id_token = oidc.exchange_code(found, _client(settings), code=request.args["code"][:2000],
                                      code_verifier=pending["verifier"])
        expected = rules.Expected(found.issuer, settings.client_id, tuple(settings.tenant_ids or ()), settings.acr,
                                  pending["nonce"])
        claims = oidc.verified_claims(id_token, found, expected, timegm(utcnow().timetuple()))
        user = operations.account_for(settings.organisation, claims)
    except oidc.ProviderUnavailable:
        return _unavailable(settings)
    except TokenRefused as exc:
        current_app.logger.warning("Single sign-on refused for organisation %s: %s", settings.organisation_id,
                                   exc.message)
        return _refused(f"{settings.provider_name} did not vouch for you in a way this service accepts. Start "
                        "again; if it keeps happening, tell your IT service desk."), 403
    if user is None or not user.is_active:
        unit.commit()
        return render_template("identity/not_provisioned.html", org=settings.organisation, user=user,
                               people=operations.people_to_ask(settings.organisation)), 403
    throttle.give_back([address])
    unit.commit()
    session.clear()  # a new session, and with it a new CSRF secret, for the signed-in person
    login_user(user)
    target = pending.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("home.index"))


def _cancelled(pending: object) -> str:
    """The page after the provider answered with an error: try again, or use a password where the organisation
    allows one. Without the sign-in this browser started (none, or another's), the sign-in page offers both."""
    settings = operations.enabled_settings(pending["org"]) if isinstance(pending, dict) else None
    return render_template("identity/sso_cancelled.html", settings=settings,
                           next=pending.get("next") if isinstance(pending, dict) else None)


def _refused(body: str) -> str:
    return render_template("errors/error.html", title="You have not been signed in", body=body)


@bp.route("/admin/organisations/<int:org_id>/sign-in", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings(org_id: int):  # type: ignore[no-untyped-def]
    org = organisation_or_404(org_id)
    current = db.session.get(SsoSettings, org_id)
    form = SsoSettingsForm()
    if request.method == "GET" and current is not None:
        fill_settings(form, current)
    if form.validate_on_submit():
        row = current or SsoSettings(organisation=org)
        if apply_settings(form, row):
            db.session.add(row)
            unit.commit()
            oidc.forget_cached(row.issuer)
            flash(f"{org.name}'s single sign-on settings have been saved.")
            return redirect(url_for("identity.settings", org_id=org.id))
    return render_template("identity/settings.html", form=form, org=org, has_credential=bool(current and
                                                                                           current.credential))
