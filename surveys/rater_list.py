"""Turn what an owner pastes into rater entries, with one plain-English problem per line that cannot be used.

Pure functions: the caller decides what to save and shows the problems back next to the lines they came from.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from app.addresses import normalised_email
from surveys.categories import RATER_CATEGORIES, Category
from surveys.rules.addresses import OWN_RATINGS, RaterPolicy, address_problem, mailbox_key

MAX_LINES = 500
MAX_NAME_LENGTH = 200
WITHDRAWN_REASON = "was withdrawn from this round, so they cannot be invited to it again"


@dataclass(frozen=True)
class RaterEntry:
    name: str
    email: str
    category: Category


@dataclass(frozen=True)
class LineProblem:
    line_number: int
    text: str
    message: str


@dataclass(frozen=True)
class ParsedList:
    raters: tuple[RaterEntry, ...]
    problems: tuple[LineProblem, ...]


@dataclass(frozen=True)
class LineShape:
    """What each line holds, so every problem speaks of what the box asks for. A round's list names each person's
    group; a goal check-in's people are all one group (PRODUCT §10), so its lines are a name and an email, and a
    group written after them (a line copied from a round's list) is read as that one group."""

    group: Category | None = None  # the one group everyone is in; None: each line names its own
    own_view: str = OWN_RATINGS  # where the owner's own view goes instead of inviting themselves

    @property
    def width(self) -> int:
        return 3 if self.group is None else 2

    @property
    def how_to_write(self) -> str:
        return ("write name, email and group separated by commas" if self.group is None
                else "write name and email separated by a comma")

    def fits(self, fields: Sequence[str]) -> bool:
        return len(fields) == self.width or (self.group is not None and len(fields) == 3
                                             and parse_category(fields[2]) is not None)


ROUND_LINES = LineShape()

_CATEGORY_WORDS: dict[str, Category] = {
    **dict.fromkeys(("manager", "managers", "line manager", "line managers"), Category.MANAGER),
    **dict.fromkeys(("peer", "peers", "colleague", "colleagues"), Category.PEER),
    **dict.fromkeys(("direct report", "direct reports", "report", "reports"), Category.DIRECT_REPORT),
    **dict.fromkeys(("other", "others"), Category.OTHER),
}
_GROUP_CHOICES = ", ".join(c.label for c in RATER_CATEGORIES[:-1]) + f" or {RATER_CATEGORIES[-1].label}"
_HEADER_WORDS = (
    {"name", "full name"},
    {"email", "email address", "e-mail"},
    {"category", "group", "rater group"},
)


def parse_category(text: str) -> Category | None:
    # Spreadsheets and the enum's own values spell "direct report" with _ or -, so treat those as spaces.
    words = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    return _CATEGORY_WORDS.get(words)


def normalise_email(text: str) -> str | None:
    # Mail systems treat the local part case-insensitively in practice; lower-casing stops one person being
    # invited twice as Jo@ and jo@ (app.addresses).
    return normalised_email(text)


def _fields(line: str, shape: LineShape) -> list[str] | None:
    # Tab first: a paste from a spreadsheet is tab-separated and its names ("Smith, Jo") are not quoted.
    fields: list[str] = []
    for delimiter in ("\t", ",") if "\t" in line else (",",):
        try:
            fields = [f.strip() for f in next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))]
        except csv.Error:
            return None
        # Spreadsheet exports pad rows with empty trailing columns.
        while len(fields) > shape.width and not fields[-1]:
            fields.pop()
        if shape.fits(fields):
            break
    return fields


def _clean_name(text: str) -> str:
    # Names pasted from Word or Outlook carry non-breaking spaces, tabs and invisible control characters;
    # PostgreSQL cannot store a NUL at all.
    return "".join(c for c in " ".join(text.split()) if unicodedata.category(c) != "Cc")


def _is_header(fields: list[str]) -> bool:
    return len(fields) in (2, 3) and all(f.lower() in w for f, w in zip(fields, _HEADER_WORDS, strict=False))


def _check(fields: list[str], policy: RaterPolicy, existing: dict[str, str], seen: dict[str, str],
           withdrawn: Mapping[str, str], shape: LineShape = ROUND_LINES) -> str | RaterEntry:
    """The rater a line describes, or what to fix; one message per line keeps the list readable. `existing` and
    `seen` map mailbox keys (surveys/rules/addresses.py) to the address written, so jo+x@ is the same rater as jo@;
    `withdrawn` maps the keys of raters withdrawn from the round to their names."""
    if not shape.fits(fields):
        return shape.how_to_write
    name, email_text = _clean_name(fields[0]), fields[1]
    category_text = fields[2] if shape.group is None else shape.group.value
    email = normalise_email(email_text)
    category = parse_category(category_text)
    if not name:
        return "add the person's name"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name can be at most {MAX_NAME_LENGTH} characters"
    if not email_text:
        return "add an email address"
    if email is None:
        return f"'{email_text}' is not a valid email address – check it is written like name@example.nhs.uk"
    problem = address_problem(email, policy, shape.own_view)
    if problem:
        return problem
    key = mailbox_key(email)
    if key in withdrawn:
        # Never again in this round: nothing shows whether they answered before they were withdrawn (PRODUCT
        # §2.4), so a second invitation could count one person twice.
        return f"{withdrawn[key]} {WITHDRAWN_REASON}"
    if key in existing:
        listed = existing[key]
        return f"{email} is already on your list" + ("" if listed == email else f" as {listed}")
    if key in seen:
        first = seen[key]
        return f"{email} appears more than once in what you pasted" + ("" if first == email else f" (as {first})")
    if not category_text:
        return f"add a rater group – use {_GROUP_CHOICES}"
    if category is None:
        return f"'{category_text}' is not a rater group – use {_GROUP_CHOICES}"
    return RaterEntry(name, email, category)


