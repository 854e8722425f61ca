"""Shared web plumbing: safe redirects, mapping WTForms errors onto the NHS.UK error summary, bounded ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, Map
from wtforms import Field, Form


def is_safe_redirect(target: str | None) -> bool:
    r"""A path of this site only. Browsers read a backslash as a slash and drop tabs and newlines, so "/\evil.example"
    and "/<tab>/evil.example" lead to another site: any of those characters, or any other control character, refuses."""
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def field_anchor(field: Field) -> str:
    """The id the error summary links to: radios and checkboxes link to their first input."""
    return field.id


def error_list(form: Form | None, extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every error on the form, in field order, as the error summary's errorList."""
    items: list[dict[str, Any]] = []
    if form is not None:
        for field in form:
            for message in field.errors:
                items.append({"text": message, "href": f"#{field_anchor(field)}"})
    return items + (extra or [])


# The largest id any table holds: PostgreSQL's INTEGER (and SERIAL) is 32-bit. A larger number in a URL names no
# row, so it is no page (404) rather than an overflow in the database driver (500).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route, bounded to ids a table can hold."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


NUL_MESSAGE = ("What you entered contains an invisible control character (NUL) that cannot be stored. "
               "Go back, retype what you entered in that box, and try again.")


def contains_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)
