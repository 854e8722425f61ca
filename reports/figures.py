"""What the report shows, laid out from the figure table alone (PRODUCT §4): rows per area, sub-area and
statement, the At a glance lines, blind spots and hidden strengths, highest and lowest.

Everything here is derived from shown figures at the precision printed (one decimal): the table is the only source,
so no list or chart can say more than the tables do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from reports.anonymity import ALL_OTHERS, SELF
from reports.table import AREA, STATEMENT, SUB_AREA, Cell, FigureTable, Layout, as_fraction

GAP_THRESHOLD = Fraction(1)  # self versus all others on the 1–5 scale; the report states it
TOP_N = 5
GLANCE_N = 3


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    cells: Mapping[str, Cell]  # by audience: every group label, ALL_OTHERS and SELF

    @property
    def all_others(self) -> Cell:
        return self.cells[ALL_OTHERS]

    @property
    def self_cell(self) -> Cell:
        return self.cells[SELF]


@dataclass(frozen=True)
class SubAreaView:
    row: Row
    statements: tuple[Row, ...]


@dataclass(frozen=True)
class AreaView:
    row: Row
    sub_areas: tuple[SubAreaView, ...]


@dataclass(frozen=True)
class Gap:
    key: str
    title: str
    self_value: float
    others: float

    @property
    def difference(self) -> float:
        return float(abs(as_fraction(self.self_value) - as_fraction(self.others)))


@dataclass(frozen=True)
class ReportView:
    groups: tuple[tuple[str, int], ...]
    withheld: int
    areas: tuple[AreaView, ...]
    blind_spots: tuple[Gap, ...]
    hidden_strengths: tuple[Gap, ...]
    highest: tuple[Row, ...]
    lowest: tuple[Row, ...]

    @property
    def responses(self) -> int:
        return sum(count for _, count in self.groups)

    def statements(self) -> list[Row]:
        return [row for area in self.areas for sub in area.sub_areas for row in sub.statements]


def view(table: FigureTable, layout: Layout) -> ReportView:
    cells = table.index()

    def row(measure: str, key: str, title: str) -> Row:
        return Row(key, title, {a: cells[(measure, key, a)] for a in table.audiences})

    areas = tuple(
        AreaView(row(AREA, area.key, area.title), tuple(
            SubAreaView(row(SUB_AREA, sub.key, sub.title),
                        tuple(row(STATEMENT, s.key, s.title) for s in sub.statements))
            for sub in area.sub_areas))
        for area in layout)
    statements = [r for a in areas for s in a.sub_areas for r in s.statements]
    blind, strengths = gaps(statements)
    highest, lowest = extremes(statements)
    return ReportView(tuple((g.label, g.responses) for g in table.groups), table.withheld, areas, blind, strengths,
                      highest, lowest)


def _tenths(value: float) -> int:
    """A table value (one decimal) as a whole number of tenths: `as_fraction(value)` is exactly this over 10, so
    sums, differences and order are the same as the fractions', at the cost of integers (sorting by fractions was
    a tenth of the report page)."""
    return round(value * 10)


def gaps(statements: Sequence[Row]) -> tuple[tuple[Gap, ...], tuple[Gap, ...]]:
    """Blind spots (self notably higher than all others) and hidden strengths (all others notably higher), largest
    first, from the shown figures as printed; sorted() keeps questionnaire order on ties."""
    pairs = [(_tenths(r.self_cell.value) - _tenths(r.all_others.value),  # type: ignore[arg-type]
              Gap(r.key, r.title, r.self_cell.value, r.all_others.value))  # type: ignore[arg-type]
             for r in statements if r.self_cell.is_shown and r.all_others.is_shown]
    threshold = GAP_THRESHOLD * 10
    blind = sorted((p for p in pairs if p[0] >= threshold), key=lambda p: -p[0])
    strengths = sorted((p for p in pairs if -p[0] >= threshold), key=lambda p: p[0])
    return tuple(g for _, g in blind), tuple(g for _, g in strengths)


def extremes(statements: Sequence[Row]) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
    """The statements all others rated highest and lowest. With fewer than 2 × TOP_N shown, they are split fairly:
    the higher half (the middle one, when odd, goes to neither) — so neither heading is empty once two are shown."""
    scored = [r for r in statements if r.all_others.is_shown]
    by_value = sorted(scored, key=lambda r: -_tenths(r.all_others.value))  # type: ignore[arg-type]
    if len(scored) == 1:
        return tuple(scored), ()
    n = min(TOP_N, len(scored) // 2)
    lowest = sorted(scored, key=lambda r: _tenths(r.all_others.value))[:n]  # type: ignore[arg-type]
    return tuple(by_value[:n]), tuple(lowest)


@dataclass(frozen=True)
class Words:
    """The words that change with the reader: the owner reads "you"; anyone else reads the owner's name."""

    is_owner: bool
    name: str

    @property
    def you(self) -> str:
        return "you" if self.is_owner else self.name

    @property
    def You(self) -> str:
        return "You" if self.is_owner else self.name

    @property
    def your(self) -> str:
        return "your" if self.is_owner else f"{self.name}’s"

    @property
    def Your(self) -> str:
        return "Your" if self.is_owner else f"{self.name}’s"

    @property
    def yourself(self) -> str:
        return "yourself" if self.is_owner else "themselves"

    @property
    def self_label(self) -> str:
        return "You" if self.is_owner else "Self"


def shown_rows_csv(report: ReportView) -> list[list[str]]:
    """The shown figures as rows for the owner's CSV download: one line per figure, at the precision printed."""
    header = ["Measure", "Key", "Title", "Audience", "Average", "Answers"]
    lines = [header]
    for area in report.areas:
        rows = [("Area", area.row)]
        for sub in area.sub_areas:
            rows += [("Sub-area", sub.row), *(("Statement", r) for r in sub.statements)]
        for measure, row in rows:
            for audience, cell in row.cells.items():
                if cell.is_shown:
                    lines.append([measure, row.key, row.title, audience, f"{cell.value:.1f}", str(cell.answers)])
    return lines
