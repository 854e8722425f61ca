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
4. **Small groups** (as the report's rule (b), PRODUCT §3.2): where a constraint's total is shown, its total minus
   its shown parts is the sum of its hidden parts, a figure in its own right ("the other two quarters"). So the
   hidden parts of such a constraint, taken together, must rest on 0 or at least `THRESHOLD` people, by their count
   and by every group of people behind them; otherwise one more sibling is hidden, a part other than a zero (hiding
   a zero adds no one) or else the total. Without this the sibling rule may pick a zero: a 1 and a 0 hidden under a
   shown year still say "one, in one of these two quarters", and under an average, one person's ratings.

Averages are shown beside their counts, so their sums (average × count) are cells too, in constraints of their own
(a year's sum is its quarters'): `table_problems` is told which count each sum belongs to, and a sum must be hidden
exactly when its count is. The sums' constraints then have the counts' hidden pattern, so nothing more can be worked
out about the sums than about the counts, and a sum that can be worked out is over 0 or at least 3 evaluations.

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

    def lone_parts(constraint: Constraint) -> list[Cell]:
        return [c for c in constraint.parts if c in hidden]

    def shown() -> dict[Cell, int | None]:
        return {c: None if c in hidden else v for c, v in values.items()}

    def hide_sibling(constraint: Constraint, needs_people: bool = False) -> bool:
        candidates = [c for c in constraint.cells if c not in hidden and c not in fixed]
        if not candidates:
            return False
        # The smallest first (least is lost), parts before the total on a tie, then the table's own order; a zero
        # last when the hidden cells need more people behind them (hiding a zero adds no one).
        hidden.add(min(candidates, key=lambda c: (needs_people and values[c] == 0, values[c], c == constraint.total,
                                                  order[c])))
        return True

    while True:
        lone = [k for k in constraints if sum(c in hidden for c in k.cells) == 1]
        if lone:
            if not any(hide_sibling(k, _rests_on_few(lone_parts(k), sum(values[c] for c in lone_parts(k)),
                                                    people)) for k in lone):
                raise SuppressionError("a lone hidden cell has no new sibling to hide")
            continue
        small = small_groups(shown(), constraints, people, values)
        if small:
            if not any(hide_sibling(k, True) for k, _ in small):
                raise SuppressionError("a small group of hidden cells has no new sibling to hide")
            continue
        exposed = recoverable(hidden, constraints)
        if not exposed:
            return hidden
        touching = [k for k in constraints if exposed & set(k.cells)]
        if not any(hide_sibling(k) for k in touching):
            raise SuppressionError("a recoverable cell has no new sibling to hide")


def _rests_on_few(group: Collection[Cell], value: int, people: People | None) -> bool:
    """A group of hidden cells whose sum is known is a figure in its own right: too few when its sum, or the sum of
    any group of people behind its cells, is 1 or 2."""
    if is_small(value):
        return True
    behind = [people.get(c, ()) for c in group] if people else []
    return bool(behind) and all(behind) and any(is_small(sum(g)) for g in zip(*behind, strict=True))


def derivable_groups(shown: Mapping[Cell, int | None], constraints: Iterable[Constraint]
                     ) -> list[tuple[Constraint, frozenset[Cell], int]]:
    """Sets of two or more hidden cells whose sum a reader can work out, each with the constraint it starts from and
    that sum: a shown total minus its shown parts gives the sum of its hidden parts; and a hidden part that is the
    total of another constraint can be opened into that constraint's hidden parts by subtracting its shown parts
    (a shown year minus the shown quarters and the shown facilitators of a hidden quarter). Complete where each
    cell is the total of at most one constraint and a part of at most one, as the usage table is (property-tested
    against brute force over every subset); sound, not complete, for tables with two totals over the same cells."""
    constraints = list(constraints)
    by_total: dict[Cell, list[Constraint]] = {}
    for k in constraints:
        by_total.setdefault(k.total, []).append(k)

    def opened(cell: Cell, seen: frozenset[Cell]) -> list[tuple[frozenset[Cell], int]]:
        """Every way of writing a hidden cell as hidden cells plus a known amount (the amount subtracted)."""
        ways = [(frozenset({cell}), 0)]
        for k in by_total.get(cell, []) if cell not in seen else []:
            parts = [p for p in k.parts if shown[p] is None]
            known = sum(v for p in k.parts if (v := shown[p]) is not None)
            for cells, minus in _combine([opened(p, seen | {cell}) for p in parts]):
                ways.append((cells, known + minus))
        return ways

    found = []
    for k in constraints:
        total = shown[k.total]
        parts = [p for p in k.parts if shown[p] is None]
        if total is None or not parts:
            continue
        rest = total - sum(v for p in k.parts if (v := shown[p]) is not None)
        for cells, minus in _combine([opened(p, frozenset()) for p in parts]):
            if len(cells) > 1:
                found.append((k, cells, rest - minus))
    return found


def _combine(options: list[list[tuple[frozenset[Cell], int]]]) -> list[tuple[frozenset[Cell], int]]:
    combined = [(frozenset[Cell](), 0)]
    for choices in options:
        combined = [(cells | more, minus + extra) for cells, minus in combined for more, extra in choices]
    return combined


def small_groups(shown: Mapping[Cell, int | None], constraints: Iterable[Constraint], people: People | None = None,
                 values: Mapping[Cell, int] | None = None) -> list[tuple[Constraint, frozenset[Cell]]]:
    """The derivable groups that rest on 1 or 2 people. With `values` (the suppressor's own view) a group's sum
    is its cells' true values added up; without, what the reader works out (the same number when the table adds
    up)."""
    found = []
    for k, cells, value in derivable_groups(shown, constraints):
        if values is not None:
            value = sum(values[c] for c in cells)
        if _rests_on_few(cells, value, people):
            found.append((k, cells))
    return found


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
                   people: People | None = None, sums: Mapping[Cell, Cell] | None = None) -> list[str]:
    """The checker for any table about to be shown or sealed in a report: `shown` maps each cell to its shown
    value, or None where it is hidden; `sums` names the cells that are sums behind an average (a sum of ratings,
    not a count of people), each with the count it is over. Returns what is wrong (empty when safe): a small
    figure shown, a shown total whose hidden parts rest on 1 or 2 people, a sum shown or hidden apart from its
    count, or a hidden figure that can be worked out from the rest."""
    constraints = list(constraints)
    sums = sums or {}
    counts = {cell: value for cell, value in shown.items() if cell not in sums}
    problems = [f"{cell} is shown with {value}" for cell, value in counts.items()
                if value is not None and is_small(value)]
    problems += [f"{cell} is shown, resting on {list(people[cell])} people" for cell, value in counts.items()
                 if value is not None and people and any(is_small(n) for n in people.get(cell, ()))]
    problems += [f"{cell} is {'hidden' if shown[cell] is None else 'shown'} but its count {count} is not"
                 for cell, count in sums.items() if (shown[cell] is None) != (shown.get(count) is None)]
    for constraint in constraints:
        missing = [c for c in constraint.cells if c not in shown]
        if missing:
            problems.append(f"a constraint names cells the table lacks: {missing}")
            continue
        if all(shown[c] is not None for c in constraint.cells) and \
                shown[constraint.total] != sum(shown[p] for p in constraint.parts):  # type: ignore[misc]
            problems.append(f"{constraint.total} is not the sum of its parts")
    # A sum of ratings rests on its count's people, which the counts' own groups check.
    counted = [k for k in constraints if k.total not in sums and all(c in shown for c in k.cells)]
    problems += [f"{k.total} minus shown figures gives away {sorted(map(str, cells))} together"
                 for k, cells in small_groups(shown, counted, people)]
    hidden = [cell for cell, value in shown.items() if value is None]
    problems += [f"{cell} can be worked out from the shown figures"
                 for cell in sorted(recoverable(hidden, constraints), key=str)]
    return problems
