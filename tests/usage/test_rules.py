"""Suppression: small cells hidden, and nothing hidden can be worked out from totals, other cells or other periods."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from usage.rules import THRESHOLD, Constraint, recoverable, suppress, table_problems


def _grid(values: list[list[int]]) -> tuple[dict, list[Constraint]]:
    """A table with row totals, column totals and a grand total, as the usage view shows them."""
    rows, cols = len(values), len(values[0])
    cells = {(r, c): values[r][c] for r in range(rows) for c in range(cols)}
    cells |= {(r, "total"): sum(values[r]) for r in range(rows)}
    cells |= {("total", c): sum(values[r][c] for r in range(rows)) for c in range(cols)}
    cells[("total", "total")] = sum(map(sum, values))
    constraints = [Constraint((r, "total"), tuple((r, c) for c in range(cols))) for r in range(rows)]
    constraints += [Constraint(("total", c), tuple((r, c) for r in range(rows))) for c in range(cols + 1)
                    if c < cols] + [Constraint(("total", "total"), tuple(("total", c) for c in range(cols))),
                                    Constraint(("total", "total"), tuple((r, "total") for r in range(rows)))]
    return cells, constraints


def _shown(values: dict, hidden: set) -> dict:
    return {cell: None if cell in hidden else value for cell, value in values.items()}


def test_a_year_minus_three_quarters_gives_nothing_away() -> None:
    values = {"Q1": 5, "Q2": 4, "Q3": 1, "Q4": 6, "year": 16}
    year = [Constraint("year", ("Q1", "Q2", "Q3", "Q4"))]
    hidden = suppress(values, year)
    assert hidden == {"Q3", "Q2"}  # the 1, and its next smallest sibling
    assert table_problems(_shown(values, hidden), year) == []
    assert table_problems(_shown(values, {"Q3"}), year) == ["Q3 can be worked out from the shown figures"]


def test_the_checker_refuses_a_small_figure_shown_and_a_total_that_does_not_add_up() -> None:
    year = [Constraint("year", ("Q1", "Q2"))]
    assert table_problems({"Q1": 2, "Q2": 5, "year": 7}, year) == ["Q1 is shown with 2"]
    assert table_problems({"Q1": 3, "Q2": 5, "year": 9}, year) == ["year is not the sum of its parts"]


def test_cells_hidden_for_different_totals_are_solved_together() -> None:
    # The next-smallest-sibling rule alone leaves every row and column of this table with two or more hidden cells,
    # yet the equations taken together give the 1 at (1, 2) away; the exact check finds it and hides more.
    values, constraints = _grid([[0, 2, 0], [0, 2, 1], [1, 5, 0]])
    siblings_only = {("total", 0), ("total", 2), (0, "total"), (0, 1), (1, "total"), (1, 1), (1, 2), (2, 0), (2, 2)}
    assert all(sum(c in siblings_only for c in k.cells) != 1 for k in constraints)
    assert recoverable(siblings_only, constraints) == {(1, 2)}
    hidden = suppress(values, constraints)
    assert table_problems(_shown(values, hidden), constraints) == []


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 8), min_size=c, max_size=c), min_size=r, max_size=r))))
def test_any_table_with_totals_is_safe_after_suppression(values: list[list[int]]) -> None:
    cells, constraints = _grid(values)
    hidden = suppress(cells, constraints)
    assert {c for c, v in cells.items() if 0 < v < THRESHOLD} <= hidden
    assert table_problems(_shown(cells, hidden), constraints) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=4, max_size=12))
def test_quarters_published_one_at_a_time_never_change_and_stay_safe(quarters: list[tuple[int, int]]) -> None:
    """Two measures by quarter, a total per quarter and a year's total each four quarters: each quarter is added to
    what was published before, which never changes."""
    values: dict = {}
    constraints: list[Constraint] = []
    published: dict = {}  # cell -> hidden?
    for n, (a, b) in enumerate(quarters):
        values |= {("a", n): a, ("b", n): b, ("all", n): a + b}
        constraints.append(Constraint(("all", n), (("a", n), ("b", n))))
        if n % 4 == 3:
            year = n // 4
            for m in ("a", "b", "all"):
                values[(m, f"y{year}")] = sum(values[(m, q)] for q in range(n - 3, n + 1))
                constraints.append(Constraint((m, f"y{year}"), tuple((m, q) for q in range(n - 3, n + 1))))
            constraints.append(Constraint(("all", f"y{year}"), (("a", f"y{year}"), ("b", f"y{year}"))))
        hidden = suppress(values, constraints, fixed_hidden={c for c, h in published.items() if h},
                          fixed_shown={c for c, h in published.items() if not h})
        assert all((c in hidden) == h for c, h in published.items())
        published = {c: c in hidden for c in values}
        assert table_problems(_shown(values, hidden), constraints) == []


def _recoverable_by_null_space(hidden: list, constraints: list[Constraint]) -> set:
    """An independent oracle in floating point: a hidden cell is determined iff every solution of the homogeneous
    system (the null space) is zero there."""
    if not hidden:
        return set()
    index = {c: n for n, c in enumerate(hidden)}
    matrix = np.zeros((max(len(constraints), 1), len(hidden)))
    for r, k in enumerate(constraints):
        for cell, coefficient in ((k.total, -1), *((p, 1) for p in k.parts)):
            if cell in index:
                matrix[r, index[cell]] += coefficient
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    return {c for c in hidden if np.all(np.abs(null[:, index[c]]) < 1e-9)}


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_the_exact_check_agrees_with_the_null_space(rows: int, cols: int, data: st.DataObject) -> None:
    cells, constraints = _grid([[0] * cols for _ in range(rows)])
    hidden = data.draw(st.lists(st.sampled_from(list(cells)), unique=True))
    assert recoverable(hidden, constraints) == _recoverable_by_null_space(hidden, constraints)


def test_every_lone_hidden_cell_in_a_small_grid_is_caught() -> None:
    cells, constraints = _grid([[3, 3], [3, 3]])
    for cell in itertools.islice(cells, 4):
        assert recoverable({cell}, constraints) == {cell}


def test_raters_of_one_round_are_hidden_though_there_are_many() -> None:
    """Six raters invited in a quarter in which one round closed would be that one owner's raters."""
    values = {"closed": 1, "invited": 6, "responded": 5}
    people = {"invited": (values["closed"],), "responded": (values["closed"],)}
    assert suppress(values, [], people=people) == {"closed", "invited", "responded"}
    assert table_problems({"closed": None, "invited": 6, "responded": None}, [], people) == [
        "invited is shown, resting on [1] people"]


