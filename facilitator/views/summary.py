"""The conversation summary: the facilitator proposes and revises it beside the question prompts; the owner agrees
or asks for changes with a comment. Every step emails the other person (facilitator.mails)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.errors import DomainError
from app.extensions import db
from app.models import Role
from app.timeutil import today, utcnow
from facilitator import operations, rules
from facilitator.forms import AnswerForm, SummaryForm, put_problems
from facilitator.models import Summary
from facilitator.prompts import in_use
from facilitator.rules import SummaryStatus
from facilitator.views import assigned_cycle, bp, owned_cycle
from surveys.models import Cycle


def _fill(form: SummaryForm, summary: Summary) -> None:
    for name in rules.SUMMARY_TEXTS:
        form[name].data = summary.content.get(name, "")
    while len(form.goals.entries) < len(summary.goals):
        form.goals.append_entry()
    for entry, goal in zip(form.goals.entries, summary.goals, strict=False):
        sub = entry.form
        sub.key.data, sub.term.data = goal["key"], goal["term"]
        for part in rules.GOAL_FIELDS:
            sub[part].data = goal[part]
        # A draft keeps a date as typed until it makes one.
        target = date.fromisoformat(goal["target_on"]) if goal.get("target_on") else None
        sub.target_day.data, sub.target_month.data, sub.target_year.data = \
            (str(target.day), str(target.month), str(target.year)) if target else goal.get("target_parts", ("", "", ""))


@bp.route("/facilitator/rounds/<int:cycle_id>/summary", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def summary_form(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = assigned_cycle(cycle_id)
    latest = operations.latest_summary(cycle)
    try:
        how = rules.check_propose(cycle.state, latest.status if latest else None,
                                  finished_early=cycle.finished_early_at is not None)
    except DomainError as error:
        return render_template("facilitator/not_yet.html", cycle=cycle, title="Conversation summary",
                               body=error.message), 409
    form = SummaryForm()
    extra: list[dict[str, str]] = []
    draft = operations.draft_of(cycle)
    if request.method == "GET" and (draft or latest) is not None:
        _fill(form, draft or latest)  # type: ignore[arg-type]
    elif form.validate_on_submit():
        if request.form.get("action") == "add" and len(form.goals.entries) < rules.MAX_GOALS:
            form.goals.append_entry()
        elif request.form.get("action") == "draft":
            operations.save_draft(cycle, form.texts(), form.goal_values()[0], current_user)
            unit.commit()
            flash(f"Your draft has been saved. {cycle.owner.name} cannot see it until you propose it.")
            return redirect(url_for("facilitator.summary_form", cycle_id=cycle.id))
        else:
            goals, date_problems = form.goal_values()
            try:
                if date_problems:
                    raise operations.Problems(date_problems)
                operations.propose(cycle, form.texts(), goals, current_user, today())
            except operations.Problems as problems:
                unit.rollback()
                left = put_problems(form, problems.problems, {"target_on": "target_day"})
                extra = [{"text": message, "href": "#goals-0-what"} for message in left]
            else:
                unit.commit()
                flash(f"Your summary has been sent to {cycle.owner.name} to agree or ask for changes.")
                return redirect(url_for("facilitator.owner_round", cycle_id=cycle.id))
    return render_template("facilitator/summary_form.html", form=form, cycle=cycle, latest=latest, how=how,
                           draft=draft, versions=operations.summaries(cycle),
                           extra_errors=extra, terms=rules.TERMS, max_goals=rules.MAX_GOALS,
                           prompts=in_use())


@bp.route("/round/<int:cycle_id>/summary", methods=["GET", "POST"])
@roles(Role.OWNER)
def owner_summary(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    latest = operations.latest_summary(cycle)
    if latest is None:
        return render_template("facilitator/not_yet.html", cycle=cycle, title="Your conversation summary",
                               body="Your facilitator writes the summary after your session. We will email you "
                                    "when it is ready for you to check."), 404
    form = AnswerForm()
    if latest.status is SummaryStatus.PROPOSED and form.validate_on_submit():
        agree = form.decision.data == "agree"
        try:
            operations.answer(latest, agree, form.comment.data or "", utcnow())
        except DomainError as error:
            unit.rollback()
            form.comment.errors.append(error.message)
        else:
            unit.commit()
            flash("You have agreed your conversation summary. It is now in your development profile."
                  if agree else "Your facilitator has been asked to make changes. We will email you when the "
                                "revised summary is ready.")
            return redirect(url_for("facilitator.profile") if agree
                            else url_for("facilitator.owner_summary", cycle_id=cycle.id))
    return render_template("facilitator/owner_summary.html", cycle=cycle, summary=latest, form=form,
                           versions=operations.summaries(cycle), terms=rules.TERMS,
                           facilitator=operations.facilitator_of(cycle.owner_id))


@bp.route("/rounds/<int:cycle_id>/summary/versions/<int:version>")
@roles(Role.OWNER, Role.FACILITATOR)
def summary_version(cycle_id: int, version: int):  # type: ignore[no-untyped-def]
    """Any version of the summary, proposed, revised, agreed or replaced, for the two people who wrote it."""
    cycle = db.session.get(Cycle, cycle_id)
    capacity = operations.summary_capacity(current_user, cycle) if cycle else None
    if cycle is None or capacity not in {"owner", "facilitator"}:
        abort(404)
    summary = next((s for s in operations.summaries(cycle) if s.version == version), None)
    if summary is None:
        abort(404)
    back = (url_for("facilitator.owner_summary", cycle_id=cycle.id) if capacity == "owner"
            else url_for("facilitator.summary_form", cycle_id=cycle.id))
    return render_template("facilitator/summary_version.html", cycle=cycle, summary=summary, terms=rules.TERMS,
                           back=back)
