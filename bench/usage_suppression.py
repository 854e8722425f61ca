"""How often suppression leaves a set of hidden cells that a reader can add up and that rests on 1 or 2 people,
found by brute force over every subset of hidden cells (tests/usage/test_rules.py's oracle), on random tables of
sessions per facilitator by quarter: as the usage table has them (a tree: facilitators → quarter → year) and, for
comparison, with each facilitator's year total as well (a two-way table with both margins).

Run: OPEN360_ENV=test .venv/bin/python bench/usage_suppression.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.usage.test_rules import _derivable_groups, _grid, _sessions
from usage.rules import THRESHOLD, suppress

TABLES = 1500


def main() -> None:
    for name, shape in (("tree (as published)", _sessions), ("two-way, both margins", _grid)):
        rng = random.Random(7)
        failed = 0
        for _ in range(TABLES):
            rows, cols = rng.randint(2, 3), rng.randint(2, 4)
            values = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6]) for _ in range(cols)] for _ in range(rows)]
            cells, constraints = shape(values)
            hidden = suppress(cells, constraints)
            groups = _derivable_groups([c for c in cells if c in hidden], constraints)
            failed += any(0 < sum(cells[c] for c in g) < THRESHOLD for g in groups)
        print(f"{name:<24} {TABLES} tables, {failed} with a summable hidden set resting on 1 or 2")


if __name__ == "__main__":
    main()
