"""The owner's evaluation of the process, and the administrators' page that reads every evaluation with names."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from app import db as unit
from app.access import roles
from app.errors import DomainError
from app.fields import whole_number
from app.models import Role
from facilitator import operations, rules
from facilitator.forms import EvaluationForm, put_problems
from facilitator.views import bp, owned_cycle
from surveys.cycle import CycleState


@bp.route("/round/<int:cycle_id>/evaluation", methods=["GET", "POST"])
@roles(Role.OWNER)
def evaluation(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = owned_cycle(cycle_id)
    if cycle.state is not CycleState.SUMMARY_AGREED:
        done = operations.evaluation_of(cycle) is not None
        return render_template("facilitator/not_yet.html", cycle=cycle, title="Tell us how it went",
                               body="Thank you: you have already told us how it went." if done else
                               "You can tell us how it went once your conversation summary is agreed."), 409
    form = EvaluationForm()
    if form.validate_on_submit():
        ratings = {key: whole_number(form[key].data) for key in rules.EVALUATION_QUESTIONS}
        try:
            operations.evaluate(cycle, ratings, form.comment.data or "")
        except operations.Problems as problems:
            unit.rollback()
            put_problems(form, problems.problems)
        except DomainError as error:
            unit.rollback()
            form.comment.errors.append(error.message)
        else:
            unit.commit()
            flash("Thank you for telling us how it went.")
            return redirect(url_for("surveys.dashboard"))
    return render_template("facilitator/evaluation.html", form=form, cycle=cycle,
                           questions=rules.EVALUATION_QUESTIONS)


@bp.route("/evaluations")
@roles(Role.ADMIN)
def evaluations():  # type: ignore[no-untyped-def]
    return render_template("facilitator/evaluations.html", evaluations=operations.all_evaluations(),
                           questions=rules.EVALUATION_QUESTIONS)
