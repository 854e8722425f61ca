"""Everything held about a person, for their export and their deletion (PRODUCT §7).

The core knows no package above it, so each package that keeps something about a person registers an export
part (a section of the JSON, with its fields documented, and any files such as report PDFs) and an account
deletion step. `build_export` puts them into one ZIP: `open360-export.json` (versioned), `FIELDS.txt` (what each
field means) and the files. `read_export` reads such a ZIP back.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.accounts.operations import forget_link_mail
from app.extensions import db
from app.models import User

EXPORT_FORMAT = "open360-export"
EXPORT_VERSION = 1
JSON_NAME = "open360-export.json"


@dataclass(frozen=True)
class ExportPart:
    key: str  # the section's name in the JSON
    description: str
    fields: dict[str, str]  # each field of the section's records, and what it means
    collect: Callable[[User], Any]  # JSON-ready data
    files: Callable[[User], Iterable[tuple[str, bytes]]] | None = field(default=None)


_parts: dict[str, ExportPart] = {}
AccountStep = Callable[[User], Any]
_account_steps: list[AccountStep] = []
Describe = Callable[[User], list[str]]
_describers: list[Describe] = []
_keepers: list[Describe] = []


def register_export_part(part: ExportPart) -> ExportPart:
    _parts[part.key] = part
    return part


def on_account_deletion(step: AccountStep, describe: Describe | None = None, keeps: Describe | None = None) -> None:
    """`step` removes what a package keeps about the person (it flushes; the view commits); `describe` gives the
    lines of the confirmation page that say what will go, and `keeps` those that say what will stay, and why."""
    if step not in _account_steps:
        _account_steps.append(step)
    if describe is not None and describe not in _describers:
        _describers.append(describe)
    if keeps is not None and keeps not in _keepers:
        _keepers.append(keeps)


def what_account_deletion_removes(user: User) -> list[str]:
    return [line for describe in _describers for line in describe(user)]


def what_account_deletion_keeps(user: User) -> list[str]:
    return [line for keeps in _keepers for line in keeps(user)]


def delete_account(user: User) -> None:
    """Every package's step, then the account itself (its roles and links go by cascade). Flushes; the view
    commits."""
    for step in _account_steps:
        step(user)
    forget_link_mail(user)
    db.session.delete(user)
    db.session.flush()


ACCOUNT_FIELDS = {"name": "your name", "email": "your email address", "organisation": "your organisation",
                  "roles": "what you can do in Open360", "created_at": "when your account was made (UTC)"}


def _account(user: User) -> dict[str, Any]:
    return {"name": user.name, "email": user.email, "organisation": user.organisation.name,
            "roles": sorted(r.value for r in user.roles), "created_at": iso(user.created_at)}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def field_guide() -> str:
    lines = [f"{EXPORT_FORMAT}, version {EXPORT_VERSION}: everything Open360 holds about you.", "",
             f"{JSON_NAME} holds: format, version, exported_at (UTC), account, and one section per part below.",
             "Times are UTC, written YYYY-MM-DDTHH:MM:SS.", "", "account", *[f"  {k}: {v}" for k, v in
                                                                        ACCOUNT_FIELDS.items()]]
    for part in _parts.values():
        lines += ["", f"{part.key}: {part.description}", *[f"  {k}: {v}" for k, v in part.fields.items()]]
    return "\n".join(lines) + "\n"


def build_export(user: User, now: datetime) -> bytes:
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": iso(now),
                                "account": _account(user)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in _parts.values():
            document[part.key] = part.collect(user)
            for name, data in (part.files(user) if part.files else ()):
                archive.writestr(name, data)
        archive.writestr(JSON_NAME, json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("FIELDS.txt", field_guide())
    return buffer.getvalue()


class ExportFormatError(ValueError):
    """Not an Open360 export this version can read."""


def read_export(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The JSON document and the other files of an export ZIP; refuses another format or a later version."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(files.pop(JSON_NAME))
    if document.get("format") != EXPORT_FORMAT or document.get("version") != EXPORT_VERSION:
        raise ExportFormatError(f"not {EXPORT_FORMAT} version {EXPORT_VERSION}")
    return document, files


AccountRows = Callable[[User], list[tuple[str, str, str]]]
_row_providers: list[AccountRows] = []


def provide_account_rows(provider: AccountRows) -> None:
    """Rows for the "Your information" page: (what it is, action text, action address), e.g. a round to delete."""
    if provider not in _row_providers:
        _row_providers.append(provider)


def account_rows(user: User) -> list[tuple[str, str, str]]:
    return [row for provider in _row_providers for row in provider(user)]


HeldCounts = Callable[[User], list[tuple[str, int]]]
_held_counters: list[HeldCounts] = []


def count_held(counter: HeldCounts) -> None:
    """For every signed-in person's "Your information" page: what else carries their name, as (what, how many),
    e.g. the sessions a facilitator recorded. Counts of their own doing only: never anything of another person's
    report, answers or documents."""
    if counter not in _held_counters:
        _held_counters.append(counter)


def held_counts(user: User) -> list[tuple[str, int]]:
    return [(what, n) for counter in _held_counters for what, n in counter(user) if n]


def sign_in_ways(user: User, has_password: bool, providers: list[tuple[str, datetime]]) -> list[str]:
    """How the person signs in, in words: with a password, with their organisation's single sign-on (since when)."""
    ways = ["With a password" if has_password else "No password chosen yet"]
    ways += [f"With {user.organisation.name} single sign-on, linked on {when.strftime('%-d %B %Y')}"
             for _issuer, when in providers]
    return ways
