"""The follow-up blueprint: its templates (the report's change section, last time's goals) and the facilitator's
list of their owners' next review dates."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.access import roles
from app.models import Role
from app.timeutil import today
from facilitator.operations import owners_of
from followup.reviews import upcoming_reviews

bp = Blueprint("followup", __name__, template_folder="templates")


@bp.route("/facilitator/review-dates")
@roles(Role.FACILITATOR)
def review_dates():  # type: ignore[no-untyped-def]
    return render_template("followup/review_dates.html", reviews=upcoming_reviews(owners_of(current_user.id), today()))
