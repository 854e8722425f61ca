"""Goal check-in pages: the owner sends one and follows it, a rater answers it, the owner and their facilitator
read what it found.

A rater's way in is a round's (PRODUCT §3.5; surveys/views/rater.py): `/c/<token>` swaps the emailed token for a
short-lived cookie scoped to `/check-in` and redirects to an address without it; every rater page sends
`Referrer-Policy: no-referrer`; every link that does not work gets the round's one plain page, with one status.
The cookie is SameSite=Lax, so these forms do without the session-bound CSRF token (a rater has no account), and a
POST from another site's origin is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from app import db as unit
from app.access import public, roles
from app.errors import DomainError
from app.extensions import csrf, db
from app.models import Role, User
from app.security import send_no_referrer
from app.timeutil import today, utcnow
from facilitator.operations import progress_of
from followup.checkin import operations, rules
from followup.checkin.forms import SendForm
from followup.checkin.models import CheckIn, CheckInRater
from surveys.forms import ConfirmForm
from surveys.links import SESSION_LIFETIME

bp = Blueprint("checkin", __name__, template_folder="templates")

COOKIE = "open360_checkin"
COOKIE_PATH = "/check-in"
RATER_ENDPOINTS = frozenset({"checkin.rater_link", "checkin.rater_answer", "checkin.rater_decline",
                             "checkin.rater_thanks", "checkin.rater_declined"})
owner_only = roles(Role.OWNER)
send_no_referrer(RATER_ENDPOINTS)


# --- The owner ---------------------------------------------------------------------------------------------------

def _owned(checkin_id: int) -> CheckIn:
    checkin = operations.owned_checkin(current_user, checkin_id)
    if checkin is None:
        abort(404)
    return checkin


@bp.route("/development/check-in", methods=["GET", "POST"])
@owner_only
def send():  # type: ignore[no-untyped-def]
    plan = operations.plan_in_force(current_user)
    if plan is None:
        return render_template("checkin/no_plan.html")
    already = operations.open_checkin(current_user.id)
    if already is not None:
        return redirect(url_for("checkin.status", checkin_id=already.id))
    form = SendForm()
    line_problems: list[str] = []
    asked_before = bool(operations.earlier_lists(current_user.id, plan.cycle.id))
    if request.method == "GET":
        default = rules.default_close(today())
        form.day.data, form.month.data, form.year.data = str(default.day), str(default.month), str(default.year)
        form.raters.data = operations.default_lines(plan, current_user.id)
    else:
        form.validate_on_submit()  # fills each field's own errors and the date; the rules say the rest
        entries, problems = operations.parse_raters(current_user, form.raters.data or "")
        line_problems = [p.message for p in problems]
        if not form.errors and not problems:
            try:
                checkin = operations.send(current_user, plan, entries, form.close_on, bool(form.early.data),
                                          utcnow())
            except operations.SendProblems as refused:
                unit.rollback()
                for name, message in refused.problems:
                    target = {"early": form.early, "raters": form.raters}.get(name, form.day)
                    target.errors = [*target.errors, message]  # type: ignore[list-item]
            else:
                unit.commit()
                flash(f"Your check-in has been sent to {len(entries)} people.")
                return redirect(url_for("checkin.status", checkin_id=checkin.id))
    first = rules.first_review(plan.review_dates)
    return render_template("checkin/send.html", form=form, plan=plan, line_problems=line_problems,
                           first_review=first, before_first=first is not None and today() < first,
                           asked_before=asked_before,
                           min_raters=rules.MIN_RATERS)


@bp.route("/development/check-ins/<int:checkin_id>")
@owner_only
def status(checkin_id: int):  # type: ignore[no-untyped-def]
    checkin = _owned(checkin_id)
    return render_template("checkin/status.html", checkin=checkin, counts=operations.counts_of(checkin),
                           found=operations.results(checkin), progress=progress_of(checkin.cycle),
                           signed=rules.signed, is_owner=True, open=checkin.state is rules.CheckInState.OPEN)


@bp.route("/development/check-ins/<int:checkin_id>/close", methods=["GET", "POST"])
@owner_only
def close(checkin_id: int):  # type: ignore[no-untyped-def]
    checkin = _owned(checkin_id)
    back = url_for("checkin.status", checkin_id=checkin.id)
    if checkin.state is not rules.CheckInState.OPEN:
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.close_early(checkin, utcnow())
        unit.commit()
        flash("Your check-in has closed.")
        return redirect(back)
    return render_template("surveys/confirm.html", form=form, back=back, title="Close your check-in now?",
                           body=["Nobody will be able to answer after this, and it cannot be opened again.",
                                 "If fewer than 3 people have answered a goal, no figure can be shown for it."],
                           button="Close my check-in", warning=True)


# --- The facilitator ---------------------------------------------------------------------------------------------

@bp.route("/facilitator/owners/<int:owner_id>/check-ins")
@roles(Role.FACILITATOR)
def facilitator_view(owner_id: int):  # type: ignore[no-untyped-def]
    owner = db.session.get(User, owner_id)
    if owner is None or owner_id == current_user.id or not operations.readable_by(current_user, owner_id):
        abort(404)
    checkins = [c for c in operations.checkins_of(owner_id)]
    return render_template("checkin/facilitator.html", owner=owner,
                           shown=[(operations.results(c), progress_of(c.cycle)) for c in checkins],
                           signed=rules.signed)


# --- The rater ---------------------------------------------------------------------------------------------------

def _not_working() -> WerkzeugResponse:
    response = make_response(render_template("surveys/rater/link_not_working.html"), 404)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _rater() -> CheckInRater:
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            abort(_not_working())
    found = operations.by_session(request.cookies.get(COOKIE), utcnow())
    if found is None:
        abort(_not_working())
    return found


def _ended(endpoint: str) -> WerkzeugResponse:
    response = redirect(url_for(endpoint))
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@bp.route("/c/<token>")
@public
def rater_link(token: str):  # type: ignore[no-untyped-def]
    rater = operations.by_token(token, utcnow())
    if rater is None:
        return _not_working()
    secret = operations.start_session(rater, utcnow())
    unit.commit()
    response = redirect(url_for("checkin.rater_answer"))
    response.set_cookie(COOKIE, secret, max_age=int(SESSION_LIFETIME.total_seconds()), path=COOKIE_PATH,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                        samesite="Lax")
    return response


@bp.route("/check-in", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_answer():  # type: ignore[no-untyped-def]
    rater = _rater()
    checkin = rater.checkin
    keys = checkin.goal_keys
    answers: dict[str, int | str] = {}
    comment = ""
    errors: list[dict[str, str]] = []
    missing: set[str] = set()
    comment_error = None
    if request.method == "POST":
        answers, unanswered = rules.read_answers(keys, request.form)
        comment = request.form.get("comment", "")
        missing = set(unanswered)
        numbers = {key: n for n, key in enumerate(keys, start=1)}
        errors = [{"text": f"Choose an answer for goal {numbers[key]}", "href": f"#{rules.field(key)}"}
                  for key in unanswered]
        comment_error = rules.comment_problem(comment)
        if comment_error:
            errors.append({"text": comment_error, "href": "#comment"})
        if not errors:
            try:
                operations.submit(rater, answers, comment)
            except DomainError as error:
                unit.rollback()
                errors = [{"text": error.message, "href": "#goals"}]
            else:
                unit.commit()
                return _ended("checkin.rater_thanks")
    return render_template("checkin/rater/answer.html", owner=checkin.cycle.owner, checkin=checkin,
                           answers=answers, comment=comment, errors=errors, missing=missing,
                           comment_error=comment_error, scale=rules.SCALE, not_able=rules.NOT_ABLE,
                           not_able_text=rules.NOT_ABLE_TEXT, field=rules.field, limit=rules.COMMENT_LIMIT)


@bp.route("/check-in/decline", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_decline():  # type: ignore[no-untyped-def]
    rater = _rater()
    if request.method == "POST":
        operations.decline(rater)
        unit.commit()
        return _ended("checkin.rater_declined")
    return render_template("checkin/rater/decline.html", owner=rater.checkin.cycle.owner)


@bp.route("/check-in/thank-you")
@public
def rater_thanks():  # type: ignore[no-untyped-def]
    return render_template("surveys/rater/thanks.html")  # the round's own words fit as they are


@bp.route("/check-in/declined")
@public
def rater_declined():  # type: ignore[no-untyped-def]
    return render_template("checkin/rater/declined.html")


def profile_links() -> Markup:
    """For the development profile (a template global): send a check-in, or follow the open one, and past ones."""
    plan = operations.plan_in_force(current_user)
    checkins = operations.checkins_of(current_user.id)
    return Markup(render_template(
        "checkin/_profile_links.html", first_review=rules.first_review(plan.review_dates) if plan else None,
        open=next((c for c in checkins if c.state is rules.CheckInState.OPEN), None),
        closed=[c for c in checkins if c.state is rules.CheckInState.CLOSED]))


def profile_results(cycle_id: int) -> dict[str, tuple[CheckIn, rules.GoalResult]]:
    """For the development profile's goals table (a template global): each goal's newest closed check-in figure."""
    from surveys.models import Cycle

    cycle = db.session.get(Cycle, cycle_id)
    return operations.latest_results_by_goal(cycle) if cycle is not None else {}



