"""Shared web plumbing: safe redirects, mapping WTForms errors onto the NHS.UK error summary, bounded ids, the
health check."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import redis
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter, ValidationError
from wtforms import Field, FieldList, Form, FormField

log = logging.getLogger(__name__)


def is_safe_redirect(target: str | None) -> bool:
    r"""A path of this site only. Browsers read a backslash as a slash and drop tabs and newlines, so "/\evil.example"
    and "/<tab>/evil.example" lead to another site: any of those characters, or any other control character, refuses."""
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    # Without those characters, one leading slash decides: a scheme must start with a letter, and a host needs "//".
    return target.startswith("/") and not target.startswith("//")


def field_anchor(field: Field) -> str:
    """The id the error summary links to: radios and checkboxes link to their first input."""
    return field.id


def leaf_fields(form: Form) -> Iterable[Field]:
    """Every field a person types into, into nested forms and lists (a summary's goals), in order. A list's own
    `errors` is only what its last validation found, so a problem put on one of its fields later shows only here."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from leaf_fields(entry.form) if isinstance(entry, FormField) else (entry,)
        elif isinstance(field, FormField):
            yield from leaf_fields(field.form)
        else:
            yield field


def error_list(form: Form | None, extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every error on the form, in field order, as the error summary's errorList."""
    items: list[dict[str, Any]] = []
    if form is not None:
        for field in leaf_fields(form):
            for message in field.errors:
                items.append({"text": message, "href": f"#{field_anchor(field)}"})
    return items + (extra or [])


# The largest id any table holds: PostgreSQL's INTEGER (and SERIAL) is 32-bit. A larger number in a URL names no
# row, so it is no page (404) rather than an overflow in the database driver (500).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route, bounded to ids a table can hold."""

    def to_python(self, value: str) -> int:
        number: int = super().to_python(value)
        if number > MAX_ID:
            raise ValidationError()  # no rule matches: the page is not found
        return number


NUL_MESSAGE = ("What you entered contains an invisible control character (NUL) that cannot be stored. "
               "Go back, retype what you entered in that box, and try again.")


def contains_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def may_hold_nul(environ: dict[str, Any]) -> bool:
    """False when neither the path, the query nor a form can hold a NUL: no NUL in the path, none in the query
    written raw or as %00 (the only way to write one there), and no form body (Werkzeug parses one only with a
    Content-Type). Such requests, most of them, skip parsing the query and the form only to look for one."""
    query = environ.get("QUERY_STRING", "")
    return "\x00" in environ.get("PATH_INFO", "") or "%00" in query or "\x00" in query \
        or bool(environ.get("CONTENT_TYPE"))


# Mail pending this long has waited beyond any first try: the health check counts it, for an alert to watch.
MAIL_LATE = timedelta(minutes=15)
# Text, not the ORM: the check is polled, and compiling a COUNT through the ORM tripled its cost (0.33 -> 1 ms). The
# oldest pending mail, not "any pending before": with the index on (status, created_at) that is the index's first
# entry, where the EXISTS read every pending mail when none was late (50 000 pending on PostgreSQL: 0.08 ms, not 17).
_OLDEST_PENDING_MAIL = sa.text("SELECT min(created_at) AS oldest FROM outbound_mail WHERE status = 'pending'") \
    .columns(oldest=sa.DateTime)


def health(now: datetime) -> tuple[dict[str, Any], int]:
    """Each dependency, as a monitor reads it: 200 when all are up, 503 when one is down; and whether any mail has
    waited over MAIL_LATE (it does not fail the check). Two round trips (one query, one PING): cheap enough to poll.
    Redis down is not the web process down (sign-in still works): a load balancer should not take processes out on
    `queue` alone (README, production)."""
    from app.db import read_row
    from app.queue import queue

    report: dict[str, Any] = {}
    try:
        # On a connection of its own, as a rater's page reads: no ORM session made, begun and closed for one query.
        row = read_row(_OLDEST_PENDING_MAIL, {})
        report["mail_late"] = bool(row and row[0] is not None and row[0] < now - MAIL_LATE)
        report["database"] = "ok"
    except sa.exc.SQLAlchemyError as exc:
        report["database"] = "down"
        log.warning("Health: the database is down: %s", type(exc).__name__)
    try:
        queue().connection.ping()
        report["queue"] = "ok"
    except redis.exceptions.RedisError as exc:
        report["queue"] = "down"
        log.warning("Health: the queue (Redis) is down: %s", type(exc).__name__)
    up = report["database"] == "ok" and report["queue"] == "ok"
    return {"status": "ok" if up else "down", **report}, 200 if up else 503