@dataclass(frozen=True)
class CategoryChoice:
    category: Category
    chosen: int

    @property
    def may_be_combined(self) -> bool:
        """Fewer than 3 chosen in a group other than Manager: even if all reply, their answers get combined."""
        return self.category is not Category.MANAGER and self.chosen < 3


def chosen_per_category(categories: Collection[Category]) -> list[CategoryChoice]:
    counted = Counter(categories)  # once over the list, not once a group: the raters page lists 200
    return [CategoryChoice(c, n) for c in RATER_CATEGORIES if (n := counted[c])]


def check_rater(name: str, email: str, category: str, existing_emails: Collection[str] = (),
                owner_email: str | None = None, policy: RaterPolicy | None = None,
                withdrawn: Mapping[str, str] | None = None) -> RaterEntry | str:
    """One rater typed into a form: the entry, or what to fix (the same rules as a pasted line). `withdrawn` maps
    the addresses of raters withdrawn from the round to their names: they cannot be added again."""
    result = _check([name, email, category], _policy(policy, owner_email), _known(existing_emails), {},
                    _withdrawn(withdrawn))
    if isinstance(result, RaterEntry) or "@" in result.split(" ", 1)[0] or result.endswith(WITHDRAWN_REASON):
        return result  # a message that starts with an address, or a name, keeps it as written
    return result[0].upper() + result[1:]


def _saved(address: str) -> str:
    # Addresses already saved were validated then; fall back to plain lower-casing rather than dropping one.
    return normalise_email(address) or address.strip().lower()


def _known(addresses: Collection[str]) -> dict[str, str]:
    return {mailbox_key(a): a for a in map(_saved, addresses)}


def _withdrawn(withdrawn: Mapping[str, str] | None) -> dict[str, str]:
    return {mailbox_key(_saved(a)): name for a, name in (withdrawn or {}).items()}


def _policy(policy: RaterPolicy | None, owner_email: str | None) -> RaterPolicy:
    if policy is None:
        return RaterPolicy(owner_email=owner_email)
    return policy if owner_email is None else RaterPolicy(owner_email, policy.domains, policy.allows_external)


def lines_to_fix(problems: Sequence[LineProblem]) -> tuple[str, tuple[LineProblem, ...]]:
    """The lines that need fixing, as they go back into the box, and their problems numbered by the lines they
    now stand on there (the box no longer holds the lines that were added)."""
    lines: list[str] = []
    renumbered: list[LineProblem] = []
    for problem in problems:
        if not problem.text:
            continue
        number = len(lines) + 1
        reason = problem.message.removeprefix(f"Line {problem.line_number}: ")
        renumbered.append(LineProblem(number, problem.text, f"Line {number}: {reason}"))
        lines.extend(problem.text.split("\n"))
    return "\n".join(lines), tuple(renumbered)


def parse_rater_list(
    text: str, existing_emails: Collection[str] = (), owner_email: str | None = None,
    policy: RaterPolicy | None = None, withdrawn: Mapping[str, str] | None = None, shape: LineShape = ROUND_LINES,
) -> ParsedList:
    """Every non-blank line ends up as a rater or a problem, except a header row and lines past MAX_LINES.
    `withdrawn` maps the addresses of raters withdrawn from the round to their names, as `check_rater`; `shape`
    says what a line holds (a round's name, email and group unless told otherwise)."""
    existing = _known(existing_emails)
    gone = _withdrawn(withdrawn)
    rules = _policy(policy, owner_email)
    seen: dict[str, str] = {}
    raters: list[RaterEntry] = []
    problems: list[LineProblem] = []
    read = 0
    # A CSV saved by Excel starts with a byte-order mark; split only on real line breaks so our numbers match
    # the lines the owner sees in the text box.
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        fields = _fields(line, shape) if line else [""]
        if fields is not None and not any(fields):
            continue  # blank, or an empty spreadsheet row such as ",,"
        if read == 0 and fields is not None and _is_header(fields):
            continue
        if read == MAX_LINES:
            message = f"only the first {MAX_LINES} lines were read – add the rest in another paste"
            # The problem holds every line not read, so that none of them is lost from the box.
            rest = "\n".join(kept for later in lines[number - 1:] if (kept := later.strip()))
            problems.append(LineProblem(number, rest, f"Line {number}: {message}"))
            break
        read += 1
        result = _check(fields or [], rules, existing, seen, gone, shape)
        if isinstance(result, RaterEntry):
            seen[mailbox_key(result.email)] = result.email
            raters.append(result)
        else:
            problems.append(LineProblem(number, line, f"Line {number}: {result}"))
    return ParsedList(tuple(raters), tuple(problems))


def as_pasted_list(entries: Sequence[RaterEntry], listed_emails: Collection[str] = ()) -> str:
    """Raters as lines the paste box reads back ("name, email, Group"), quoted where a name holds a comma; anyone
    already listed (by mailbox, as `parse_rater_list` compares) is left out. Used to start a round's list from the
    last one: the owner reviews the lines and adds them, so each is checked again like any pasted line."""
    listed = {mailbox_key(e) for e in listed_emails}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for entry in entries:
        if mailbox_key(entry.email) not in listed:
            writer.writerow([entry.name, entry.email, entry.category.label])
            listed.add(mailbox_key(entry.email))
    return out.getvalue()
