"""Forms for the owner's pages. Error messages follow the NHS.UK pattern: say what to do, not what went wrong."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.fields import REAL_DATE, RadioField, parse_date
from app.form_messages import max_length
from surveys.categories import RATER_CATEGORIES
from surveys.questionnaire import PREPARATION_RATINGS, Preparation
from surveys.rater_list import MAX_NAME_LENGTH, normalise_email

TEXT_LIMIT = 3000


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token to carry."""


class ListAnswerForm(FlaskForm):
    """The facilitator's answer about a rater list put to them (nomination approval): confirm it, or send it back
    with a note that says what to change (checked by surveys.rules.nomination.answer_refusal)."""

    decision = RadioField("Do these people look right?",
                          choices=[SelectChoice("confirm", "Yes, confirm them"),
                                   SelectChoice("send_back", "No, send the list back with a note")],
                          validators=[DataRequired("Choose whether to confirm these people or send the list back")])
    note = TextAreaField("What should they change?", validators=[Optional()])


class CloseDateForm(FlaskForm):
    # No Optional() on the day: it would skip validate_day when empty.
    day = StringField("Day", validators=[max_length("the day", 2)])
    month = StringField("Month", validators=[Optional(), max_length("the month", 2)])
    year = StringField("Year", validators=[Optional(), max_length("the year", 4)])

    close_on: date | None = None

    def validate_day(self, field: StringField) -> None:
        parsed = parse_date(self.day.data, self.month.data, self.year.data)
        if not isinstance(parsed, date):
            raise ValidationError(parsed if parsed == REAL_DATE else
                                  "Enter the close date, including a day, month and year")
        self.close_on = parsed


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=TEXT_LIMIT, message=f"Write {TEXT_LIMIT} characters or fewer")])


_RATING_CHOICES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class PreparationForm(FlaskForm):
    """All fields optional while drafting; `missing_for_submit` says what submitting still needs."""

    highs_and_lows = _text("Highs and lows of your career so far")
    implications = _text("What these imply for your future roles")
    growth = _text("Opportunities to grow in your current role")
    aims = _text("What you want to achieve")
    support = _text("The support you would need")
    life_factors = _text("Other things in your life that may have an impact")
    position = RadioField("Which fits you best today?", choices=[], validators=[Optional()])

    TEXT_FIELDS = ("highs_and_lows", "implications", "growth", "aims", "support", "life_factors")
    # Written only if the owner wishes (PRODUCT §2.2 "other life factors that may have an impact"): what they share
    # of their life outside work is theirs to choose, so submitting never asks for it.
    OPTIONAL_FIELDS = frozenset({"life_factors"})

    def __init__(self, preparation: Preparation, **kwargs: object) -> None:
        """The ratings' questions and the positions are the words of the round's questionnaire version."""
        super().__init__(**kwargs)
        self.preparation = preparation
        for rating in preparation.ratings:
            self[f"rating_{rating.key}"].label.text = rating.question
        self.position.choices = [SelectChoice(p.key, p.label) for p in preparation.positions]

    def rating_fields(self) -> list[RadioField]:
        return [self[f"rating_{key}"] for key in PREPARATION_RATINGS]

    def missing_for_submit(self) -> bool:
        ok = True
        for name in self.TEXT_FIELDS:
            if name not in self.OPTIONAL_FIELDS and not (self[name].data or "").strip():
                self[name].errors = [*self[name].errors, f"Enter {self[name].label.text.lower()}"]
                ok = False
        for rating, field in zip(self.preparation.ratings, self.rating_fields(), strict=True):
            if not field.data:
                field.errors = [*field.errors, rating.missing]
                ok = False
        if not self.position.data:
            self.position.errors = [*self.position.errors, "Choose which position fits you best today"]
            ok = False
        return not ok


for _key in PREPARATION_RATINGS:
    setattr(PreparationForm, f"rating_{_key}", RadioField(_key, choices=_RATING_CHOICES, validators=[Optional()]))


class RaterForm(FlaskForm):
    name = StringField("Full name", validators=[
        DataRequired("Enter the person's name"),
        Length(max=MAX_NAME_LENGTH, message=f"Write a name of {MAX_NAME_LENGTH} characters or fewer")])
    email = StringField("Email address", validators=[DataRequired("Enter the person's email address"),
                                                     max_length("their email address", 320)])
    category = RadioField("How do they know you?", choices=[SelectChoice(c.value, c.label) for c in RATER_CATEGORIES],
                          validators=[DataRequired("Choose how this person knows you")])

    def validate_email(self, field: StringField) -> None:
        normalised = normalise_email(field.data or "")
        if normalised is None:
            raise ValidationError("Enter an email address in the correct format, like name@example.nhs.uk")
        field.data = normalised


class PasteRatersForm(FlaskForm):
    raters = TextAreaField("Paste your list", validators=[
        DataRequired("Paste at least one line: name, email, group"),
        Length(max=100_000, message="Paste at most 100,000 characters at a time")])


class OrgStatementForm(FlaskForm):
    self_text = StringField("How the owner reads it", validators=[
        DataRequired("Enter the statement as the owner reads it"),
        max_length("the statement as the owner reads it", 200)])
    rater_text = StringField("How raters read it", validators=[
        DataRequired("Enter the statement as raters read it"),
        max_length("the statement as raters read it", 200)])

    def validate_self_text(self, field: StringField) -> None:
        if not field.data.strip().startswith("I "):
            raise ValidationError("Start the owner's version with “I”, for example “I act on our value of …”")

    def validate_rater_text(self, field: StringField) -> None:
        if not field.data.strip().startswith("This person "):
            raise ValidationError("Start the raters' version with “This person”")
