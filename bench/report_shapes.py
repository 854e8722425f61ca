"""How much of a report the anonymity rules let through, over a fixed set of round shapes (issue 11).

Run: .venv/bin/python bench/report_shapes.py

For each shape (managers; sizes of the other categories; share of "Not able to say") it builds ROUNDS random rounds
with a fixed seed and counts the figures shown (every statement, sub-area and area figure of every group and All
others; Self is never hidden and not counted) against the figures rule (a) alone would allow, i.e. the same table
built without rule (b). It prints the ratio per shape and overall, and the checker's verdict on every table.
Goal (PRODUCT §4): ≥ 0.95 overall, and 1.0 where nobody chose "Not able to say".
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.anonymity import SELF, RaterResponse
from reports.checker import check
from reports.content import layout_of
from reports.table import FigureTable, build_table
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version

ROUNDS = 20
M, P, D, O = Category.MANAGER, Category.PEER, Category.DIRECT_REPORT, Category.OTHER  # noqa: E741
# (managers, {category: responses}, share of "Not able to say")
SHAPES: list[tuple[int, dict[Category, int], float]] = [
    (1, {P: 3, D: 3}, 0.0),
    (1, {P: 4, D: 5, O: 3}, 0.0),
    (2, {P: 6, D: 6}, 0.0),
    (1, {P: 3, D: 4}, 0.05),
    (1, {P: 4, D: 4}, 0.05),
    (1, {P: 5, D: 6, O: 4}, 0.05),
    (2, {P: 3, D: 3, O: 3}, 0.05),
    (1, {P: 2, D: 4, O: 1}, 0.10),  # Daniel's demo shape: Peers + Others 3, Direct reports 4
    (1, {P: 4, D: 5}, 0.10),
    (1, {P: 6, D: 6, O: 6}, 0.10),
    (2, {P: 4, D: 3}, 0.10),
    (1, {P: 3, D: 6}, 0.15),
    (1, {P: 5, D: 5, O: 5}, 0.15),
    (2, {P: 6, D: 4}, 0.20),
    (1, {P: 4, D: 4, O: 4}, 0.20),
]


def _round(managers: int, sizes: dict[Category, int], nas: float, rng: random.Random,
           keys: list[str]) -> list[RaterResponse]:
    categories = [M] * managers + [c for c, n in sizes.items() for _ in range(n)]
    return [RaterResponse(c, {k: NOT_ABLE_TO_SAY if rng.random() < nas else rng.randint(1, 5) for k in keys}, {})
            for c in categories]


def shown(table: FigureTable) -> int:
    return sum(1 for c in table.figures if c.is_shown and c.audience != SELF)


def main() -> None:
    questionnaire = load_version("2026.1")
    layout, keys = layout_of(questionnaire), questionnaire.statement_keys()
    rng = random.Random(11)
    total_shown = total_allowed = 0
    print(f"{'shape':<66} {'shown':>7} {'allowed':>8} {'ratio':>6}  checker")
    for managers, sizes, nas in SHAPES:
        shape_shown = shape_allowed = violations = 0
        for _ in range(ROUNDS):
            responses = _round(managers, sizes, nas, rng, keys)
            table, _ = build_table(layout, responses, {})
            rule_a_only, _ = build_table(layout, responses, {}, rule_b=False)
            shape_shown += shown(table)
            shape_allowed += shown(rule_a_only)
            violations += len(check(table.to_json()))
        total_shown += shape_shown
        total_allowed += shape_allowed
        name = f"Manager {managers}, " + ", ".join(f"{c.plural} {n}" for c, n in sizes.items()) + \
            f", {nas:.0%} not able to say"
        verdict = "passes" if violations == 0 else f"FAILS ({violations} violations)"
        print(f"{name:<66} {shape_shown:>7} {shape_allowed:>8} {shape_shown / shape_allowed:>6.3f}  "
              f"{verdict} ({ROUNDS} rounds)")
    print(f"{'overall':<66} {total_shown:>7} {total_allowed:>8} {total_shown / total_allowed:>6.3f}")


if __name__ == "__main__":
    main()
