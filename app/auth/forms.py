from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from app.form_messages import max_length


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"),
                                                    max_length("your email address", 320)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"),
                                                     max_length("your password", 200)])
