"""Shared web plumbing: safe redirects and mapping WTForms errors onto the NHS.UK error summary."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from wtforms import Field, Form


def is_safe_redirect(target: str | None) -> bool:
    if not target:
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
