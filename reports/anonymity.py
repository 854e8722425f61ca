"""The anonymity rules of the report (PRODUCT §3.1 and §3.2), as pure functions.

Merging decides which groups a report may show. Suppression decides which figures it may show: no figure may rest
on 1 or 2 people outside Self and Manager, and no two shown figures may rest on sets of people that differ by 1 or
2 such people, because subtracting one from the other would expose those people's answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.categories import Category

MIN_GROUP = 3
# Small groups are named, and joined, in this fixed order; it also breaks ties for "the smallest category".
ORDER = (Category.PEER, Category.DIRECT_REPORT, Category.OTHER)


@dataclass(frozen=True)
class RaterResponse:
    id: str
    category: Category
    answers: Mapping[str, int | str]
    comments: Mapping[str, str]


@dataclass(frozen=True)
class Group:
    label: str
    categories: tuple[Category, ...]
    response_ids: frozenset[str]


@dataclass(frozen=True)
class Merging:
    groups: tuple[Group, ...]
    withheld_ids: frozenset[str]


def _label(categories: Sequence[Category], count: int) -> str:
    if categories == (Category.MANAGER,):
        return "Manager" if count == 1 else "Managers"
    return " + ".join(c.plural for c in ORDER if c in categories)


def merge_groups(responses: Sequence[RaterResponse]) -> Merging:
    by_category: dict[Category, set[str]] = defaultdict(set)
    for response in responses:
        by_category[response.category].add(response.id)

    groups: dict[tuple[Category, ...], set[str]] = {}
    if by_category[Category.MANAGER]:
        groups[(Category.MANAGER,)] = by_category[Category.MANAGER]
    large = [c for c in ORDER if len(by_category[c]) >= MIN_GROUP]
    small = [c for c in ORDER if 0 < len(by_category[c]) < MIN_GROUP]
    for category in large:
        groups[(category,)] = set(by_category[category])
    withheld: set[str] = set()
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
        withheld_ids=frozenset(withheld),
    )


@dataclass(frozen=True)
class Figure:
    key: str
    answer_ids: frozenset[str]


def _open_part(figure: Figure, protected_ids: frozenset[str]) -> frozenset[str]:
    return figure.answer_ids - protected_ids


def _unsafe_alone(open_part: frozenset[str]) -> bool:
    return 0 < len(open_part) < MIN_GROUP


def _conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    return 0 < len(a ^ b) < MIN_GROUP


def differencing_pairs(figures: Sequence[Figure], protected_ids: frozenset[str]) -> list[tuple[str, str]]:
    """Every pair of figures whose answer sets, outside the protected ones, differ by 1 or 2."""
    parts = [(f.key, _open_part(f, protected_ids)) for f in figures]
    return [(ka, kb) for i, (ka, a) in enumerate(parts) for kb, b in parts[i + 1:] if _conflict(a, b)]


def suppress(figures: Sequence[Figure], protected_ids: frozenset[str]) -> frozenset[str]:
    """Keys of the figures to show as "too few answers", so that what remains satisfies both rules.

    Figures resting on the same set never conflict, so the work is done over distinct sets: drop the sets that are
    unsafe alone, then repeatedly drop the set in the most conflicts (ties: the smaller set, then the first in
    sorted order) until none remain. Deterministic, and a set that conflicts with nothing is never dropped.
    """
    keys_by_set: dict[frozenset[str], list[str]] = defaultdict(list)
    for figure in figures:
        keys_by_set[_open_part(figure, protected_ids)].append(figure.key)
    dropped = {s for s in keys_by_set if _unsafe_alone(s)}
    live = sorted((s for s in keys_by_set if s not in dropped), key=lambda s: (len(s), sorted(s)))
    conflicts: dict[frozenset[str], set[frozenset[str]]] = {s: set() for s in live}
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            if _conflict(a, b):
                conflicts[a].add(b)
                conflicts[b].add(a)
    while any(conflicts.values()):
        worst = max(live, key=lambda s: (len(conflicts[s]), -len(s)))  # max() keeps the first of equals
        dropped.add(worst)
        live.remove(worst)
        for other in conflicts.pop(worst):
            conflicts[other].discard(worst)
    return frozenset(key for s in dropped for key in keys_by_set[s])
