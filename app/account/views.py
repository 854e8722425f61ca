"""Your information: download everything held about you as one ZIP, see what can be deleted, delete the account."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from app import db as unit
from app.access import roles, signed_in
from app.account.forms import DeleteAccountForm
from app.accounts.operations import has_set_password, whom_to_ask
from app.extensions import db
from app.identity.models import SsoIdentity
from app.models import Role
from app.owner_data import (
    account_rows,
    build_export,
    delete_account,
    held_counts,
    sign_in_ways,
    what_account_deletion_keeps,
    what_account_deletion_removes,
)
from app.passwords import verify_password
from app.timeutil import utcnow

bp = Blueprint("account", __name__, template_folder="templates", url_prefix="/account")


@bp.route("/")
@signed_in
def index():  # type: ignore[no-untyped-def]
    """Every signed-in person: what is held about them and how to close the account; an owner's rounds too."""
    user = current_user
    providers = list(db.session.execute(sa.select(SsoIdentity.issuer, SsoIdentity.linked_at)
                                        .where(SsoIdentity.user_id == user.id).order_by(SsoIdentity.linked_at)))
    return render_template("account/index.html", rows=account_rows(user) if user.has_role(Role.OWNER) else [],
                           held=held_counts(user), whom=whom_to_ask(user),
                           ways=sign_in_ways(user, has_set_password(user), [(i, at) for i, at in providers]))


@bp.route("/export")
@roles(Role.OWNER)
def export():  # type: ignore[no-untyped-def]
    now = utcnow()
    return Response(build_export(current_user, now), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="open360-export-{now:%Y-%m-%d}.zip"',
        "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@roles(Role.OWNER)
def delete():  # type: ignore[no-untyped-def]
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append("The password is not right")
        else:
            user = current_user._get_current_object()  # type: ignore[attr-defined]
            delete_account(user)
            unit.commit()
            logout_user()
            flash("Your account and everything in it have been deleted.")
            return redirect(url_for("home.index"))
    return render_template("account/delete.html", form=form, removes=what_account_deletion_removes(current_user),
                           keeps=what_account_deletion_keeps(current_user))
