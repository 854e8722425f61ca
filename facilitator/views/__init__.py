"""The facilitator blueprint: assignment, the portal, the session, the summary, the development profile, the
evaluation."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort
from flask_login import current_user

from facilitator import operations
from surveys.models import Cycle

bp = Blueprint("facilitator", __name__, template_folder="../templates")


@bp.app_template_filter("isodate")
def isodate(text: str) -> str:
    """A date stored as ISO text (inside encrypted JSON), written out for people."""
    return date.fromisoformat(text).strftime("%-d %B %Y")


def assigned_cycle(cycle_id: int) -> Cycle:
    """The round of an owner assigned to the signed-in facilitator; 404 for anyone else's, so nobody learns it
    exists."""
    cycle = operations.assigned_cycle(current_user, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def owned_cycle(cycle_id: int) -> Cycle:
    from app.extensions import db

    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.owner_id != current_user.id:
        abort(404)
    return cycle


from facilitator.views import assign, evaluation, portal, profile, summary  # noqa: E402, F401
