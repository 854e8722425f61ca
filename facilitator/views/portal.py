"""The facilitator's pages: the owners assigned to them, one owner's round, the Preparation Document (read-only,
each read logged for the owner), releasing the report, recording the session and the printable prompts."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.errors import DomainError
from app.models import Role
from app.timeutil import today
from facilitator import operations, rules
from facilitator.forms import SessionForm
from facilitator.prompts import in_use
from facilitator.rules import SessionMode
from facilitator.views import assigned_cycle, bp
from surveys.forms import ConfirmForm

facilitator_only = roles(Role.FACILITATOR)


@bp.route("/facilitator")
@facilitator_only
def portal():  # type: ignore[no-untyped-def]
    count, averages = operations.facilitator_averages(current_user.id)
    unit.commit()  # a whole new block of 3 evaluations is published once, and stays
    return render_template("facilitator/portal.html", rows=operations.portal(current_user), count=count,
                           averages=averages, questions=rules.EVALUATION_QUESTIONS,
                           minimum=rules.MIN_FOR_AVERAGES)


@bp.route("/facilitator/rounds/<int:cycle_id>")
@facilitator_only
def owner_round(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = assigned_cycle(cycle_id)
    report = operations.report_of(cycle)
    return render_template("facilitator/owner_round.html", cycle=cycle, owner=cycle.owner,
                           next_step=rules.next_step(operations.owner_facts(cycle)),
                           report=report if operations.report_is_ready(cycle) else None,
                           releases=operations.organisation_releases(cycle), release=operations.release_of(cycle),
                           session=operations.session_of(cycle), summary=operations.latest_summary(cycle),
                           evaluated=operations.evaluation_of(cycle) is not None, form=ConfirmForm())


@bp.route("/facilitator/rounds/<int:cycle_id>/preparation")
@facilitator_only
def preparation(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = assigned_cycle(cycle_id)
    if not operations.report_is_ready(cycle) or cycle.preparation is None:
        return render_template("facilitator/not_yet.html", cycle=cycle,
                               title=f"{cycle.owner.name}'s Preparation Document",
                               body="You can read the Preparation Document once the report is ready, if they "
                                    "wrote one."), 409
    operations.record_read(cycle, current_user, "preparation")
    unit.commit()
    document = cycle.preparation
    words = cycle.questionnaire().preparation  # the words the owner answered: their round's version
    return render_template("facilitator/preparation.html", cycle=cycle, document=document,
                           aspects=words.rating_labels(), position=words.position_label(document.position))


@bp.route("/facilitator/rounds/<int:cycle_id>/release", methods=["POST"])
@facilitator_only
def release(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = assigned_cycle(cycle_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.release(cycle, current_user)
        except DomainError as error:
            unit.rollback()
            flash(error.message)
        else:
            unit.commit()
            flash(f"{cycle.owner.name} can now read their report. We have emailed them.")
    return redirect(url_for("facilitator.owner_round", cycle_id=cycle.id))


@bp.route("/facilitator/rounds/<int:cycle_id>/session", methods=["GET", "POST"])
@facilitator_only
def session(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = assigned_cycle(cycle_id)
    form = SessionForm()
    if form.is_submitted():
        valid = form.validate()
        held_on = form.held_on()  # its problem is shown beside the mode's, not after it
        if not isinstance(held_on, date):
            form.held_day.errors = [*form.held_day.errors, held_on or "Enter the date of the session"]
        elif valid:
            try:
                operations.record_session(cycle, held_on, SessionMode(form.mode.data), current_user, today())
            except DomainError as error:
                unit.rollback()
                form.held_day.errors.append(error.message)
            else:
                unit.commit()
                flash("The session has been recorded. Next, write the conversation summary.")
                return redirect(url_for("facilitator.owner_round", cycle_id=cycle.id))
    else:
        form.held_day.data, form.held_month.data, form.held_year.data = \
            str(today().day), str(today().month), str(today().year)
    return render_template("facilitator/session.html", form=form, cycle=cycle,
                           ready_on=operations.report_ready_on(cycle))


@bp.route("/facilitator/prompts")
@facilitator_only
def prompts():  # type: ignore[no-untyped-def]
    return render_template("facilitator/prompts.html",
                           prompts=in_use())
