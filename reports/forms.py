from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class ShareForm(FlaskForm):
    person = SelectField("Share with", validators=[DataRequired("Choose who to share your report with")])


class AssignForm(FlaskForm):
    owner = SelectField("Owner", validators=[DataRequired("Choose an owner")])
    facilitator = SelectField("Facilitator", validators=[DataRequired("Choose a facilitator")])
