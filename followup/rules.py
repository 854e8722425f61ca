"""After the conversation (PRODUCT §10): the rules, pure. The change since the last report, and when an owner is
nudged about a review date.

A figure is compared only where the questions stayed the same: every statement beneath it, in both reports,
carries over from the earlier to the later (`carried_over`: within one version each is itself; between two, as an
administrator declared). What feeds them is only what the two reports print: each area and sub-area "All others"
figure at one decimal, and the numbers of answers printed beside the shown "All others" statement figures beneath
it. Hidden figures carry no
value and no count (reports.table), so nothing hidden can reach a change or a band.

The band (README, "Change since the last report"): a figure's standard error is bounded from its answer counts with
an assumed spread of one answer (`ANSWER_SD`), taking the statements beneath a figure as perfectly correlated
(the widest case); the two reports are taken as independent samples (raters who answered both only narrow the
true band); the change is called a change only beyond `Z` standard errors of the difference plus the 0.1 the two
printed figures' rounding can add, rounded up to the printed precision.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from fractions import Fraction

from reports.anonymity import ALL_OTHERS
from reports.table import AREA, STATEMENT, SUB_AREA, Cell, FigureTable, Layout, as_fraction

ANSWER_SD = 1.0  # the spread assumed for one answer on the 1–5 scale (README: why 1.0)
Z = 1.96  # two-sided 95%
ROUNDING = Fraction(1, 10)  # two figures each printed to ±0.05


class Verdict(Enum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_CLEAR_CHANGE = "no clear change"


class NotCompared(Enum):
    NOT_SHOWN = "not shown in both reports"
    DIFFERENT_STATEMENTS = "rests on different statements in the two reports"
    QUESTIONS_CHANGED = "its statements changed between the two questionnaires"


@dataclass(frozen=True)
class Basis:
    """What a printed "All others" figure rests on: the statements whose shown figures it is the mean of, and their
    numbers of answers, grouped by the shown sub-area they belong to (one group for a sub-area's own figure)."""

    value: Fraction
    answers: int
    counts: tuple[tuple[tuple[str, int], ...], ...]

    @property
    def statements(self) -> frozenset[str]:
        return frozenset(key for group in self.counts for key, _ in group)


@dataclass(frozen=True)
class ChangeRow:
    measure: str  # AREA | SUB_AREA: never a statement, never a group
    key: str
    title: str
    earlier: Basis | None
    later: Basis | None
    change: Fraction | None = None
    band: Fraction | None = None
    verdict: Verdict | None = None
    not_compared: NotCompared | None = None


def standard_error(counts: Sequence[Sequence[int]]) -> float:
    """A bound on the standard error of a mean of statement means (grouped by sub-area; an area is the mean of its
    sub-areas): each statement mean of m answers has at most ANSWER_SD/√m, and a mean of correlated means has at
    most the mean of their standard errors (the triangle inequality for standard deviations)."""
    per_group = [sum(ANSWER_SD / math.sqrt(m) for m in group) / len(group) for group in counts]
    return sum(per_group) / len(per_group)


def noise_band(earlier: Sequence[Sequence[int]], later: Sequence[Sequence[int]]) -> Fraction:
    """How far apart two printed figures may be by chance alone, at printed precision (rounded up)."""
    spread = Z * math.hypot(standard_error(earlier), standard_error(later))
    return Fraction(math.ceil(round(spread * 10, 9)), 10) + ROUNDING


BAND_EXAMPLE_ANSWERS = (5, 12, 20)  # answers to each statement: a small, a typical and a large round


def band_examples() -> list[tuple[int, Fraction]]:
    """The band when every statement beneath a figure has n answers in both reports, for the section's words: the
    same whatever the number of statements (their answers are taken as moving together)."""
    return [(n, noise_band([[n]], [[n]])) for n in BAND_EXAMPLE_ANSWERS]


def verdict(change: Fraction, band: Fraction) -> Verdict:
    """Inside the band (its edge included) is never a change."""
    if abs(change) <= band:
        return Verdict.NO_CLEAR_CHANGE
    return Verdict.HIGHER if change > 0 else Verdict.LOWER


def compare_figures(measure: str, key: str, title: str, earlier: Basis | None, later: Basis | None,
                    carried: Mapping[str, str]) -> ChangeRow:
    """`carried` maps each earlier statement that the later report asks again to its later key (`carried_over`):
    a figure is compared only when every statement beneath it on both sides is one of these, and they are the same
    statements."""
    if earlier is None or later is None:
        return ChangeRow(measure, key, title, earlier, later, not_compared=NotCompared.NOT_SHOWN)
    if not earlier.statements <= carried.keys() or not later.statements <= set(carried.values()):
        return ChangeRow(measure, key, title, earlier, later, not_compared=NotCompared.QUESTIONS_CHANGED)
    if {carried[k] for k in earlier.statements} != later.statements:
        return ChangeRow(measure, key, title, earlier, later, not_compared=NotCompared.DIFFERENT_STATEMENTS)
    change = later.value - earlier.value
    band = noise_band(_counts(earlier), _counts(later))
    return ChangeRow(measure, key, title, earlier, later, change, band, verdict(change, band))


def _counts(basis: Basis) -> list[list[int]]:
    return [[m for _, m in group] for group in basis.counts]


def bases(table: FigureTable, layout: Layout) -> dict[tuple[str, str], Basis]:
    """Every shown "All others" area and sub-area figure of a report, with what it rests on."""
    cells = table.index()

    def shown(measure: str, key: str) -> Cell | None:
        cell = cells.get((measure, key, ALL_OTHERS))
        return cell if cell is not None and cell.is_shown and not cell.hidden else None

    result: dict[tuple[str, str], Basis] = {}
    for area in layout:
        area_groups = []
        for sub in area.sub_areas:
            sub_cell = shown(SUB_AREA, sub.key)
            group = tuple((s.key, c.answers or 0) for s in sub.statements if (c := shown(STATEMENT, s.key)))
            if sub_cell is None or not group:
                continue
            result[(SUB_AREA, sub.key)] = Basis(as_fraction(sub_cell.value), sub_cell.answers or 0, (group,))
            area_groups.append(group)
        area_cell = shown(AREA, area.key)
        if area_cell is not None and area_groups:
            result[(AREA, area.key)] = Basis(as_fraction(area_cell.value), area_cell.answers or 0,
                                             tuple(area_groups))
    return result


def carried_over(earlier_layout: Layout, later_layout: Layout, declared: Mapping[str, str],
                 file_keys: Collection[str]) -> dict[str, str]:
    """Earlier statement key → later key, for each statement the later report asks again. A questionnaire file's
    statements (`file_keys`, the earlier version's) carry over only as `declared`: by themselves within one version,
    as an administrator declared between two (surveys.questionnaire_carry_over). An organisation's own statements
    belong to no file: one carries over where the later report has it under the same key and the same title (the
    title is made from its rater wording, so an edited statement does not)."""
    later = {s.key: s.title for a in later_layout for sub in a.sub_areas for s in sub.statements}
    carried = {k: v for k, v in declared.items() if k in file_keys and v in later}
    for statement in (s for a in earlier_layout for sub in a.sub_areas for s in sub.statements):
        if statement.key not in file_keys and later.get(statement.key) == statement.title:
            carried[statement.key] = statement.key
    return carried


def change_since(earlier: FigureTable, earlier_layout: Layout, later: FigureTable, later_layout: Layout,
                 carried: Mapping[str, str]) -> tuple[ChangeRow, ...]:
    """One row per area and sub-area of the later report, in its order; `carried` as from `carried_over`. The
    earlier figure of the same area or sub-area key is the one compared."""
    before, now = bases(earlier, earlier_layout), bases(later, later_layout)
    rows = []
    for area in later_layout:
        rows.append(compare_figures(AREA, area.key, area.title, before.get((AREA, area.key)),
                                    now.get((AREA, area.key)), carried))
        rows += [compare_figures(SUB_AREA, sub.key, sub.title, before.get((SUB_AREA, sub.key)),
                                 now.get((SUB_AREA, sub.key)), carried) for sub in area.sub_areas]
    return tuple(rows)


# --- Review-date nudges -----------------------------------------------------------------------------------------

NUDGE_WINDOW_DAYS = 14  # a tick late by up to this (an outage) still sends the nudge; a date long past never does


def nudge_due(review_dates: Sequence[date], today: date, sent: Collection[date]) -> date | None:
    """The review date to nudge the owner about today, if any: one reached in the last NUDGE_WINDOW_DAYS days and
    not nudged before. Each date is nudged at most once, whatever the number of ticks."""
    reached = [d for d in review_dates if d <= today < d + timedelta(days=NUDGE_WINDOW_DAYS) and d not in sent]
    return max(reached) if reached else None


def next_review(review_dates: Sequence[date], today: date) -> tuple[int, date] | None:
    """The next review date from today on, with its number (1 for the first), or None once all have passed."""
    return next(((n, d) for n, d in enumerate(review_dates, start=1) if d >= today), None)
