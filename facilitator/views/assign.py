"""Assigning facilitators to owners: administrators and local leads, within their organisation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import db as unit
from app.access import roles
from app.extensions import db
from app.models import Role, User
from facilitator import operations
from facilitator.forms import AssignForm, put_problems
from facilitator.views import bp
from surveys import nominations


@bp.route("/facilitators", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.LOCAL_LEAD)
def assignments():  # type: ignore[no-untyped-def]
    org_id = current_user.organisation_id
    owners = operations.people_with_role(org_id, Role.OWNER)
    facilitators = operations.people_with_role(org_id, Role.FACILITATOR)
    form = AssignForm()
    form.owner.choices = [SelectChoice("", "Choose an owner"), *[SelectChoice(str(o.id), o.name) for o in owners]]
    form.facilitator.choices = [SelectChoice("", "Choose a facilitator"),
                                *[SelectChoice(str(f.id), f.name) for f in facilitators]]
    if request.method == "GET" and request.args.get("owner"):
        form.owner.data = request.args["owner"]
    if facilitators and form.validate_on_submit():
        # Both are among the choices offered (app.fields.SelectField validates them after stripping).
        owner = db.session.get(User, int(form.owner.data))
        facilitator = db.session.get(User, int(form.facilitator.data))
        if owner is None or facilitator is None:
            abort(404)
        try:
            operations.assign(owner, facilitator, current_user)
        except operations.Problems as problems:
            unit.rollback()
            put_problems(form, problems.problems)
        else:
            unit.commit()
            flash(f"{facilitator.name} is now {owner.name}'s facilitator. We have emailed them both.")
            return redirect(url_for("facilitator.assignments"))
    current = {o.id: operations.facilitator_of(o.id) for o in owners}
    return render_template("facilitator/assignments.html", form=form, owners=owners, current=current,
                           awaiting=nominations.owners_awaiting_approver(org_id), facilitators=facilitators,
                           needing=[o for o in owners if current[o.id] is None])
