"""Suppression of small numbers in the local lead's usage figures (PRODUCT §6), as pure functions.

A table is a set of cells (any hashable keys) with counts, and its additive constraints: a total equals the sum of
its parts (a row's total, a year's four quarters, one facilitator's sessions summed into the organisation's).

1. **Primary**: a count of 1 or 2 is hidden (built from fewer than `THRESHOLD` people). Zero is shown, as in NHS
   Digital's and NHS England's published statistics: "nobody" points at no one. A cell resting on more than one
   group of people (raters, and the owners whose rounds they were invited to) is hidden when any group is small.
2. **Secondary, next smallest sibling** (the NHS England Friends and Family Test rule): wherever a constraint has
   exactly one hidden cell, its total minus the shown cells would give it away, so hide the smallest other cell of
   that constraint that may still change, and go round again until no constraint has a lone hidden cell.
3. **Proof, and more if needed**: the sibling rule looks at one constraint at a time, and cells hidden for
   different constraints can still be solved together. So `recoverable` solves the whole system exactly: a hidden
   cell can be worked out from what is shown iff its unit vector lies in the row space of the constraints restricted
   to the hidden cells (exact Gaussian elimination over the rationals, no floating point). While any hidden cell is
   recoverable, one more sibling of it is hidden. The result is shown only when nothing is recoverable.

Cells already published (earlier quarters) are `fixed`: their shown or hidden state never changes, so a figure once
shown stays shown and no quarter's report can be subtracted from another's. Only new cells can be hidden to protect
a new one (a year's total is new when its last quarter is).

What this does not claim: it defends against linear combinations of the shown figures, which is how totals and
periods are subtracted. Someone who also uses that counts cannot be negative may narrow a hidden count to a range
(two hidden cells summing to 3 are each 0 to 3); it never pins one down when the hidden cells of each constraint sum
to 3 or more, which primary plus secondary suppression of non-zero cells gives in practice.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 3

Cell = Hashable


@dataclass(frozen=True)
class Constraint:
    """`total` equals the sum of `parts`."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


class SuppressionError(RuntimeError):
    """No new cell is left to hide, so the table cannot be shown safely. Never expected: a new cell always has a
    new sibling (its period's total, its year); raised rather than showing something unsafe."""


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


People = Mapping[Cell, Sequence[int]]


def too_few(cell: Cell, values: Mapping[Cell, int], people: People | None) -> bool:
    """Whether the cell rests on 1 or 2 people. A count is of people (or of rounds, one owner each), so its value
    is its people; some cells rest on more than one group, as raters counted over the rounds that closed in a
    quarter rest on those raters and on the rounds' owners, and are too few when any group is."""
    groups = people.get(cell, ()) if people else ()
    return is_small(values[cell]) or any(is_small(n) for n in groups)


def primary(values: Mapping[Cell, int], people: People | None = None) -> set[Cell]:
    return {cell for cell in values if too_few(cell, values, people)}


def suppress(values: Mapping[Cell, int], constraints: Iterable[Constraint],
             fixed_hidden: Collection[Cell] = (), fixed_shown: Collection[Cell] = (),
             people: People | None = None) -> set[Cell]:
    """The cells to hide. `values` holds every cell; fixed cells keep their state, the others are hidden when
    small (primary) or to protect another (secondary). Raises SuppressionError when a fixed cell would have to be
    hidden, or a fixed shown cell is small."""
    constraints = list(constraints)
    order = {cell: n for n, cell in enumerate(values)}
    fixed = set(fixed_hidden) | set(fixed_shown)
    if any(too_few(c, values, people) for c in fixed_shown):
        raise SuppressionError("a published cell is small")
    hidden = set(fixed_hidden) | {c for c in primary(values, people) if c not in fixed}

    def hide_sibling(constraint: Constraint) -> bool:
        candidates = [c for c in constraint.cells if c not in hidden and c not in fixed]
        if not candidates:
            return False
        # The smallest first (least is lost), parts before the total on a tie, then the table's own order.
        hidden.add(min(candidates, key=lambda c: (values[c], c == constraint.total, order[c])))
        return True

    while True:
        lone = [k for k in constraints if sum(c in hidden for c in k.cells) == 1]
        if lone:
            if not any(hide_sibling(k) for k in lone):
                raise SuppressionError("a lone hidden cell has no new sibling to hide")
            continue
        exposed = recoverable(hidden, constraints)
        if not exposed:
            return hidden
        touching = [k for k in constraints if exposed & set(k.cells)]
        if not any(hide_sibling(k) for k in touching):
            raise SuppressionError("a recoverable cell has no new sibling to hide")


