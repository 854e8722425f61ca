"""The single sign-on settings form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.fields import RadioField

_YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class SsoSettingsForm(FlaskForm):
    provider_name = StringField("Provider's name",
                                validators=[Length(max=100, message="Enter 100 characters or fewer")])
    issuer = StringField("Issuer", validators=[Length(max=500, message="Enter 500 characters or fewer")])
    client_id = StringField("Client ID", validators=[Length(max=200, message="Enter 200 characters or fewer")])
    auth_method = RadioField("How does this service prove who it is to the provider?", choices=[
        SelectChoice("client_secret_basic", "With a client secret (Microsoft Entra ID)"),
        SelectChoice("private_key_jwt", "With a private key (NHS CIS2)")],
        default="client_secret_basic", validators=[InputRequired("Choose how this service proves who it is")])
    credential = TextAreaField("Client secret or private key",
                               validators=[Length(max=10000, message="Enter 10,000 characters or fewer")])
    tenant_ids = TextAreaField("Allowed tenant IDs", validators=[Length(max=5000, message="Enter fewer tenant IDs")])
    acr = StringField("Authentication level (acr) to ask for",
                      validators=[Length(max=200, message="Enter 200 characters or fewer")])
    is_enabled = RadioField("Show “Sign in with …” on the sign-in page?", choices=_YES_NO, default="yes",
                            validators=[InputRequired("Choose yes or no")])
    allows_password_sign_in = RadioField("Can people of this organisation also sign in with a password?",
                                         choices=_YES_NO, default="yes", validators=[InputRequired("Choose yes or no")])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload")])


class ConfirmImportForm(FlaskForm):
    # The file's text travels with the confirmation and is checked again then: nothing is kept between the two.
    text = HiddenField()