def test_a_zero_sibling_is_not_enough_under_a_shown_total() -> None:
    """The sibling rule alone would hide the 1 and the 0: the year minus the shown quarters would still say "one
    round, in one of these two quarters"."""
    values = {"Q1": 1, "Q2": 0, "Q3": 5, "Q4": 4, "year": 10}
    year = [Constraint("year", ("Q1", "Q2", "Q3", "Q4"))]
    assert table_problems(_shown(values, {"Q1", "Q2"}), year) == [
        "year minus shown figures gives away ['Q1', 'Q2'] together"]
    hidden = suppress(values, year)
    assert hidden == {"Q1", "Q4"}  # the 1, and the smallest sibling that adds someone
    assert table_problems(_shown(values, hidden), year) == []


def _derivable_groups(hidden: list, constraints: list[Constraint]) -> list[tuple]:
    """Brute force, an oracle independent of the rules: every set of hidden cells whose sum can be worked out from
    the shown figures (its indicator vector lies in the row space of the constraints restricted to hidden cells)."""
    index = {c: n for n, c in enumerate(hidden)}
    matrix = np.zeros((len(constraints), len(hidden)))
    for r, k in enumerate(constraints):
        for cell, coefficient in ((k.total, -1), *((p, 1) for p in k.parts)):
            if cell in index:
                matrix[r, index[cell]] += coefficient
    rank = np.linalg.matrix_rank(matrix) if len(hidden) else 0
    found = []
    for size in range(1, len(hidden) + 1):
        for group in itertools.combinations(hidden, size):
            vector = np.zeros((1, len(hidden)))
            vector[0, [index[c] for c in group]] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank:
                found.append(group)
    return found