def recoverable(hidden: Collection[Cell], constraints: Iterable[Constraint]) -> set[Cell]:
    """The hidden cells that a reader could work out exactly from the shown cells and the constraints.

    Each constraint is a linear equation; moving its shown cells to the right-hand side leaves an equation in the
    hidden cells alone. A hidden cell is determined iff its unit vector is in the row space of those equations,
    which in reduced row echelon form means some row is exactly that unit vector."""
    columns = {cell: n for n, cell in enumerate(c for c in dict.fromkeys(hidden))}
    rows: list[dict[int, Fraction]] = []
    for constraint in constraints:
        row: dict[int, Fraction] = {}
        for cell, coefficient in ((constraint.total, -1), *((p, 1) for p in constraint.parts)):
            if cell in columns:
                n = columns[cell]
                row[n] = row.get(n, Fraction(0)) + coefficient
        row = {n: v for n, v in row.items() if v != 0}
        if row:
            rows.append(row)
    reduced = _reduced_row_echelon(rows)
    cells = list(columns)
    return {cells[next(iter(row))] for row in reduced if len(row) == 1}


def _reduced_row_echelon(rows: list[dict[int, Fraction]]) -> list[dict[int, Fraction]]:
    """Gauss-Jordan elimination on sparse rows (column → coefficient), exact."""
    pivots: dict[int, dict[int, Fraction]] = {}  # pivot column → its row, scaled so the pivot is 1
    for original in rows:
        row = dict(original)
        for column, pivot_row in pivots.items():  # reduce by every earlier pivot
            if column in row:
                _subtract(row, pivot_row, row[column])
        if not row:
            continue
        column = min(row)
        scale = row[column]
        row = {n: v / scale for n, v in row.items()}
        for other in pivots.values():  # clear the new pivot column from the earlier rows
            if column in other:
                _subtract(other, row, other[column])
        pivots[column] = row
    return list(pivots.values())


def _subtract(row: dict[int, Fraction], pivot_row: dict[int, Fraction], factor: Fraction) -> None:
    for n, v in pivot_row.items():
        value = row.get(n, Fraction(0)) - factor * v
        if value == 0:
            row.pop(n, None)
        else:
            row[n] = value


def table_problems(shown: Mapping[Cell, int | None], constraints: Iterable[Constraint],
                   people: People | None = None) -> list[str]:
    """The checker for any table about to be shown or sealed in a report: `shown` maps each cell to its shown
    value, or None where it is hidden. Returns what is wrong (empty when safe): a small figure shown, or a hidden
    one that can be worked out from the rest."""
    constraints = list(constraints)
    problems = [f"{cell} is shown with {value}" for cell, value in shown.items()
                if value is not None and is_small(value)]
    problems += [f"{cell} is shown, resting on {list(people[cell])} people" for cell, value in shown.items()
                 if value is not None and people and any(is_small(n) for n in people.get(cell, ()))]
    for constraint in constraints:
        missing = [c for c in constraint.cells if c not in shown]
        if missing:
            problems.append(f"a constraint names cells the table lacks: {missing}")
        elif all(shown[c] is not None for c in constraint.cells) and \
                shown[constraint.total] != sum(shown[p] for p in constraint.parts):  # type: ignore[misc]
            problems.append(f"{constraint.total} is not the sum of its parts")
    hidden = [cell for cell, value in shown.items() if value is None]
    problems += [f"{cell} can be worked out from the shown figures"
                 for cell in sorted(recoverable(hidden, constraints), key=str)]
    return problems
