"""The single sign-on settings form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.fields import RadioField
from app.form_messages import max_length

_YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class SsoSettingsForm(FlaskForm):
    provider_name = StringField("Provider's name",
                                validators=[max_length("the provider's name", 100)])
    issuer = StringField("Issuer", validators=[max_length("the issuer", 500)])
    client_id = StringField("Client ID", validators=[max_length("the client ID", 200)])
    auth_method = RadioField("How does this service prove who it is to the provider?", choices=[
        SelectChoice("client_secret_basic", "With a client secret (Microsoft Entra ID)"),
        SelectChoice("private_key_jwt", "With a private key (NHS CIS2)")],
        default="client_secret_basic", validators=[InputRequired("Choose how this service proves who it is")])
    credential = TextAreaField("Client secret or private key",
                               validators=[max_length("the client secret or private key", 10000)])
    tenant_ids = TextAreaField("Allowed tenant IDs", validators=[max_length("the list of tenant IDs", 5000)])
    acr = StringField("Authentication level (acr) to ask for",
                      validators=[max_length("the authentication level", 200)])
    is_enabled = RadioField("Show “Sign in with …” on the sign-in page?", choices=_YES_NO, default="yes",
                            validators=[InputRequired("Choose yes or no")])
    allows_password_sign_in = RadioField("Can people of this organisation also sign in with a password?",
                                         choices=_YES_NO, default="yes", validators=[InputRequired("Choose yes or no")])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload")])


class ConfirmImportForm(FlaskForm):
    # The file's text travels with the confirmation and is checked again then: nothing is kept between the two.
    text = HiddenField()
