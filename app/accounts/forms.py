"""Forms for organisations, people and passwords. Messages say what to do, as the NHS.UK pattern asks."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.accounts.rules import ROUND_INTERVAL_MONTHS_RANGE
from app.addresses import normalised_email
from app.fields import RadioField, SelectMultipleField
from app.form_messages import max_length
from app.models import Role

_YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


_INTERVAL_RANGE = "Enter a whole number of months from {} to {}".format(*ROUND_INTERVAL_MONTHS_RANGE)
def _well_formed(text: str | None) -> str:
    address = normalised_email(text)
    if address is None:
        raise ValidationError("Enter an email address in the correct format, like name@example.nhs.uk")
    return address


class OrganisationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name"),
                                           max_length("the organisation's name", 200)])
    email_domains = TextAreaField("Email domains", validators=[max_length("the list of email domains", 5000)])
    allows_external_raters = RadioField("Can owners invite raters from outside these domains?", choices=_YES_NO,
                                        default="no", validators=[InputRequired("Choose yes or no")])
    requires_nomination_approval = RadioField(
        "Must the owner's facilitator confirm the list of raters before invitations go out?",
        choices=_YES_NO, default="no", validators=[InputRequired("Choose yes or no")])
    facilitator_releases_report = RadioField(
        "Does the facilitator read the report first and release it to the owner?", choices=_YES_NO, default="no",
        validators=[InputRequired("Choose yes or no")])
    rater_purge_days = StringField("Days after a round closes to delete raters' names and email addresses",
                                   default="30",
                                   validators=[max_length("the days to keep raters' details", 5)])
    retention_days = StringField("Days to keep a finished round", default="1095",
                                 validators=[max_length("the days to keep a finished round", 5)])
    accessibility_contact_name = StringField(
        "Who answers accessibility requests", validators=[
            max_length("the name of who answers accessibility requests", 200)])
    accessibility_contact_email = StringField(
        "Their email address", validators=[max_length("the accessibility contact's email address", 320)])
    # Filled from the organisation (an int) when a post leaves it out: read as text like the rest.
    min_round_interval_months = StringField("Months between one round closing and the owner's next round starting",
                                            default="6", validators=[Length(max=5, message=_INTERVAL_RANGE)],
                                            filters=[lambda v: v if v is None or isinstance(v, str) else str(v)])


class PersonForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's full name"),
                                                max_length("the person's name", 200)])
    email = EmailField("Email address", validators=[DataRequired("Enter the person's email address"),
                                                    max_length("the person's email address", 320)])
    roles = SelectMultipleField("Roles", choices=[], validate_choice=False)

    def validate_email(self, field: EmailField) -> None:
        field.data = _well_formed(field.data)


class RolesForm(FlaskForm):
    roles = SelectMultipleField("Roles", choices=[], validate_choice=False)


def offer_roles(form: PersonForm | RolesForm, grantable: frozenset[Role]) -> None:
    form.roles.choices = [SelectChoice(r.value, r.label) for r in Role if r in grantable]


def chosen_roles(form: PersonForm | RolesForm) -> frozenset[Role]:
    offered = {choice.value for choice in form.roles.choices}  # type: ignore[union-attr]
    return frozenset(Role(v) for v in (form.roles.data or []) if v in offered)


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"),
                                                    max_length("your email address", 320)])

    def validate_email(self, field: EmailField) -> None:
        # The form's shape only: whether anyone has the address is never said (no account enumeration).
        field.data = _well_formed(field.data)


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm = PasswordField("Type the password again", validators=[DataRequired("Type the password again")])

    def validate_confirm(self, field: PasswordField) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The passwords do not match. Type the same password twice")
