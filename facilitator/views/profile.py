"""The owner's development profile: agreed summaries across rounds, progress on each goal, review dates as a
calendar file, the personal development plan (HTML and PDF/UA from one template), and sharing it with a manager
(revocable, every read logged)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles, signed_in
from app.extensions import db
from app.fields import whole_number
from app.models import Role
from app.timeutil import today
from facilitator import calendar, operations, plan, rules
from facilitator.forms import ProgressForm, put_problems, set_date
from facilitator.models import Summary, SummaryShare
from facilitator.rules import GoalStatus
from facilitator.views import bp, owned_cycle
from reports import sharing as sharing_rules
from reports.forms import ShareForm, manager_search, share_posted
from surveys.forms import ConfirmForm
from surveys.models import Cycle

owner_only = roles(Role.OWNER)


@bp.route("/development")
@owner_only
def profile():  # type: ignore[no-untyped-def]
    rounds = [(cycle, summary, operations.progress_of(cycle),
               rules.review_dates(summary_agreed_on(summary)))
              for cycle, summary in operations.agreed_rounds(current_user)]
    return render_template("facilitator/profile.html", rounds=rounds, terms=rules.TERMS, GoalStatus=GoalStatus)


def summary_agreed_on(summary: Summary) -> date:
    return (summary.agreed_at or datetime.combine(today(), datetime.min.time())).date()


def _agreed(cycle: Cycle) -> Summary:
    summary = operations.agreed_summary(cycle)
    if summary is None:
        abort(404)
    return summary


@bp.route("/development/<int:cycle_id>/goals/<int:goal_number>", methods=["GET", "POST"])
@owner_only
def goal_progress(cycle_id: int, goal_number: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    summary = _agreed(cycle)
    if not 1 <= goal_number <= len(summary.goals):
        abort(404)
    goal = summary.goals[goal_number - 1]
    current = operations.progress_of(cycle).get(goal["key"])
    form = ProgressForm()
    if request.method == "GET" and current is not None:
        form.status.data, form.note.data = current.status.value, current.note or ""
        set_date(form, "completed", current.completed_on)
    elif form.validate_on_submit():
        completed = form.completed_on()
        if isinstance(completed, str):
            form.completed_day.errors.append(completed)
        else:
            try:
                operations.record_progress(cycle, goal["key"], form.status.data, form.note.data or "", completed,
                                           today())
            except operations.Problems as problems:
                unit.rollback()
                put_problems(form, problems.problems, {"completed_on": "completed_day"})
            else:
                unit.commit()
                flash(f"Progress on goal {goal_number} has been saved.")
                return redirect(url_for("facilitator.profile"))
    return render_template("facilitator/goal_progress.html", form=form, cycle=cycle, goal=goal,
                           number=goal_number, terms=rules.TERMS, note_limit=rules.NOTE_LIMIT)


@bp.route("/development/<int:cycle_id>/reviews.ics")
@owner_only
def review_calendar(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    summary = _agreed(cycle)
    body = calendar.review_calendar(cycle.id, rules.review_dates(summary_agreed_on(summary)))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'attachment; filename="development-plan-reviews.ics"', "Cache-Control": "no-store"})


def _readable(cycle_id: int) -> tuple[Cycle, str]:
    cycle = db.session.get(Cycle, cycle_id)
    capacity = operations.summary_capacity(current_user, cycle) if cycle else None
    if cycle is None or capacity is None or operations.agreed_summary(cycle) is None:
        abort(404)
    return cycle, capacity


def _version(cycle: Cycle, capacity: str) -> Summary:
    """The agreed version, or an earlier one by ?version= (the owner and facilitator only)."""
    wanted = request.args.get("version")
    if not wanted:
        return _agreed(cycle)
    number = whole_number(wanted)
    if capacity == "shared" or number is None:
        abort(404)
    found = next((s for s in operations.summaries(cycle) if s.version == number
                  and s.status in {rules.SummaryStatus.AGREED, rules.SummaryStatus.SUPERSEDED}), None)
    if found is None:
        abort(404)
    return found


@bp.route("/development/<int:cycle_id>/plan")
@signed_in
def plan_page(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle, capacity = _readable(cycle_id)
    summary = _version(cycle, capacity)
    if capacity != "owner":
        operations.record_read(cycle, current_user, "summary", capacity)
        unit.commit()
    return render_template("facilitator/plan_page.html", cycle=cycle, summary=summary, is_owner=capacity == "owner",
                           body=plan.body(cycle, summary, capacity), versions=operations.summaries(cycle))


@bp.route("/development/<int:cycle_id>/plan.pdf")
@signed_in
def plan_pdf(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle, capacity = _readable(cycle_id)
    summary = _version(cycle, capacity)
    pdf = plan.pdf(cycle, summary, capacity)
    if capacity != "owner":
        operations.record_read(cycle, current_user, "plan_pdf", capacity)
        unit.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="personal-development-plan.pdf"', "Cache-Control": "no-store"})


@bp.route("/development/<int:cycle_id>/sharing", methods=["GET", "POST"])
@owner_only
def sharing(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    _agreed(cycle)
    form = ShareForm()
    if form.validate_on_submit() and share_posted(
            form, lambda person_id: operations.shareable_manager(current_user, cycle, person_id),
            lambda person: operations.share_summary(cycle, person), "development plan"):
        unit.commit()
        return redirect(url_for("facilitator.sharing", cycle_id=cycle.id))
    find, searched, found = manager_search(request.args,
                                           lambda q: operations.find_managers(current_user, cycle, q))
    return render_template("facilitator/sharing.html", cycle=cycle, form=form, find=find, searched=searched,
                           found=found, limit=sharing_rules.SEARCH_LIMIT, shares=operations.summary_shares(cycle),
                           reads=operations.read_log(cycle.id), revoke_form=ConfirmForm(prefix="revoke"),
                           has_managers=operations.has_shareable_managers(current_user, cycle))


@bp.route("/development/<int:cycle_id>/sharing/<int:share_id>/stop", methods=["POST"])
@owner_only
def stop_sharing(cycle_id: int, share_id: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    share = db.session.get(SummaryShare, share_id)
    if share is None or share.cycle_id != cycle.id:
        abort(404)
    if ConfirmForm(prefix="revoke").validate_on_submit():
        operations.revoke_summary_share(share)
        unit.commit()
        flash(f"{share.user.name} can no longer read your development plan.")
    return redirect(url_for("facilitator.sharing", cycle_id=cycle.id))


@bp.route("/development/shared")
@roles(Role.MANAGER)
def shared():  # type: ignore[no-untyped-def]
    return render_template("facilitator/shared.html", shares=operations.shared_with(current_user))
