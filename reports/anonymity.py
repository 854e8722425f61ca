"""The anonymity rules of the report (PRODUCT §3.1 and §3.2), as pure functions: no database, no Flask.

Merging decides which groups a report may show. Suppression works one statement at a time, because statement
figures are the only figures computed from answers (sub-area and area figures are means of shown statement
figures, `reports.table`): per statement the figures form a small table whose total, All others, is the sum of
the group figures, so a reader who knows every shown figure's number of answers can subtract the shown groups from
All others and learn the answers of the hidden ones taken together. Rule (a) hides a group figure on 1 or 2
answers; rule (b) keeps what that subtraction leaves at 0 or at least 3 answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from surveys.categories import Category

MIN_GROUP = 3
# Small groups are named, and joined, in this fixed order; it also breaks ties for "the smallest category".
ORDER = (Category.PEER, Category.DIRECT_REPORT, Category.OTHER)
ALL_OTHERS = "All others"
SELF = "Self"


@dataclass(frozen=True)
class RaterResponse:
    """One submitted response as `reports.build.report_data` hands it over: no id, nothing that points back."""

    category: Category
    answers: Mapping[str, int | str]
    comments: Mapping[str, str]


@dataclass(frozen=True)
class Group:
    label: str
    categories: tuple[Category, ...]
    members: frozenset[int]  # positions in the list of responses the merging was computed from

    @property
    def is_manager(self) -> bool:
        return self.categories == (Category.MANAGER,)


@dataclass(frozen=True)
class Merging:
    groups: tuple[Group, ...]
    withheld: frozenset[int]


def _label(categories: Sequence[Category], count: int) -> str:
    if categories == (Category.MANAGER,):
        return "Manager" if count == 1 else "Managers"
    return " + ".join(c.plural for c in ORDER if c in categories)


def merge_groups(categories: Sequence[Category]) -> Merging:
    """PRODUCT §3.1 over the responses' categories, in the order given; members are positions in that list."""
    by_category: dict[Category, set[int]] = defaultdict(set)
    for position, category in enumerate(categories):
        by_category[category].add(position)

    groups: dict[tuple[Category, ...], set[int]] = {}
    if by_category[Category.MANAGER]:
        groups[(Category.MANAGER,)] = by_category[Category.MANAGER]
    large = [c for c in ORDER if len(by_category[c]) >= MIN_GROUP]
    small = [c for c in ORDER if 0 < len(by_category[c]) < MIN_GROUP]
    for category in large:
        groups[(category,)] = set(by_category[category])
    withheld: set[int] = set()
    if small:
        combined = set().union(*(by_category[c] for c in small))
        if len(combined) >= MIN_GROUP:
            groups[tuple(small)] = combined
        elif large:
            # Joins the smallest large category; min() keeps the first of equals, i.e. the fixed order.
            target = min(large, key=lambda c: len(by_category[c]))
            del groups[(target,)]
            groups[tuple(c for c in ORDER if c in (target, *small))] = by_category[target] | combined
        else:
            withheld = combined

    def position(key: tuple[Category, ...]) -> int:
        return -1 if key == (Category.MANAGER,) else min(ORDER.index(c) for c in key)

    ordered = sorted(groups, key=position)
    return Merging(
        groups=tuple(Group(_label(key, len(groups[key])), key, frozenset(groups[key])) for key in ordered),
        withheld=frozenset(withheld),
    )


def counts_in_sub_area(answers: Mapping[str, int | str], statement_keys: Sequence[str]) -> bool:
    """The half-of-statements rule: a rater counts towards a sub-area only if they rated at least half of it."""
    rated = sum(1 for k in statement_keys if is_rating(answers.get(k)))
    return rated > 0 and 2 * rated >= len(statement_keys)


def is_rating(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Reason(StrEnum):
    TOO_FEW = "too_few"  # rule (a): a group figure on 1 or 2 answers
    DIFFERENCING = "differencing"  # rule (b): hidden so that All others minus the shown groups leaves 0 or ≥ 3
    BELOW_HALF = "below_half"  # a sub-area or area figure with fewer than half of the figures below it shown


def hide_statement_figures(answers: Mapping[str, int], managers: frozenset[str], order: Sequence[str],
                           *, rule_b: bool = True) -> dict[str, Reason]:
    """Rules (a) and (b) on one statement's table: which figures to hide, and why.

    `answers` holds each shown group's number of answers on this statement (by label, in `order`); All others is
    their sum. Returns labels, and ALL_OTHERS if it must go, mapped to the reason. The Manager group is never
    hidden: it is always shown, and so always subtracted. `rule_b=False` gives what rule (a) alone would hide,
    which the benchmark compares against.
    """
    hidden = {label: Reason.TOO_FEW for label in order
              if label not in managers and 0 < answers.get(label, 0) < MIN_GROUP}
    total = sum(answers.get(label, 0) for label in order)
    if not rule_b or total == 0:
        return hidden
    while 0 < sum(answers[label] for label in hidden) < MIN_GROUP:
        candidates = [label for label in order
                      if label not in managers and label not in hidden and answers.get(label, 0) > 0]
        if not candidates:
            hidden[ALL_OTHERS] = Reason.DIFFERENCING
            break
        # The smallest shown group, so that All others stays; min() keeps the first of equals (the fixed order).
        hidden[min(candidates, key=lambda label: answers[label])] = Reason.DIFFERENCING
    return hidden
