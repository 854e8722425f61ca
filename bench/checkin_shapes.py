"""How much of a goal check-in the anonymity rules let through, over random check-in shapes (issue 27).

Run: .venv/bin/python bench/checkin_shapes.py

For each shape (people who answered; goals; share of "Not able to say") it builds CHECKINS random check-ins with a
fixed seed, builds each one's figure table by the report's own builder (followup.checkin.rules.figure_table, which
refuses any table the report's checker faults), and counts the goal figures shown against those allowed: goals
with at least one answer, where a figure of some kind could be printed. (With every rater in one group, the table
built without rule (b) shows "All others" on exactly those, so this is also the report benchmark's "rule (a)
alone": the ratio is the price of never letting one or two people's answers be read or subtracted out.)
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followup.checkin import rules

CHECKINS = 200
SEED = 27
# (people who answered, goals, share of "Not able to say")
SHAPES = [(n, g, nas) for n in (3, 4, 5, 6, 8, 10) for g in (3, 8) for nas in (0.1, 0.3, 0.5)]


def _answers(people: int, keys: list[str], nas: float, rng: random.Random) -> list[dict[str, int | str]]:
    return [{k: rules.NOT_ABLE if rng.random() < nas else rng.randint(-2, 2) for k in keys} for _ in range(people)]


def main() -> None:
    rng = random.Random(SEED)
    print(f"{'people':>6} {'goals':>5} {'n/a':>5}   {'shown':>6} {'allowed':>7}   {'shown/allowed':>13}")
    totals = [0, 0]
    for people, goals, nas in SHAPES:
        keys = [f"{n:032x}" for n in range(goals)]
        shown = allowed = 0
        for _ in range(CHECKINS):
            responses = _answers(people, keys, nas, rng)
            found = rules.results(keys, rules.figure_table(keys, responses))  # checked as it is built
            shown += sum(r.shown for r in found)
            allowed += sum(1 for k in keys if any(r[k] != rules.NOT_ABLE for r in responses))
        totals = [totals[0] + shown, totals[1] + allowed]
        print(f"{people:>6} {goals:>5} {nas:>5.0%}   {shown:>6} {allowed:>7}   {shown / allowed:>13.3f}")
    print(f"overall shown/allowed {totals[0] / totals[1]:.3f} over {len(SHAPES) * CHECKINS} check-ins; every table "
          "passed the report's checker")


if __name__ == "__main__":
    main()
