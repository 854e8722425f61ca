"""Bulk import of people from a CSV file: upload, a preview naming every bad line, then confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.accounts.lookups import manageable_organisation_or_404
from app.accounts.rules import grantable_roles
from app.identity import bulk
from app.identity.forms import ConfirmImportForm, ImportForm
from app.identity.import_rules import COLUMNS, ImportFileError, role_words
from app.identity.views import bp
from app.models import Role


def _text(data: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else Windows-1252, as Excel saves "CSV" in the UK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@bp.route("/organisations/<int:org_id>/people/import", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.LOCAL_LEAD)
def import_people(org_id: int):  # type: ignore[no-untyped-def]
    org = manageable_organisation_or_404(org_id)
    form = ImportForm()
    if form.validate_on_submit():
        text = _text(form.file.data.read())
        try:
            lines = bulk.preview(text, org, current_user)
        except ImportFileError as exc:
            form.file.errors = [str(exc)]
        else:
            return render_template("identity/import_preview.html", org=org, lines=lines,
                                   good=sum(1 for line in lines if not line.problems),
                                   bad=[line for line in lines if line.problems],
                                   confirm=ConfirmImportForm(text=text))
    return render_template("identity/import.html", form=form, org=org, columns=COLUMNS,
                           role_words=role_words(grantable_roles(current_user.roles)))


@bp.route("/organisations/<int:org_id>/people/import/confirm", methods=["POST"])
@roles(Role.ADMIN, Role.LOCAL_LEAD)
def confirm_import(org_id: int):  # type: ignore[no-untyped-def]
    org = manageable_organisation_or_404(org_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("identity.import_people", org_id=org.id))
    try:  # checked again: someone may have been added since the preview
        lines = bulk.preview(form.text.data or "", org, current_user)
    except ImportFileError:
        return redirect(url_for("identity.import_people", org_id=org.id))
    added, invited = bulk.add_people(lines, org, current_user)
    unit.commit()
    flash(f"{added} {'person has' if added == 1 else 'people have'} been added. " +
          ("Each has been emailed a link to choose a password." if invited
           else f"They sign in with “Sign in with” their {org.name} account."))
    return redirect(url_for("accounts.people", org_id=org.id))
