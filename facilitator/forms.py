"""Forms for the facilitated session. Messages follow the NHS.UK pattern: say what to do."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from app.fields import RadioField, SelectField, parse_date
from app.form_messages import max_length
from app.web import leaf_fields
from facilitator import rules
from facilitator.rules import GoalStatus, SessionMode


def _date_parts(form: Form, prefix: str) -> tuple[str, str, str]:
    return tuple(form[f"{prefix}_{part}"].data for part in ("day", "month", "year"))  # type: ignore[return-value]


def set_date(form: Form, prefix: str, value: date | None) -> None:
    for part in ("day", "month", "year"):
        form[f"{prefix}_{part}"].data = str(getattr(value, part)) if value else ""


def fields_by_id(form: Form) -> dict[str, Field]:
    """Every field of the form by its id, into nested forms and lists, so rule problems can be put back on them."""
    return {field.id: field for field in leaf_fields(form)}


def put_problems(form: Form, problems: list[tuple[str, str]], aliases: dict[str, str] | None = None) -> list[str]:
    """Attach each (field, message) to its field; messages with no field are returned for the page to show."""
    fields = fields_by_id(form)
    left = []
    for name, message in problems:
        for old, new in (aliases or {}).items():
            if name.endswith(old):
                name = name[: -len(old)] + new
        if name in fields:
            fields[name].errors = [*fields[name].errors, message]  # type: ignore[assignment]
        else:
            left.append(message)
    return left


class AssignForm(FlaskForm):
    owner = SelectField("Owner", validators=[DataRequired("Choose an owner")])
    facilitator = SelectField("Facilitator", validators=[DataRequired("Choose a facilitator")])


class SessionForm(FlaskForm):
    held_day = StringField("Day", validators=[max_length("the day of the session", 2)])
    held_month = StringField("Month", validators=[max_length("the month of the session", 2)])
    held_year = StringField("Year", validators=[max_length("the year of the session", 4)])
    mode = RadioField("How was it held?", choices=[SelectChoice(m.value, m.label) for m in SessionMode],
                      validators=[DataRequired("Choose how the session was held")])

    def held_on(self) -> date | str | None:
        return parse_date(*_date_parts(self, "held"))


class GoalForm(Form):
    key = HiddenField()  # the goal's key, so its recorded progress follows it into a later version
    term = RadioField("When", choices=[SelectChoice(k, v) for k, v in rules.TERMS.items()], validators=[Optional()])
    what = TextAreaField("What is the goal?", validators=[Optional()])
    measure = TextAreaField("How will success be measured?", validators=[Optional()])
    support = TextAreaField("What support is needed?", validators=[Optional()])
    values = TextAreaField("Which values or behaviours does it call on?", validators=[Optional()])
    target_day = StringField("Day", validators=[max_length("the day of the target date", 2)])
    target_month = StringField("Month", validators=[max_length("the month of the target date", 2)])
    target_year = StringField("Year", validators=[max_length("the year of the target date", 4)])

    def is_blank(self) -> bool:
        return not any((self[name].data or "").strip() for name in
                       ("what", "measure", "support", "values", "target_day", "target_month", "target_year"))


class SummaryForm(FlaskForm):
    key_points = TextAreaField("Key points", validators=[Optional()])
    strengths = TextAreaField("Strengths", validators=[Optional()])
    development_areas = TextAreaField("Development areas", validators=[Optional()])
    goals = FieldList(FormField(GoalForm), min_entries=1, max_entries=rules.MAX_GOALS)

    def texts(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in rules.SUMMARY_TEXTS}

    def goal_values(self) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
        """The goals typed in (blank slots left out) and any dates that could not be read."""
        goals, problems = [], []
        for n, entry in enumerate(self.goals.entries):
            goal: GoalForm = entry.form
            if goal.is_blank():
                continue
            target = parse_date(*_date_parts(goal, "target"))
            if isinstance(target, str):
                problems.append((f"goals-{n}-target_day", f"Goal {n + 1}: {target.lower()}"))
            goals.append({"key": goal.key.data or None, "term": goal.term.data,
                          **{part: goal[part].data or "" for part in rules.GOAL_FIELDS},
                          "target_on": target if isinstance(target, date) else None,
                          "target_parts": _date_parts(goal, "target")})
        return goals, problems


class AnswerForm(FlaskForm):
    decision = RadioField("Do you agree with this summary?",
                          choices=[SelectChoice("agree", "Yes, I agree with it"),
                                   SelectChoice("changes", "No, I would like changes")],
                          validators=[DataRequired("Choose whether you agree or would like changes")])
    comment = TextAreaField("What would you like changed?", validators=[Optional()])


class ProgressForm(FlaskForm):
    status = RadioField("How is it going?", choices=[SelectChoice(s.value, s.label) for s in GoalStatus],
                        validators=[DataRequired("Choose how the goal is going")])
    note = TextAreaField("Note (optional)", validators=[Optional()])
    completed_day = StringField("Day", validators=[max_length("the day it was done", 2)])
    completed_month = StringField("Month", validators=[max_length("the month it was done", 2)])
    completed_year = StringField("Year", validators=[max_length("the year it was done", 4)])

    def completed_on(self) -> date | str | None:
        return parse_date(*_date_parts(self, "completed"))


class EvaluationForm(FlaskForm):
    comment = TextAreaField("Anything else you would like to tell us? (optional)", validators=[Optional()])


SCALE = [SelectChoice("1", "1 – Strongly disagree"), SelectChoice("2", "2 – Disagree"),
         SelectChoice("3", "3 – Neither agree nor disagree"), SelectChoice("4", "4 – Agree"),
         SelectChoice("5", "5 – Strongly agree")]
for _key, _text in rules.EVALUATION_QUESTIONS.items():
    setattr(EvaluationForm, _key, RadioField(_text, choices=SCALE, validators=[Optional()]))
