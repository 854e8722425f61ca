"""The administrator's questionnaire and prompt versions (PRODUCT §6): list, download, upload a draft, publish,
choose for new rounds, retire, and the audit log. Only administrators; nobody else sees a draft."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app import db as unit
from app.access import roles
from app.extensions import db
from app.models import Role
from surveys import questionnaire_store as store
from surveys.questionnaire_models import ContentVersion
from surveys.questionnaire_rules import UploadError

bp = Blueprint("questionnaires", __name__, template_folder="templates", url_prefix="/admin/questionnaires")


class UploadForm(FlaskForm):
    file = FileField("Upload a file", validators=[FileRequired("Choose a YAML file to upload")])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token to carry."""


def _kind(name: str) -> store.Kind:
    kind = store.KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def _row(version_id: int) -> ContentVersion:
    """The version, locked until the request commits when it may change it: two saves of one draft, or a save and a
    publish, then run one after the other, each reading what the one before wrote (PostgreSQL; SQLite has one
    writer at a time)."""
    if request.method == "POST":
        row = db.session.get(ContentVersion, version_id, with_for_update=True, populate_existing=True)
    else:
        row = db.session.get(ContentVersion, version_id)
    if row is None or row.kind not in store.KINDS:
        abort(404)
    return row


@bp.route("")
@roles(Role.ADMIN)
def versions():  # type: ignore[no-untyped-def]
    if store.seed_shipped():
        unit.commit()
    kinds = [(kind, store.listing(kind)) for kind in store.KINDS.values()]
    return render_template("questionnaires/versions.html", kinds=kinds)


@bp.route("/<kind_name>/<version>.yaml")
@roles(Role.ADMIN)
def download(kind_name: str, version: str):  # type: ignore[no-untyped-def]
    kind = _kind(kind_name)
    store.seed_shipped()
    row = db.session.scalar(db.select(ContentVersion).where(ContentVersion.kind == kind.name,
                                                            ContentVersion.version == version))
    if row is None:
        abort(404)
    text = row.text()
    store.record_download(row, current_user)
    unit.commit()
    return Response(text, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{kind.file_name(row.version)}"'})


@bp.route("/<kind_name>/upload", methods=["GET", "POST"])
@roles(Role.ADMIN)
def upload(kind_name: str):  # type: ignore[no-untyped-def]
    kind = _kind(kind_name)
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems = ["The file is not text in UTF-8: save it as a YAML file and upload it again"]
        else:
            try:
                row = store.upload_draft(kind, text, current_user)
                version = row.version
                unit.commit()
            except UploadError as error:
                problems = [str(problem) for problem in error.problems]
            except sa.exc.IntegrityError:  # another administrator uploaded the same version number a moment ago
                db.session.rollback()
                problems = ["Someone else has just uploaded a version with this number. Give yours another "
                            "version number and upload it again"]
            else:
                flash(f"Version {version} has been uploaded as a draft. Nobody sees it until it is published.")
                return redirect(url_for("questionnaires.versions"))
    if problems:
        form.file.errors = list(problems)  # type: ignore[assignment]
    return render_template("questionnaires/upload.html", form=form, kind=kind)


ACTIONS: dict[str, dict[str, Any]] = {
    "publish": {"do": store.publish, "title": "Publish version {version}?", "button": "Publish",
                "body": ["Once published, this version can never be changed. Rounds do not use it until you "
                         "choose it for new rounds."],
                "done": "Version {version} is published."},
    "choose": {"do": store.choose, "title": "Give version {version} to new rounds?", "button": "Use for new rounds",
               "body": ["Every round started from now on uses this version. Rounds already started keep the "
                        "version they began with."],
               "done": "New rounds now get version {version}."},
    "retire": {"do": store.retire, "title": "Retire version {version}?", "button": "Retire", "warning": True,
               "body": ["No new round can be given this version again. Rounds already started on it keep it, and "
                        "their reports still show it. A retired version is never deleted or changed."],
               "done": "Version {version} is retired."},
    "discard": {"do": store.discard, "title": "Delete the draft of version {version}?", "button": "Delete draft",
                "warning": True, "body": ["The draft has never been published, so no round uses it."],
                "done": "The draft of version {version} has been deleted."},
}


@bp.route("/<int:version_id>/<action>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def act(version_id: int, action: str):  # type: ignore[no-untyped-def]
    """Each change is asked on a page of its own, never in one click."""
    if action not in ACTIONS:
        abort(404)
    row, spec = _row(version_id), ACTIONS[action]
    label, version = store.KINDS[row.kind].label, row.version
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            spec["do"](row, current_user)
        except store.VersionError as error:
            flash(str(error))
        else:
            unit.commit()
            flash(f"{label}: " + spec["done"].format(version=version))
        return redirect(url_for("questionnaires.versions"))
    return render_template("surveys/confirm.html", form=form, title=f"{label}: " + spec["title"].format(
        version=version), body=spec["body"], button=spec["button"], warning=spec.get("warning", False),
        back=url_for("questionnaires.versions"))


@bp.route("/audit")
@roles(Role.ADMIN)
def audit():  # type: ignore[no-untyped-def]
    labels = {kind.name: kind.label for kind in store.KINDS.values()}
    return render_template("questionnaires/audit.html", entries=store.audit_log(), labels=labels)
