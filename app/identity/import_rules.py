"""Bulk import of people from a CSV file (name, email, role, manager email), as pure functions: every line read and
checked, and every reason a line cannot be imported named. No database, no request."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.accounts.rules import address_in_domains, roles_conflict
from app.addresses import normalised_email
from app.models import Role

MAX_LINES = 2000
COLUMNS = ("name", "email", "role", "manager email")
_ROLE_WORDS: Mapping[str, Role] = {
    **{r.value: r for r in Role}, **{r.label.lower(): r for r in Role}, "local lead": Role.LOCAL_LEAD,
    "administrator": Role.ADMIN, "lead": Role.LOCAL_LEAD,
}


@dataclass(frozen=True)
class Directory:
    """What the checks need to know of the organisation and the service."""

    domains: tuple[str, ...]
    taken_emails: frozenset[str]  # every account's address, in any organisation (an address is one account)
    members: frozenset[str]  # addresses of this organisation's people (who can be named as a manager)
    grantable: frozenset[Role]


@dataclass
class Line:
    number: int  # as a spreadsheet numbers it: the header is line 1
    name: str
    email: str
    roles: frozenset[Role]
    manager_email: str
    problems: list[str] = field(default_factory=list)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, wrong columns, too long)."""


def read_lines(text: str) -> list[Line]:
    """The file's lines, unchecked. Every cell is text: a cell like `=HYPERLINK(…)` is a name, never a formula."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise ImportFileError("The file is empty. Add a line for each person under the headings "
                           + ", ".join(COLUMNS))
    header = [cell.strip().lower().replace("_", " ") for cell in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFileError("The first line must name the columns " + ", ".join(COLUMNS) + ". It lacks "
                           + ", ".join(missing))
    if len(rows) - 1 > MAX_LINES:
        raise ImportFileError(f"The file has {len(rows) - 1} people. Import {MAX_LINES} or fewer at a time")
    at = {c: header.index(c) for c in COLUMNS}
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        lines.append(Line(number, cells["name"], cells["email"], _roles(cells["role"]), cells["manager email"]))
        if cells["role"] and not lines[-1].roles:
            lines[-1].problems.append(f"“{cells['role']}” is not a role: use owner, facilitator, manager, "
                                      "local lead or administrator")
    return lines


def _roles(text: str) -> frozenset[Role]:
    words = [w.strip().lower() for w in text.replace("|", ";").replace(",", ";").split(";") if w.strip()]
    found = [_ROLE_WORDS.get(w) for w in words]
    return frozenset(r for r in found if r is not None) if all(found) else frozenset()


def check(lines: Iterable[Line], directory: Directory) -> list[Line]:
    """Each line with every reason it cannot be imported (none for a good line)."""
    checked = list(lines)
    in_file = {normalised_email(line.email) for line in checked} - {None}
    seen: dict[str, int] = {}
    for line in checked:
        _check_line(line, directory, in_file, seen)
    return checked


def _check_line(line: Line, directory: Directory, in_file: set[str | None], seen: dict[str, int]) -> None:
    if not line.name:
        line.problems.append("The name is missing")
    elif len(line.name) > 200:
        line.problems.append("The name is longer than 200 characters")
    address = normalised_email(line.email) if line.email else None
    if address is None:
        line.problems.append(f"“{line.email}” is not an email address" if line.email
                             else "The email address is missing")
    else:
        line.email = address
        if address in seen:
            line.problems.append(f"The same address is on line {seen[address]}")
        else:
            seen[address] = line.number
        if address in directory.taken_emails:
            line.problems.append("There is already an account with this address")
        # As an invitation: an organisation that lists no domains takes people at any address (its raters are
        # another matter, PRODUCT §2.4).
        if directory.domains and not address_in_domains(address, directory.domains):
            line.problems.append("The address is outside the organisation's email domains")
    if not line.roles and not line.problems:
        line.problems.append("The role is missing")
    if line.roles - directory.grantable:
        line.problems.append("You cannot give the role " + ", ".join(sorted(r.label for r in line.roles
                                                                           - directory.grantable)))
    conflict = roles_conflict(line.roles)
    if conflict:
        line.problems.append(conflict)
    if line.manager_email:
        manager = normalised_email(line.manager_email)
        if manager is None or (manager not in directory.members and manager not in in_file):
            line.problems.append(f"The manager {line.manager_email} is not someone at the organisation, "
                                 "nor in this file")
        elif manager == address:
            line.problems.append("A person cannot be their own manager")


def role_words(grantable: Iterable[Role]) -> str:
    """The roles a file may give, as the instructions name them: "owner or facilitator" for a local lead."""
    words = [r.label.lower() for r in Role if r in set(grantable)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
