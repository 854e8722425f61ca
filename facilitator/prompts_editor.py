"""Administrators edit a draft of the session prompts on the site (PRODUCT §5, §6), grouped as facilitators see them:
the three framework questions, each with conversation openers, exploring questions, identifying options and agreeing
actions. A save checks the whole draft, stores it as the file the product ships, and is logged; only administrators,
and a published version never changes (the questionnaire editor's rules, surveys/questionnaire_editor.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from pydantic import ValidationError

from app import db as unit
from app.access import roles
from app.models import Role
from facilitator.prompts import GROUPS, Prompts, parse, prompts_yaml
from surveys import questionnaire_store as store
from surveys.questionnaire_edit_rules import EDITED_LANGUAGE, EditField, FieldProblem
from surveys.questionnaire_editor import draft_or_refuse, edited_values, form_for, language_note, show_problems
from surveys.questionnaire_models import ContentVersion

bp = Blueprint("prompt_editor", __name__, template_folder="templates", url_prefix="/admin/questionnaires/prompts")


def _draft(version_id: int) -> tuple[ContentVersion, Prompts]:
    row = draft_or_refuse(version_id, "prompts")
    return row, parse(row.text(EDITED_LANGUAGE), f"prompts-{row.version}.yaml")


@bp.route("/<int:version_id>/edit")
@roles(Role.ADMIN)
def edit(version_id: int):  # type: ignore[no-untyped-def]
    row, prompts = _draft(version_id)
    return render_template("prompts_editor/overview.html", row=row, prompts=prompts, language_note=language_note())


def fields_of(index: int) -> list[EditField]:
    at = ("framework", index)
    return [EditField("question", "Framework question", (*at, "question")),
            *[EditField(key, label, (*at, "groups", key), "One prompt a line", is_long=True)
              for key, label in GROUPS.items()]]


def refusals(data: dict[str, Any], index: int) -> Prompts | list[FieldProblem]:
    """The prompts with one question's words changed, or each problem at its field (pure: no request, no database)."""
    try:
        return Prompts.model_validate(data)
    except ValidationError as error:
        problems: list[FieldProblem] = []
        for item in error.errors(include_url=False):
            loc = item["loc"]
            if loc[:2] != ("framework", index):
                continue
            field = str(loc[3]) if len(loc) > 3 and loc[2] == "groups" else "question"  # framework → i → groups → key
            label = "Framework question" if field == "question" else GROUPS[field]
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "too_short":
                text = f"Enter at least one prompt in {label.lower()}"
            elif message == "must not be blank":
                text = f"Enter the {label.lower()}"
            elif len(loc) > 4:
                text = f"{label}, line {int(loc[4]) + 1}: {message}"
            else:
                text = f"{label} {message}"
            if all(p.field != field for p in problems):
                problems.append(FieldProblem(field, text))
        return problems or [FieldProblem("question", str(error))]


@bp.route("/<int:version_id>/edit/<question_key>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_question(version_id: int, question_key: str):  # type: ignore[no-untyped-def]
    row, before = _draft(version_id)
    keys = [question.key for question in before.framework]
    if question_key not in keys:
        abort(404)
    index, data = keys.index(question_key), before.model_dump(mode="json")
    question = data["framework"][index]
    fields = fields_of(index)
    form = form_for(fields, {"question": question["question"],
                             **{key: "\n".join(question["groups"][key]) for key in GROUPS}})
    back = url_for("prompt_editor.edit", version_id=row.id) + f"#{question_key}"
    values = edited_values(form, fields) if form.validate_on_submit() else None
    if values is not None:
        question["question"] = values["question"]
        for key in GROUPS:
            question["groups"][key] = [line.strip() for line in values[key].splitlines() if line.strip()]
        after = refusals(data, index)
        if isinstance(after, list):
            show_problems(form, after)
        else:
            if after != before:
                store.save_edit(row, prompts_yaml(after), current_user, "Edited the session prompts",
                                before.framework[index].question, EDITED_LANGUAGE)
                unit.commit()
                flash(f"{after.framework[index].question}: your changes are saved in the draft.")
            else:
                flash("Nothing was changed.")
            return redirect(back)
    return render_template("questionnaire_editor/edit.html", form=form, fields=fields, row=row, back=back,
                           title=before.framework[index].question, figures={}, language_note=language_note(),
                           intro=["Facilitators see these prompts in every session once this version is chosen for "
                                  "new rounds. The three framework questions and the four groups stay; their "
                                  "words and the prompts in each group can change."])
