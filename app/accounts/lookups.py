"""Finding an organisation named in an address, for the pages that manage it (accounts and identity alike)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.accounts import rules
from app.extensions import db
from app.models import Organisation


def organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)  # ids reach here bounded by <int:…> (app.web.BoundedIntConverter)
    if org is None:
        abort(404)
    return org


def manageable_organisation_or_404(org_id: int) -> Organisation:
    """Another organisation is not found, rather than forbidden, for a local lead: it is none of their business."""
    if not rules.may_manage_organisation(current_user.roles, current_user.organisation_id, org_id):
        abort(404)
    return organisation_or_404(org_id)
