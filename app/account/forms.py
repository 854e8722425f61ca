from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[
        DataRequired("Enter your password to delete your account"), Length(max=200)])
