"""The usage table: its cells, named by strings so they can be stored, and the additive constraints between them.
Pure: which constraints hold follows from which cells exist.

A cell is `kind:name:period`: kind `m` is a measure of the organisation (rounds started, raters invited, …), `f` a
facilitator's sessions (name is their user id), `e` the sum of one evaluation question's ratings (never shown
itself: an average is shown beside its count, and sum = average × count, so the sums are checked as cells too, and
a sum is hidden exactly when its period's count of evaluations is).
`o` the number of different owners behind another cell (named `kind.name`: `o:m.rounds_started:2026Q1`), never
shown, in no sum (owners in two quarters are one owner in the year), and used only to hide what rests on 1 or 2.
A period is a quarter (`2026Q1`) or a financial year (`FY2026`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from usage.periods import FinancialYear, Quarter
from usage.rules import Constraint

MEASURE = "m"
FACILITATOR = "f"
EVALUATION_SUM = "e"
OWNERS = "o"
NOT_SHOWN = frozenset({OWNERS})  # kinds that are only ever hidden
SESSIONS = "sessions_held"
AGREED = "summaries_agreed"
EVALUATIONS = "evaluations"
FORMER = 0  # the facilitator of a session whose account has been deleted
INVITED = "raters_invited"
RESPONDED = "raters_responded"


def cell(kind: str, name: str | int, period: str) -> str:
    return f"{kind}:{name}:{period}"


def owners_cell(kind: str, name: str | int, period: str) -> str:
    return cell(OWNERS, f"{kind}.{name}", period)


def owners_of(key: str) -> str:
    """The cell an `o` cell counts the owners of, without its period: `m.rounds_started`."""
    return parse(key)[1]


def parse(key: str) -> tuple[str, str, str]:
    kind, name, period = key.split(":")
    return kind, name, period


def is_year(period: str) -> bool:
    return period.startswith("FY")


def constraints(keys: Iterable[str]) -> list[Constraint]:
    """A year is the sum of its quarters (a quarter with no cell had none); the organisation's sessions in a quarter
    are the sum of its facilitators'."""
    present = set(keys)
    found: list[Constraint] = []
    series: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in present:
        kind, name, period = parse(key)
        if kind != OWNERS:  # distinct owners do not add up
            series[(kind, name)].add(period)
    for (kind, name), periods in sorted(series.items()):
        for period in sorted(p for p in periods if is_year(p)):
            quarters = FinancialYear(int(period[2:])).quarters
            parts = tuple(k for q in quarters if (k := cell(kind, name, q.key)) in present)
            found.append(Constraint(cell(kind, name, period), parts))
    by_period: dict[str, list[str]] = defaultdict(list)
    for key in sorted(present):
        kind, _, period = parse(key)
        if kind == FACILITATOR:
            by_period[period].append(key)
    for period, parts in sorted(by_period.items()):
        found.append(Constraint(cell(MEASURE, SESSIONS, period), tuple(parts)))
    return found


CLOSED = "rounds_closed"


def sums(keys: Iterable[str]) -> dict[str, str]:
    """Each evaluation sum cell, with the count of evaluations it is the sum over."""
    return {key: cell(MEASURE, EVALUATIONS, parse(key)[2]) for key in keys if parse(key)[0] == EVALUATION_SUM}


def people_behind(values: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
    """The groups of people each cell rests on, beyond its own count: the different owners behind a count of rounds
    (one owner can have two); and raters are counted over the rounds closed in the period, so a quarter in which one
    round (or one owner's rounds) closed must not show its raters."""
    found: dict[str, tuple[int, ...]] = {}
    for key in values:
        kind, name, period = parse(key)
        if kind not in {MEASURE, FACILITATOR}:
            continue
        behind = CLOSED if kind == MEASURE and name in {INVITED, RESPONDED} else name
        owners = values.get(owners_cell(kind, behind, period))
        if owners is not None:
            found[key] = (owners,)
        elif behind == CLOSED and name != CLOSED:  # figures published before owners were counted
            found[key] = (values.get(cell(MEASURE, CLOSED, period), 0),)
    return found


def year_cells(quarter: Quarter, values: Mapping[str, int]) -> dict[str, int]:
    """When `quarter` ends a financial year: that year's cells, each the sum of its quarters' stored values.
    Facilitators get no year: with a year per facilitator as well as per quarter the sessions would be a two-way
    table, in which hidden cells can be added up across rows and columns in ways the rules do not follow (see
    rules.derivable_groups); as a tree (facilitators → quarter → year) every such sum is checked."""
    if quarter.number != 4:
        return {}
    year = quarter.financial_year
    quarter_keys = {q.key for q in year.quarters}
    sums: dict[str, int] = defaultdict(int)
    for key, value in values.items():
        kind, name, period = parse(key)
        if period in quarter_keys and kind not in {FACILITATOR, OWNERS}:
            sums[cell(kind, name, year.key)] += value
    return dict(sums)


@dataclass(frozen=True)
class Published:
    """Every cell published so far for one organisation: its value, and whether it is hidden."""

    cells: Mapping[str, tuple[int, bool]]

    def values(self) -> dict[str, int]:
        return {k: value for k, (value, _) in self.cells.items()}

    def shown(self) -> dict[str, int | None]:
        return {k: None if hidden else value for k, (value, hidden) in self.cells.items()}

    def get(self, kind: str, name: str | int, period: str) -> int | None:
        """The shown value; None when hidden. A cell never published is a true zero (nothing happened)."""
        value, hidden = self.cells.get(cell(kind, name, period), (0, False))
        return None if hidden else value

    def rate(self, period: str) -> float | None:
        """Responses as a share of raters invited, shown only when both counts are (from one and the rate, the
        other could be worked out)."""
        invited, responded = self.get(MEASURE, INVITED, period), self.get(MEASURE, RESPONDED, period)
        if invited is None or responded is None or invited == 0:
            return None
        return responded / invited

    def facilitators(self) -> list[int]:
        return sorted({int(parse(k)[1]) for k in self.cells if parse(k)[0] == FACILITATOR})

    def shown_cells(self) -> dict[str, tuple[int, bool]]:
        """The cells a reader meets (as figures, or as "hidden"): not the owners behind them."""
        return {k: v for k, v in self.cells.items() if parse(k)[0] not in NOT_SHOWN}

    def average(self, question: str, period: str) -> float | None:
        """A question's mean rating, shown only beside its count of evaluations: None when that count is hidden
        or zero (the sum is hidden with the count, so the two cannot disagree)."""
        count = self.get(MEASURE, EVALUATIONS, period)
        total = self.get(EVALUATION_SUM, question, period)
        if not count or total is None:
            return None
        return total / count
