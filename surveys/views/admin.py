"""Administrators add their organisation's own statements to "Values — Shared". New rounds pin what is active."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.extensions import db
from app.models import Role
from surveys.forms import ConfirmForm, OrgStatementForm
from surveys.models import OrgStatement
from surveys.views import bp


@bp.route("/admin/statements", methods=["GET", "POST"])
@roles(Role.ADMIN)
def org_statements():  # type: ignore[no-untyped-def]
    form = OrgStatementForm()
    if form.validate_on_submit():
        db.session.add(OrgStatement(organisation_id=current_user.organisation_id,
                                    self_text=form.self_text.data.strip(), rater_text=form.rater_text.data.strip()))
        unit.commit()
        flash("The statement has been added. Rounds started from now on will include it.")
        return redirect(url_for("surveys.org_statements"))
    statements = db.session.scalars(sa.select(OrgStatement).where(
        OrgStatement.organisation_id == current_user.organisation_id, OrgStatement.is_active)
        .order_by(OrgStatement.id)).all()
    return render_template("surveys/org_statements.html", form=form, statements=statements)


@bp.route("/admin/statements/<int:statement_id>/retire", methods=["GET", "POST"])
@roles(Role.ADMIN)
def retire_org_statement(statement_id: int):  # type: ignore[no-untyped-def]
    """Removing a statement changes every round started from now on, so it is asked twice, on a page of its own."""
    statement = db.session.get(OrgStatement, statement_id)
    if statement is None or statement.organisation_id != current_user.organisation_id or not statement.is_active:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        statement.is_active = False
        unit.commit()
        flash("The statement has been removed. Rounds already started keep it.")
        return redirect(url_for("surveys.org_statements"))
    return render_template("surveys/confirm.html", form=form, title="Remove this statement?",
                           body=[f"“{statement.self_text}”", "Rounds started from now on will not ask it. Rounds "
                                 "already started keep it, and their reports still show it."],
                           button="Remove this statement", back=url_for("surveys.org_statements"), warning=True)
