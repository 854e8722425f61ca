"""The owner's form to send a check-in: its close date (the round's own date field and check), the people to ask,
and whether to send it before the first review date."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from surveys.forms import CloseDateForm

RATERS_LIMIT = 50_000


class SendForm(CloseDateForm):
    raters = TextAreaField("The people to ask", validators=[Length(max=RATERS_LIMIT, message=(
        "The list is too long – ask fewer people"))])
    early = BooleanField("Send my check-in before my first review date")
