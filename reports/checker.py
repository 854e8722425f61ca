"""The check a report must pass before it is sealed, and whenever `flask reports verify` asks (PRODUCT §3.2).

It reads nothing but the figure table, exactly as a reader of the report sees it (each figure's audience, measure,
value, number of answers and whether it is hidden), so it checks what a reader could work out, not what the build
meant to do. It re-runs rules (a) and (b) on every statement, checks that each sub-area and area figure is the mean
of the shown figures below it and shown only when at least half of them are, that the Manager figure is always
there, and that no hidden figure carries a value; and it names every violation it finds, not just the first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from reports.anonymity import ALL_OTHERS, MIN_GROUP, SELF, Reason
from reports.table import AREA, STATEMENT, SUB_AREA, Cell, FigureTable, as_fraction, one_decimal


@dataclass(frozen=True)
class Violation:
    rule: str
    measure: str
    key: str
    audience: str
    detail: str

    def __str__(self) -> str:
        return f"{self.measure} {self.key} / {self.audience}: {self.rule}: {self.detail}"


def _cell_shape(cell: Cell, audiences: set[str], out: list[Violation]) -> None:
    def bad(rule: str, detail: str) -> None:
        out.append(Violation(rule, cell.measure, cell.key, cell.audience, detail))

    if cell.audience not in audiences:
        bad("unknown_audience", "no such group in this report")
    if cell.measure not in (STATEMENT, SUB_AREA, AREA):
        bad("unknown_measure", f"measure {cell.measure!r}")
    if cell.hidden:
        if cell.value is not None or cell.answers is not None:
            bad("hidden_leaks", "a hidden figure carries a value or a number of answers")
        if cell.reason not in {r.value for r in Reason}:
            bad("no_reason", "a hidden figure must say why")
    elif cell.value is None:
        if cell.answers != 0:
            bad("inconsistent", "no value, not hidden, yet answers are counted")
    elif not (isinstance(cell.answers, int) and cell.answers >= 1 and 1 <= cell.value <= 5):
        bad("inconsistent", f"value {cell.value} on {cell.answers} answers")
    elif abs(cell.value * 10 - round(cell.value * 10)) > 1e-9:
        bad("precision", f"{cell.value} is finer than one decimal")


def _check_statement(key: str, cells: Mapping[str, Cell], table: FigureTable, out: list[Violation]) -> None:
    def bad(rule: str, audience: str, detail: str) -> None:
        out.append(Violation(rule, STATEMENT, key, audience, detail))

    shown_sum = 0
    for group in table.groups:
        cell = cells.get(group.label)
        if cell is None:
            bad("missing", group.label, "the table has no figure for this group")
            continue
        if group.is_manager and cell.hidden:
            bad("manager_hidden", group.label, "the Manager figure is always shown")
        if cell.is_shown:
            answers = cell.answers or 0
            shown_sum += answers
            if not group.is_manager and answers < MIN_GROUP:
                bad("too_few", group.label, f"a group figure on {answers} answers is shown (rule a)")
            if answers > group.responses:
                bad("inconsistent", group.label, f"{answers} answers from a group of {group.responses}")
    total = cells.get(ALL_OTHERS)
    if total is None:
        bad("missing", ALL_OTHERS, "the table has no All others figure")
    elif total.is_shown:
        left = (total.answers or 0) - shown_sum
        if left < 0:
            bad("inconsistent", ALL_OTHERS, "fewer answers than the shown groups have between them")
        elif 0 < left < MIN_GROUP:
            bad("differencing", ALL_OTHERS,
                f"All others minus the shown groups leaves {left} answer{'s' if left > 1 else ''} (rule b)")
        elif left and not any(cells[g.label].hidden for g in table.groups if g.label in cells):
            bad("inconsistent", ALL_OTHERS, "answers left over, yet no group figure is hidden")
    if SELF not in cells:
        bad("missing", SELF, "the table has no Self figure")


def _check_mean(cell: Cell, below: list[Cell], out: list[Violation]) -> None:
    def bad(rule: str, detail: str) -> None:
        out.append(Violation(rule, cell.measure, cell.key, cell.audience, detail))

    shown = [c for c in below if c.is_shown]
    allowed = bool(shown) and 2 * len(shown) >= len(below)
    if cell.is_shown and not allowed:
        bad("below_half", f"shown with {len(shown)} of {len(below)} figures below it shown")
    if cell.is_shown and allowed:
        mean = one_decimal(sum((as_fraction(c.value) for c in shown), Fraction(0)) / len(shown))  # type: ignore[arg-type]
        if as_fraction(cell.value) != mean:  # type: ignore[arg-type]
            bad("not_the_mean", f"{cell.value} is not the mean of the shown figures below it ({float(mean)})")
        if cell.answers != sum(c.answers or 0 for c in shown):
            bad("inconsistent", "its number of answers is not the sum of those below it")
    if cell.hidden and cell.reason != Reason.BELOW_HALF.value:
        bad("inconsistent", f"a {cell.measure} figure is hidden only for too few figures below it")


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool, which JSON keeps apart and Python counts as an int


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


# Each field of a figure and the test its JSON value must pass: a tampered table may give any JSON at all, and a
# count given as text must be named, not reach the arithmetic below.
_CELL_FIELDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "measure": ("text", lambda v: isinstance(v, str)),
    "key": ("text", lambda v: isinstance(v, str)),
    "audience": ("text", lambda v: isinstance(v, str)),
    "value": ("a number or null", lambda v: v is None or _is_number(v)),
    "answers": ("a whole number or null", lambda v: v is None or _is_int(v)),
    "hidden": ("true or false", lambda v: type(v) is bool),
    "reason": ("text or null", lambda v: v is None or isinstance(v, str)),
}


def _wrong_types(table: FigureTable) -> list[Violation]:
    out = []
    for group in table.groups:
        if not (isinstance(group.label, str) and _is_int(group.responses)
                and all(isinstance(c, str) for c in group.categories)):
            out.append(Violation("malformed", "", "", str(group.label),
                                 "a group needs a label, its categories as text and a whole number of responses"))
    if not _is_int(table.withheld):
        out.append(Violation("malformed", "", "", "", f"withheld is {table.withheld!r}, not a whole number"))
    for cell in table.figures:
        for field, (kind, passes) in _CELL_FIELDS.items():
            value = getattr(cell, field)
            if not passes(value):
                out.append(Violation("malformed", str(cell.measure), str(cell.key), str(cell.audience),
                                     f"{field} is {value!r}, not {kind}"))
    return out


def check(data: Mapping[str, Any]) -> list[Violation]:
    """Every violation in a figure table, given as the JSON it is sealed as; an empty list when it passes."""
    try:
        table = FigureTable.from_json(data)
    except (KeyError, TypeError) as error:
        return [Violation("malformed", "", "", "", f"not a figure table: {error!r}")]
    out = _wrong_types(table)
    if out:  # the rules below compare and add these values: name what is wrong with them instead
        return out
    for group in table.groups:
        if not group.is_manager and group.responses < MIN_GROUP:
            out.append(Violation("small_group", "", "", group.label, f"a group of {group.responses} is shown"))
    audiences = set(table.audiences)
    by_key: dict[tuple[str, str], dict[str, Cell]] = defaultdict(dict)
    below: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    area: tuple[str, str] | None = None
    sub: tuple[str, str] | None = None
    for cell in table.figures:
        _cell_shape(cell, audiences, out)
        figure = (cell.measure, cell.key)
        if figure not in by_key:  # first figure of this key: place it under the area or sub-area above it
            if cell.measure == AREA:
                area, sub = figure, None
            elif cell.measure == SUB_AREA and area is not None:
                below[area].append(figure)
                sub = figure
            elif cell.measure == STATEMENT and sub is not None:
                below[sub].append(figure)
            else:
                out.append(Violation("malformed", cell.measure, cell.key, cell.audience, "out of order"))
        if cell.audience in by_key[figure]:
            out.append(Violation("duplicate", cell.measure, cell.key, cell.audience, "listed twice"))
        by_key[figure][cell.audience] = cell
    for (measure, key), cells in by_key.items():
        if measure == STATEMENT:
            _check_statement(key, cells, table, out)
            continue
        for audience, cell in cells.items():
            children = [by_key[child][audience] for child in below[(measure, key)] if audience in by_key[child]]
            _check_mean(cell, children, out)
    return out
