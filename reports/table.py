"""The report's figure table (PRODUCT §3.2): every statement, sub-area and area figure per audience, with its number
of answers and whether and why it is hidden. Pure: built from the responses by `build_table`, sealed with the
report as JSON, checked by `reports.checker` from the JSON alone, and the only source of every number the report
prints, charts and lists.

Values are kept at the precision the report prints (one decimal, half rounded up), so nothing derived from the
table can be read more precisely than the table itself. Statement figures are means of answers; a sub-area's figure
is the mean of its shown statement figures, shown when at least half of them are shown; an area's the mean of its
shown sub-area figures, likewise. Their number of answers is the sum over the figures they are the mean of, which
the reader could add up anyway. The figures are listed in questionnaire order (each area, then each of its
sub-areas followed by its statements), and the checker relies on that order to know what lies below what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from reports.anonymity import (
    ALL_OTHERS,
    SELF,
    Merging,
    RaterResponse,
    Reason,
    counts_in_sub_area,
    hide_statement_figures,
    is_rating,
    merge_groups,
)

STATEMENT, SUB_AREA, AREA = "statement", "sub_area", "area"


def one_decimal(value: Fraction) -> Fraction:
    """Rounded to one decimal, halves up: exact, so the checker can recompute it to the bit."""
    return Fraction(int(value * 10 + Fraction(1, 2)) if value >= 0 else -int(-value * 10 + Fraction(1, 2)), 10)


def as_fraction(value: float) -> Fraction:
    """A table value (one decimal) back as the exact fraction it stands for."""
    return Fraction(round(value * 10), 10)


@dataclass(frozen=True)
class StatementInfo:
    key: str
    title: str


@dataclass(frozen=True)
class SubAreaInfo:
    key: str  # "area.sub_area"
    title: str
    statements: tuple[StatementInfo, ...]


@dataclass(frozen=True)
class AreaInfo:
    key: str
    title: str
    sub_areas: tuple[SubAreaInfo, ...]


Layout = tuple[AreaInfo, ...]


def layout_from_json(data: Iterable[Mapping[str, Any]]) -> Layout:
    return tuple(AreaInfo(a["key"], a["title"], tuple(
        SubAreaInfo(s["key"], s["title"], tuple(StatementInfo(t["key"], t["title"]) for t in s["statements"]))
        for s in a["sub_areas"])) for a in data)


@dataclass(frozen=True)
class TableGroup:
    label: str
    categories: tuple[str, ...]
    responses: int

    @property
    def is_manager(self) -> bool:
        return self.categories == ("manager",)


@dataclass(frozen=True)
class Cell:
    measure: str
    key: str
    audience: str
    value: float | None
    answers: int | None  # None when hidden: a hidden figure says nothing, not even its number of answers
    hidden: bool
    reason: str | None

    @property
    def is_shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class FigureTable:
    groups: tuple[TableGroup, ...]
    withheld: int
    figures: tuple[Cell, ...]

    @property
    def audiences(self) -> tuple[str, ...]:
        return (*(g.label for g in self.groups), ALL_OTHERS, SELF)

    def index(self) -> dict[tuple[str, str, str], Cell]:
        return {(c.measure, c.key, c.audience): c for c in self.figures}

    def to_json(self) -> dict[str, Any]:
        return {"groups": [{"label": g.label, "categories": list(g.categories), "responses": g.responses}
                           for g in self.groups],
                "withheld": self.withheld,
                "figures": [asdict(c) for c in self.figures]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FigureTable:
        return cls(tuple(TableGroup(g["label"], tuple(g["categories"]), g["responses"]) for g in data["groups"]),
                   data["withheld"], tuple(Cell(**c) for c in data["figures"]))


def _shown(measure: str, key: str, audience: str, value: Fraction, answers: int) -> Cell:
    return Cell(measure, key, audience, float(value), answers, False, None)


def _hidden(measure: str, key: str, audience: str, reason: Reason) -> Cell:
    return Cell(measure, key, audience, None, None, True, reason.value)


def _empty(measure: str, key: str, audience: str) -> Cell:
    return Cell(measure, key, audience, None, 0, False, None)


def mean_of_shown(measure: str, key: str, audience: str, below: Sequence[Cell]) -> Cell:
    """A sub-area or area figure: the mean of the shown figures below it, when at least half of them are shown."""
    shown = [c for c in below if c.is_shown]
    if not shown and not any(c.hidden for c in below):
        return _empty(measure, key, audience)  # nobody answered any of it
    if not shown or 2 * len(shown) < len(below):
        return _hidden(measure, key, audience, Reason.BELOW_HALF)
    value = one_decimal(sum((as_fraction(c.value) for c in shown), Fraction(0)) / len(shown))  # type: ignore[arg-type]
    return _shown(measure, key, audience, value, sum(c.answers or 0 for c in shown))


def counted_answers(layout: Layout, answers: Mapping[str, int | str]) -> dict[str, int]:
    """A rater's ratings that count: none in a sub-area where they rated fewer than half of its statements."""
    counted: dict[str, int] = {}
    for area in layout:
        for sub in area.sub_areas:
            keys = [s.key for s in sub.statements]
            if counts_in_sub_area(answers, keys):
                counted |= {k: v for k in keys if is_rating(v := answers.get(k))}  # type: ignore[misc]
    return counted