def _sessions(values: list[list[int]]) -> tuple[dict, list[Constraint]]:
    """The usage table's shape: facilitators' sessions (rows) by quarter (columns); each quarter's sessions are the
    sum of its facilitators', and the year's the sum of its quarters."""
    cells = {(f, q): n for f, row in enumerate(values) for q, n in enumerate(row)}
    quarters = range(len(values[0]))
    cells |= {("all", q): sum(row[q] for row in values) for q in quarters}
    cells["year"] = sum(map(sum, values))
    constraints = [Constraint(("all", q), tuple((f, q) for f in range(len(values)))) for q in quarters]
    return cells, [*constraints, Constraint("year", tuple(("all", q) for q in quarters))]


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 3).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 6), min_size=c, max_size=c), min_size=r, max_size=r))))
def test_no_set_of_hidden_cells_that_can_be_summed_rests_on_one_or_two(values: list[list[int]]) -> None:
    """Sessions per facilitator by quarter: whatever sums of hidden cells a reader can work out (any subset, by any
    combination of totals, found by brute force) are of 0 or at least 3, and the checker finds nothing."""
    cells, constraints = _sessions(values)
    hidden = suppress(cells, constraints)
    assert table_problems(_shown(cells, hidden), constraints) == []
    hidden_list = [c for c in cells if c in hidden]
    if len(hidden_list) > 13:  # 2^13 subsets at most, to keep the oracle quick
        return
    for group in _derivable_groups(hidden_list, constraints):
        assert not 0 < sum(cells[c] for c in group) < THRESHOLD, group


def test_a_hidden_quarter_opened_into_its_facilitators_gives_nothing_away() -> None:
    """The year (10) minus the shown quarters (4, 0) and Q1's shown facilitator (4) leaves Q2 and Q1's two hidden
    facilitators: 1 + 1 + 0 = 2. The per-constraint rules see nothing wrong; opening the hidden quarter does."""
    cells, constraints = _sessions([[4, 1, 4, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    unsafe = {(0, 1), (1, 0), (2, 0), ("all", 0), ("all", 1), (1, 1)}
    assert all(sum(c in unsafe for c in k.cells) != 1 for k in constraints)
    assert table_problems(_shown(cells, unsafe), constraints) == [
        "year minus shown figures gives away [\"('all', 1)\", '(1, 0)', '(2, 0)'] together",
        "year minus shown figures gives away ['(0, 1)', '(1, 0)', '(1, 1)', '(2, 0)'] together"]
    assert table_problems(_shown(cells, suppress(cells, constraints)), constraints) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40)), min_size=4, max_size=4))
def test_a_year_of_averages_never_gives_away_one_or_two_evaluations(quarters: list[tuple[int, int]]) -> None:
    """Each quarter's evaluations and the sum of one question's ratings (an average shown beside its count gives
    the sum). The counts are suppressed; each sum is hidden with its count. Whatever a reader subtracts, the ratings
    they can add up are of 0 or at least 3 evaluations, and the checker agrees."""
    counts = {("n", q): n for q, (n, _) in enumerate(quarters)}
    sums = {("s", q): min(s, 5 * n) if n else 0 for q, (n, s) in enumerate(quarters)}
    counts[("n", "year")] = sum(counts.values())
    sums[("s", "year")] = sum(sums.values())
    count_year = Constraint(("n", "year"), tuple(("n", q) for q in range(4)))
    sum_year = Constraint(("s", "year"), tuple(("s", q) for q in range(4)))
    hidden = suppress(counts, [count_year])
    hidden |= {("s", q) for (_, q) in hidden}
    shown = _shown(counts | sums, hidden)
    of_count = {("s", q): ("n", q) for q in [*range(4), "year"]}
    assert table_problems(shown, [count_year, sum_year], sums=of_count) == []
    for group in _derivable_groups([c for c in sums if c in hidden], [sum_year]):
        assert not 0 < sum(counts[("n", q)] for _, q in group) < THRESHOLD, group


def test_the_checker_refuses_an_average_shown_when_its_count_is_hidden() -> None:
    shown = {"n": None, "s": 14, "n2": 4, "s2": None}
    assert table_problems(shown, [], sums={"s": "n", "s2": "n2"}) == [
        "s is shown but its count n is not", "s2 is hidden but its count n2 is not"]
