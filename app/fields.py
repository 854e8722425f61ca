"""Form fields every form uses for choices and dates, so that no value a form lets in can break a page later.

WTForms' own choice fields keep what was posted as it came, and `Optional()` clears every error of a field whose
value is only whitespace, "Not a valid choice" included: "  " passed as a position or a rating, was saved, and
every page that read it back failed. These fields strip what was posted and treat whitespace as no answer, so a
choice field's data is either None or one of its choices once the form has validated, whatever its validators.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from wtforms import fields


def _stripped(value: Any) -> Any:
    return value.strip() or None if isinstance(value, str) else value


class _Stripped:
    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        if valuelist and _stripped(valuelist[0]) is None:
            self.data = None  # no answer: Optional() lets it through as None, DataRequired() asks for one
            return
        super().process_formdata([_stripped(v) for v in valuelist[:1]])  # type: ignore[misc]


class RadioField(_Stripped, fields.RadioField):
    pass


class SelectField(_Stripped, fields.SelectField):
    pass


class SelectMultipleField(fields.SelectMultipleField):
    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        super().process_formdata([v for v in (_stripped(v) for v in valuelist) if v is not None])


CHOICE_FIELDS = (RadioField, SelectField, SelectMultipleField)

REAL_DATE = "Enter a real date, for example 15 3 2027"


def parse_date(day: str | None, month: str | None, year: str | None) -> date | str | None:
    """A date from three boxes: the date, None when all are empty, or a message saying what to enter. A number too
    large for a date (OverflowError, not ValueError) is just another date that is not real."""
    parts = [(day or "").strip(), (month or "").strip(), (year or "").strip()]
    if not any(parts):
        return None
    if not all(parts):
        return "Enter a day, month and year"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except (ValueError, OverflowError):
        return REAL_DATE


def whole_number(text: str | None) -> int | None:
    """A number typed or sent as text, or None. `str.isdigit()` lets "²" through to an `int()` that fails, and a
    long enough run of digits fails `int()` or the database: neither may reach a page as a 500."""
    text = (text or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 18 else None