def _statement_cells(key: str, groups: Sequence[tuple[str, bool, list[int]]], self_value: int | None,
                     rule_b: bool) -> list[Cell]:
    counts = {label: len(values) for label, _, values in groups}
    managers = frozenset(label for label, is_manager, _ in groups if is_manager)
    hidden = hide_statement_figures(counts, managers, [label for label, _, _ in groups], rule_b=rule_b)
    cells = []
    everyone: list[int] = []
    for label, _, values in groups:
        everyone += values
        if label in hidden:
            cells.append(_hidden(STATEMENT, key, label, hidden[label]))
        elif values:
            cells.append(_shown(STATEMENT, key, label, one_decimal(Fraction(sum(values), len(values))), len(values)))
        else:
            cells.append(_empty(STATEMENT, key, label))
    if ALL_OTHERS in hidden:
        cells.append(_hidden(STATEMENT, key, ALL_OTHERS, hidden[ALL_OTHERS]))
    elif everyone:
        cells.append(_shown(STATEMENT, key, ALL_OTHERS, one_decimal(Fraction(sum(everyone), len(everyone))),
                            len(everyone)))
    else:
        cells.append(_empty(STATEMENT, key, ALL_OTHERS))
    cells.append(_shown(STATEMENT, key, SELF, Fraction(self_value), 1) if self_value is not None
                 else _empty(STATEMENT, key, SELF))
    return cells


def build_table(layout: Layout, responses: Sequence[RaterResponse], self_answers: Mapping[str, int | str],
                *, rule_b: bool = True) -> tuple[FigureTable, Merging]:
    """Merge the groups, compute every statement figure, hide by rules (a) and (b), and take the means above."""
    merging = merge_groups([r.category for r in responses])
    counted = {m: counted_answers(layout, responses[m].answers)
               for group in merging.groups for m in group.members}
    # The owner's own ratings are theirs to see: the half-of-statements rule is about raters.
    self_counted = {k: v for k, v in self_answers.items() if is_rating(v)}
    audiences = [*(g.label for g in merging.groups), ALL_OTHERS, SELF]
    figures: list[Cell] = []
    for area in layout:
        sub_cells: dict[str, list[Cell]] = {a: [] for a in audiences}
        block: list[Cell] = []
        for sub in area.sub_areas:
            statement_cells: dict[str, list[Cell]] = {a: [] for a in audiences}
            rows: list[Cell] = []
            for statement in sub.statements:
                groups = [(g.label, g.is_manager, [counted[m][statement.key] for m in sorted(g.members)
                                                   if statement.key in counted[m]]) for g in merging.groups]
                cells = _statement_cells(statement.key, groups, self_counted.get(statement.key), rule_b)
                for cell in cells:
                    statement_cells[cell.audience].append(cell)
                rows += cells
            sub_row = [mean_of_shown(SUB_AREA, sub.key, a, statement_cells[a]) for a in audiences]
            for cell in sub_row:
                sub_cells[cell.audience].append(cell)
            block += [*sub_row, *rows]
        figures += [*(mean_of_shown(AREA, area.key, a, sub_cells[a]) for a in audiences), *block]
    table = FigureTable(
        tuple(TableGroup(g.label, tuple(c.value for c in g.categories), len(g.members)) for g in merging.groups),
        len(merging.withheld), tuple(figures))
    return table, merging
