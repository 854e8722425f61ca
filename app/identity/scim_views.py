"""The SCIM endpoint at /scim/v2 (a bearer token per organisation; exempt from CSRF, which is for browsers; rate
limited per token), and the administrator's page that creates and revokes the tokens."""

from __future__ import annotations

import contextlib
import json
import secrets

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from app import db as unit
from app.access import public, roles
from app.accounts.lookups import organisation_or_404
from app.accounts.operations import token_hash as _hash
from app.auth import throttle
from app.auth.throttle import Key
from app.extensions import csrf, db
from app.identity import rules, scim
from app.identity.models import ScimToken
from app.identity.views import bp
from app.models import Role
from app.timeutil import utcnow

SCIM_TYPE = "application/scim+json"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _bearer() -> str:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and 20 <= len(token.strip()) <= 200 else ""


def _scim_key() -> str:
    token = _bearer()
    return _hash(token) if token else f"address:{request.remote_addr}"


def _error(status: int, detail: str) -> Response:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status), "detail": detail}
    return Response(json.dumps(body), status, content_type=SCIM_TYPE)


@bp.route("/scim/v2", defaults={"rest": ""}, methods=METHODS)
@bp.route("/scim/v2/<path:rest>", methods=METHODS)
@public
@csrf.exempt
def scim_endpoint(rest: str) -> Response:
    # A runaway or hostile client is slowed per token (per address without one), in the database like sign-in.
    if throttle.take([Key("scim-client", _scim_key())], utcnow()):
        return _error(429, "Too many requests: slow down and try again in a minute")
    discovery = rest.rstrip("/") in ("ServiceProviderConfig", "Schemas", "ResourceTypes") or \
        rest.startswith(("Schemas/", "ResourceTypes/"))
    token = _bearer()
    found = db.session.scalar(sa.select(ScimToken).where(ScimToken.token_hash == _hash(token),
                                                         ScimToken.revoked_at.is_(None))) if token else None
    if found is None and not discovery:
        return _error(401, "A valid bearer token is required")
    g.scim_organisation_id = found.organisation_id if found else None
    body = request.get_data(cache=False)
    if request.method == "PATCH":
        with contextlib.suppress(ValueError):  # a body that is not JSON goes on as it is: the handler answers it
            body = json.dumps(rules.entra_patch(json.loads(body))).encode()
    scim_request = scim.ScimRequest(method=request.method, base_url=request.host_url.rstrip("/") + "/scim/v2",
                                    path="/" + rest if rest else "", query=dict(request.args),
                                    headers=dict(request.headers), body=body)
    answer = scim.application().serve(scim_request)
    if request.method != "GET" and int(answer.status) < 400:
        unit.commit()
    else:
        db.session.rollback()
    payload = b"" if answer.body is None else json.dumps(answer.body).encode()
    return Response(payload, int(answer.status), headers=dict(answer.headers))


class _Action(FlaskForm):
    pass


@bp.route("/admin/organisations/<int:org_id>/provisioning", methods=["GET", "POST"])
@roles(Role.ADMIN)
def provisioning(org_id: int):  # type: ignore[no-untyped-def]
    org = organisation_or_404(org_id)
    form = _Action()
    new_token = None
    if form.validate_on_submit():
        new_token = secrets.token_urlsafe(32)
        db.session.add(ScimToken(organisation_id=org.id, token_hash=_hash(new_token)))
        unit.commit()
    tokens = db.session.scalars(sa.select(ScimToken).where(ScimToken.organisation_id == org.id)
                                .order_by(ScimToken.created_at.desc())).all()
    return render_template("identity/provisioning.html", org=org, form=form, tokens=tokens, new_token=new_token,
                           endpoint=request.host_url.rstrip("/") + "/scim/v2")


@bp.route("/admin/organisations/<int:org_id>/provisioning/<int:token_id>/revoke", methods=["POST"])
@roles(Role.ADMIN)
def revoke_token(org_id: int, token_id: int):  # type: ignore[no-untyped-def]
    token = db.session.get(ScimToken, token_id)
    if token is None or token.organisation_id != org_id:
        abort(404)
    if _Action().validate_on_submit() and token.revoked_at is None:
        token.revoked_at = utcnow()
        unit.commit()
        flash("The token has been revoked. The identity provider can no longer use it.")
    return redirect(url_for("identity.provisioning", org_id=org_id))
