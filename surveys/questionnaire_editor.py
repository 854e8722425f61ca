"""Administrators edit a draft questionnaire on the site (PRODUCT §2.3, §6): a new draft from any published version,
then its areas and sub-areas, statements, open questions, answers and the Preparation Document's words. Each save
checks the whole draft (surveys/questionnaire_edit_rules.py), stores it back as its YAML file, and is logged.

Only administrators; a published version is never changed. The routes sit on the questionnaire versions blueprint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from app import db as unit
from app.access import roles
from app.form_messages import max_length
from app.models import Role
from surveys import questionnaire_edit_rules as rules
from surveys import questionnaire_store as store
from surveys.questionnaire import MAX_TEXT_LENGTH, Questionnaire, QuestionnaireError, _parse
from surveys.questionnaire_admin import ConfirmForm, _row, bp
from surveys.questionnaire_models import ContentVersion
from surveys.questionnaire_rules import Status, UploadError
from surveys.questionnaire_yaml import questionnaire_yaml

# Long enough for any text a rule allows, so that a text one character too long reaches the rule that names it.
_INPUT_LIMIT = 4 * MAX_TEXT_LENGTH


def form_for(fields: Sequence[rules.EditField], values: dict[str, str]) -> FlaskForm:
    """A form with one box a field; filled from `values` (the draft's words now) on a first look, from the post after
    that. A hidden field remembers what the page showed, for `edited_values`."""
    class EditForm(FlaskForm):
        seen = HiddenField()

    for field in fields:
        kind = TextAreaField if field.is_long else StringField
        setattr(EditForm, field.name, kind(field.label, validators=[Length(
            max=_INPUT_LIMIT, message=f"{field.label} must be at most {MAX_TEXT_LENGTH} characters")]))
    shown = {name: str(value or "") for name, value in values.items()}
    form = EditForm(data={**shown, "seen": rules.seen_fingerprints(shown)} if request.method == "GET" else None)
    form.current_values = shown
    return form


def edited_values(form: FlaskForm, fields: Sequence[rules.EditField]) -> dict[str, str] | None:
    """The words to save from a valid post: the administrator's own, and another administrator's where only they
    changed a field since this page was opened. None where both changed one field: each such field says what it
    says now, the administrator's words stay in the box, and saving again keeps them."""
    posted = {field.name: form[field.name].data or "" for field in fields}
    values, clashes = rules.merged_edit(form.seen.data or "", form.current_values, posted)
    for field in fields:
        if field.name in clashes:
            form[field.name].errors = [
                f"Another administrator changed {field.label.lower()} after you opened this page. It now says: "
                f"“{form.current_values[field.name]}”. Your words are in the box: save again to keep them"]
    if clashes:
        form.seen.data = rules.seen_fingerprints(form.current_values)
        return None
    return values


def show_problems(form: FlaskForm, problems: Sequence[rules.FieldProblem]) -> None:
    for problem in problems:
        form[problem.field].errors = [*form[problem.field].errors, problem.message]


def language_note() -> str:
    name = rules.LANGUAGE_NAMES[rules.EDITED_LANGUAGE]
    return (f"You are editing the {name} text of this version. A version in another language, such as Welsh, "
            f"would be its own text of the same version, with the same statements and keys.")


def draft_or_refuse(version_id: int, kind: str) -> ContentVersion:
    """The draft of `kind`; a version that may not be edited sends the administrator back to the list, saying why."""
    row = _row(version_id)
    if row.kind != kind:
        abort(404)
    reason = rules.refusal_to_edit(row.status)
    if reason:
        flash(reason)
        abort(redirect(url_for("questionnaires.versions")))
    return row


def _draft_statement(version_id: int, key: str) -> tuple[ContentVersion, Questionnaire]:
    row, questionnaire = _draft(version_id)
    if key not in questionnaire.statement_keys():
        abort(404)
    return row, questionnaire


def _draft(version_id: int) -> tuple[ContentVersion, Questionnaire]:
    row = draft_or_refuse(version_id, "questionnaire")
    try:
        return row, _parse(row.text(rules.EDITED_LANGUAGE), f"ccl-{row.version}.yaml")
    except QuestionnaireError as error:  # stored before a rule it now breaks was made: say so, never a 500
        flash(f"Draft {row.version} cannot be edited on the site because it breaks a rule: {error}. Download it, "
              "put it right and upload it again, or delete it.")
        abort(redirect(url_for("questionnaires.versions")))


# --- a new draft from a published version -------------------------------------------------------------------------


class NewDraftForm(FlaskForm):
    version = StringField("Version number of the new draft", validators=[max_length("the version number", 40)])


@bp.route("/<int:version_id>/new-draft", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_draft(version_id: int):  # type: ignore[no-untyped-def]
    source = _row(version_id)
    kind = store.KINDS[source.kind]
    if source.status is Status.DRAFT:
        flash("Start a new draft from a published version. This one is still a draft: edit it instead.")
        return redirect(url_for("questionnaires.versions"))
    form = NewDraftForm()
    if request.method == "GET":
        form.version.data = rules.suggested_version(source.version, store.taken_versions(kind))
    elif form.validate_on_submit():
        try:
            row = store.start_draft(source, (form.version.data or "").strip(), current_user)
        except UploadError as error:
            form.version.errors = [_version_message(str(error.problems[0]))]  # the number's own problem first
        else:
            unit.commit()
            flash(f"Version {row.version} is a new draft with the words of version {source.version}. Nobody but "
                  "administrators sees it until it is published.")
            return redirect(url_for(kind.edit_endpoint, version_id=row.id) if kind.edit_endpoint
                            else url_for("questionnaires.versions"))
    return render_template("questionnaire_editor/new_draft.html", form=form, source=source, kind=kind)


def _version_message(problem: str) -> str:
    # The check speaks of the file ("Line 12: version: must be …"); here the field is the version box.
    message = problem.split("version: ", 1)[-1]
    return f"The version number {message}" if message.startswith("must") else f"Version {message}"


# --- the overview of a draft --------------------------------------------------------------------------------------


@bp.route("/<int:version_id>/edit")
@roles(Role.ADMIN)
def edit(version_id: int):  # type: ignore[no-untyped-def]
    row, questionnaire = _draft(version_id)
    readability = {statement.key: (rules.readability(statement.self_text), rules.readability(statement.rater_text))
                   for statement in questionnaire.statements()}
    removable = {statement.key: rules.removable(questionnaire, statement.key) is None
                 for statement in questionnaire.statements()}
    return render_template("questionnaire_editor/overview.html", row=row, q=questionnaire, readability=readability,
                           removable=removable, language_note=language_note(),
                           most=max(rules.STATEMENTS_PER_SUB_AREA))


# --- the edit pages: one form each, the same way ------------------------------------------------------------------


def _edit_page(row: ContentVersion, before: Questionnaire, page_title: str, action: str, what: str,
               fields: list[rules.EditField], *, data: dict[str, Any] | None = None, is_new: bool = False,
               anchor: str = "", intro: Sequence[str] = (), readable: bool = False):  # type: ignore[no-untyped-def]
    """Show the fields; on a post, check the whole draft with the change and store it as its file, or show each
    problem at its field. `data` is the draft's data where the page first changes it (a new statement's place)."""
    data = data if data is not None else rules.as_data(before)
    form = form_for(fields, {field.name: rules.value_at(data, field.path) for field in fields})
    back = url_for("questionnaires.edit", version_id=row.id) + (f"#{anchor}" if anchor else "")
    values = edited_values(form, fields) if form.validate_on_submit() else None
    if values is not None:
        edited = rules.with_values(data, {field.path: values[field.name] for field in fields})
        try:
            after = rules.checked(edited, fields, before)
        except rules.EditRefused as refused:
            show_problems(form, refused.problems)
        else:
            changed = ([field.label for field in fields] if is_new
                       else rules.changed_labels(rules.as_data(before), rules.as_data(after), fields))
            if changed:
                store.save_edit(row, questionnaire_yaml(after), current_user, action,
                                f"{what}: {', '.join(changed)}", rules.EDITED_LANGUAGE)
                unit.commit()
                flash(f"{page_title}: your changes are saved in the draft.")
            else:
                flash("Nothing was changed.")
            return redirect(back)
    figures = {name: rules.readability(form[name].data) for name in ("self_text", "rater_text")
               if readable and (form[name].data or "").strip()}
    return render_template("questionnaire_editor/edit.html", form=form, fields=fields, title=page_title, row=row,
                           back=back, intro=intro, figures=figures, language_note=language_note())


@bp.route("/<int:version_id>/edit/statement/<key>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_statement(version_id: int, key: str):  # type: ignore[no-untyped-def]
    row, before = _draft_statement(version_id, key)
    return _edit_page(row, before, f"Statement {key}", "Edited a statement", key,
                      rules.statement_fields(before, key), anchor=key.replace(".", "-"), readable=True,
                      intro=["Answers are stored by the statement's key, which never changes. If the statement now "
                             "asks something else, say so when you compare versions, so that the change since the "
                             "last report is not computed across it."])


@bp.route("/<int:version_id>/edit/<area_key>/<sub_key>/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def add_statement(version_id: int, area_key: str, sub_key: str):  # type: ignore[no-untyped-def]
    row, before = _draft(version_id)
    try:
        data, key = rules.with_new_statement(rules.as_data(before), before, area_key, sub_key)
    except KeyError:
        abort(404)
    return _edit_page(row, before, f"New statement {key}", "Added a statement", key,
                      rules.new_statement_fields(before, area_key, sub_key), data=data, is_new=True,
                      anchor=key.replace(".", "-"), readable=True)


@bp.route("/<int:version_id>/edit/statement/<key>/remove", methods=["GET", "POST"])
@roles(Role.ADMIN)
def remove_statement(version_id: int, key: str):  # type: ignore[no-untyped-def]
    row, before = _draft_statement(version_id, key)
    back = url_for("questionnaires.edit", version_id=row.id)
    reason = rules.removable(before, key)
    if reason:
        flash(reason)
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        after = rules.checked(rules.without_statement(rules.as_data(before), before, key),
                              [rules.EditField("key", "Statement", ())], before)
        store.save_edit(row, questionnaire_yaml(after), current_user, "Removed a statement", key,
                        rules.EDITED_LANGUAGE)
        unit.commit()
        flash(f"Statement {key} has been removed from the draft.")
        return redirect(back)
    statement = before.statements()[before.statement_keys().index(key)]
    return render_template("surveys/confirm.html", form=form, title=f"Remove statement {key}?",
                           body=[f"“{statement.self_text}” is removed from this draft. Published versions keep it."],
                           button="Remove statement", warning=True, back=back)


@bp.route("/<int:version_id>/edit/area/<area_key>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_area(version_id: int, area_key: str):  # type: ignore[no-untyped-def]
    row, before = _draft(version_id)
    if area_key not in [area.key for area in before.areas]:
        abort(404)
    return _edit_page(row, before, f"Area: {before.area(area_key).title}", "Edited an area", area_key,
                      rules.area_fields(before, area_key), anchor=f"area-{area_key}",
                      intro=["The four areas and their two sub-areas stay, in this order: reports and the change "
                             "since the last report compare them by key. Their titles and summary can change."])


@dataclass(frozen=True)
class Section:
    title: str
    action: str  # as the audit log says it
    what: str
    fields: Callable[[Questionnaire], list[rules.EditField]]
    intro: str


SECTIONS = {
    "general": Section("Title and answers", "Edited the title and answers", "questionnaire", rules.general_fields,
                       "The answers stay a 1 to 5 scale from disagree to agree; their words can change."),
    "open-questions": Section("Open questions", "Edited the open questions", "open questions",
                              rules.open_question_fields,
                              "Raters answer three open questions: strengths to keep, one thing to develop, and "
                              "anything else. Their words can change; what each one asks for should not."),
    "preparation": Section("Preparation Document", "Edited the Preparation Document", "preparation",
                           rules.preparation_fields,
                           "Owners rate five things about their current role from 1 to 5 and choose one of three "
                           "positions. Rounds started on this version use these words; rounds already started keep "
                           "theirs."),
}


@bp.route("/<int:version_id>/edit/<any(general, 'open-questions', preparation):section>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_section(version_id: int, section: str):  # type: ignore[no-untyped-def]
    found = _draft(version_id)
    spec = SECTIONS[section]
    return _edit_page(*found, spec.title, spec.action, spec.what, spec.fields(found[1]), anchor=section,
                      intro=[spec.intro])
