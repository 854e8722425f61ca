"""Nomination approval's pages (PRODUCT §2.4): the owner asks, their facilitator confirms the raters put to them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.errors import DomainError
from app.extensions import db
from app.fields import whole_number
from app.models import Role
from app.timeutil import utcnow
from surveys import nominations, operations
from surveys.cycle import CycleState
from surveys.forms import ConfirmForm, ListAnswerForm
from surveys.models import Cycle
from surveys.rules import nomination
from surveys.views import bp


@bp.route("/round/raters/ask-to-confirm", methods=["POST"])
@roles(Role.OWNER)
def ask_to_confirm():  # type: ignore[no-untyped-def]
    cycle = operations.current_cycle(current_user)
    if cycle is None:
        abort(404)
    if ConfirmForm(prefix="ask").validate_on_submit():
        try:
            asked = nominations.request_confirmation(cycle, utcnow())
        except DomainError as error:
            unit.rollback()
            flash(error.message)
        else:
            unit.commit()
            approver = nominations.approver_name(cycle) or "your facilitator"
            flash(nomination.asked_words(asked, approver, cycle.state is CycleState.OPEN))
    return redirect(url_for("surveys.raters"))


@bp.route("/rater-lists")
@roles(Role.FACILITATOR)
def lists_to_confirm():  # type: ignore[no-untyped-def]
    return render_template("surveys/lists_to_confirm.html", cycles=nominations.waiting_for(current_user),
                           asked=current_user.organisation.requires_nomination_approval)


@bp.route("/rater-lists/<int:cycle_id>", methods=["GET", "POST"])
@roles(Role.FACILITATOR)
def confirm_list(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or not nominations.is_approver(cycle, current_user):
        abort(404)  # not their owner's: as if it did not exist
    form = ListAnswerForm()
    waiting = nominations.to_confirm(cycle)
    if form.validate_on_submit():
        send_back = form.decision.data == "send_back"
        note = form.note.data or ""
        refused = nomination.answer_refusal(send_back, note, cycle.owner.name)
        if refused:
            form.note.errors = [refused]
        else:
            return _answer(cycle, send_back, note)
    return render_template("surveys/confirm_list.html", cycle=cycle, owner=cycle.owner, waiting=waiting, form=form,
                           note=nominations.returned_note(cycle))


def _answer(cycle: Cycle, send_back: bool, note: str):  # type: ignore[no-untyped-def]
    shown = [n for n in map(whole_number, request.form.getlist("rater")) if n is not None]
    try:
        if send_back:
            done = nominations.send_back(cycle, current_user, shown, note, utcnow())
        else:
            done = len(nominations.confirm(cycle, current_user, shown, utcnow()))
    except DomainError as error:
        unit.rollback()
        flash(error.message)
        return redirect(url_for("surveys.confirm_list", cycle_id=cycle.id))
    unit.commit()
    flash(nomination.returned_words(done, cycle.owner.name) if send_back
          else nomination.confirmed_words(done, cycle.owner.name, cycle.state is CycleState.OPEN))
    return redirect(url_for("surveys.lists_to_confirm"))
