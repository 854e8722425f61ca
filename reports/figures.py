"""Every figure the report shows, computed from the responses with the anonymity rules applied.

Scores: an item's score is the mean of the numeric answers ("Not able to say" is no answer); a rater counts towards
a sub-area when they rated at least half its statements, and the sub-area's score is the mean of those raters' own
means; an area's score is the mean, over raters counted in any of its sub-areas, of their mean over the area.
Every figure carries the set of responses behind it, and `anonymity.suppress` rules on all of them at once;
`score_figures` returns them all, so that the rules can be checked on exactly the figures a report shows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from reports.anonymity import Figure, Group, Merging, RaterResponse, merge_groups, suppress
from surveys.categories import Category
from surveys.questionnaire import Questionnaire

GAP_THRESHOLD = 1.0  # self versus others on the 1–5 scale; the report states it
TOP_N = 5
ALL = "All others"


@dataclass(frozen=True)
class Score:
    value: float | None
    suppressed: bool  # value None and not suppressed: nobody answered


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    by_group: dict[str, Score]
    all_others: Score
    self_score: float | None


@dataclass(frozen=True)
class SubAreaResult:
    row: Row
    items: tuple[Row, ...]


@dataclass(frozen=True)
class AreaResult:
    row: Row
    sub_areas: tuple[SubAreaResult, ...]


@dataclass(frozen=True)
class Gap:
    key: str
    title: str
    self_score: float
    others: float


@dataclass(frozen=True)
class ReportData:
    groups: tuple[tuple[str, int], ...]
    withheld: int
    areas: tuple[AreaResult, ...]
    blind_spots: tuple[Gap, ...]
    hidden_strengths: tuple[Gap, ...]
    highest: tuple[Row, ...]
    lowest: tuple[Row, ...]
    comments: dict[str, dict[str, tuple[str, ...]]]


def _numeric(answers: Mapping[str, int | str], keys: Sequence[str]) -> list[int]:
    return [v for k in keys if isinstance(v := answers.get(k), int) and not isinstance(v, bool)]


def rater_mean(answers: Mapping[str, int | str], keys: Sequence[str], need_half: bool) -> float | None:
    """This rater's mean over the statements they rated; None when they do not count (see module docstring)."""
    values = _numeric(answers, keys)
    if not values or (need_half and 2 * len(values) < len(keys)):
        return None
    return fmean(values)


def figure_key(key: str, audience: str) -> str:
    """The key of one figure: a questionnaire key (area, "area.sub_area" or statement) and a group label or ALL."""
    return f"{key}|{audience}"


class _Scorer:
    """Collects each figure's value and answer set, keyed, so suppression can see the whole report at once."""

    def __init__(self) -> None:
        self.values: dict[str, float | None] = {}
        self.figures: list[Figure] = []

    def add(self, key: str, members: frozenset[str], per_rater: Mapping[str, float | None]) -> None:
        counted = frozenset(m for m in members if per_rater.get(m) is not None)
        self.values[key] = fmean(per_rater[m] for m in counted) if counted else None  # type: ignore[misc]
        if counted:
            self.figures.append(Figure(key, counted))


@dataclass(frozen=True)
class ScoredFigures:
    """Every figure of a report, keyed by `figure_key`, before it is laid out, and which of them are suppressed."""

    merging: Merging
    values: Mapping[str, float | None]  # None: nobody in the audience answered
    figures: tuple[Figure, ...]  # each figure with at least one answer, with the responses behind it
    protected_ids: frozenset[str]  # the Manager responses, shown as their own group whatever their size
    hidden: frozenset[str]  # keys of the figures shown as "too few answers"

    def shown(self) -> tuple[Figure, ...]:
        """The figures the report shows a value for, each with the set of responses behind it."""
        return tuple(f for f in self.figures if f.key not in self.hidden)

    def score(self, key: str) -> Score:
        return Score(None, True) if key in self.hidden else Score(self.values[key], False)


def _self_mean(self_answers: Mapping[str, int], keys: Sequence[str]) -> float | None:
    values = _numeric(self_answers, keys)
    return fmean(values) if values else None


def score_figures(questionnaire: Questionnaire, responses: Sequence[RaterResponse]) -> ScoredFigures:
    """Merge the groups, compute every figure from the responses not withheld, and suppress (PRODUCT §3.1, §3.2)."""
    merging = merge_groups(responses)
    shown = [r for r in responses if r.id not in merging.withheld_ids]  # withheld answers go nowhere
    groups = {g.label: g.response_ids for g in merging.groups}
    everyone = frozenset().union(*groups.values()) if groups else frozenset()
    audiences = {**groups, ALL: everyone}
    scorer = _Scorer()

    # (kind, key, title, statement keys, whether a rater must have rated half of them)
    units: list[tuple[str, str, str, list[str], bool]] = []
    for area in questionnaire.areas:
        area_keys = [s.key for sub in area.sub_areas for s in sub.statements]
        units.append(("area", area.key, area.title, area_keys, False))
        for sub in area.sub_areas:
            units.append(("sub", f"{area.key}.{sub.key}", sub.title, [s.key for s in sub.statements], True))
            units.extend(("item", s.key, s.rater_text, [s.key], False) for s in sub.statements)

    sub_counted: dict[str, set[str]] = {}
    for kind, key, _title, keys, need_half in units:
        per_rater = {r.id: rater_mean(r.answers, keys, need_half) for r in shown}
        if kind == "sub":
            sub_counted[key] = {rid for rid, mean in per_rater.items() if mean is not None}
        if kind == "area":
            continue  # needs its sub-areas' counted raters first; done below
        for audience, members in audiences.items():
            scorer.add(figure_key(key, audience), members, per_rater)
    for area in questionnaire.areas:
        keys = [s.key for sub in area.sub_areas for s in sub.statements]
        counted = set().union(*(sub_counted[f"{area.key}.{sub.key}"] for sub in area.sub_areas))
        per_rater = {r.id: rater_mean(r.answers, keys, False) if r.id in counted else None for r in shown}
        for audience, members in audiences.items():
            scorer.add(figure_key(area.key, audience), members, per_rater)

    managers = frozenset(r.id for r in shown if r.category is Category.MANAGER)
    return ScoredFigures(merging, scorer.values, tuple(scorer.figures), managers,
                         suppress(scorer.figures, managers))


def build_report_data(questionnaire: Questionnaire, responses: Sequence[RaterResponse],
                      self_answers: Mapping[str, int], rng: random.Random | None = None) -> ReportData:
    scored = score_figures(questionnaire, responses)
    merging = scored.merging
    labels = [g.label for g in merging.groups]

    def row(key: str, title: str, keys: Sequence[str]) -> Row:
        return Row(key, title, {label: scored.score(figure_key(key, label)) for label in labels},
                   scored.score(figure_key(key, ALL)), _self_mean(self_answers, keys))

    areas = tuple(
        AreaResult(
            row(area.key, area.title, [s.key for sub in area.sub_areas for s in sub.statements]),
            tuple(SubAreaResult(row(f"{area.key}.{sub.key}", sub.title, [s.key for s in sub.statements]),
                                tuple(row(s.key, s.rater_text, [s.key]) for s in sub.statements))
                  for sub in area.sub_areas))
        for area in questionnaire.areas)
    items = [item for area in areas for sub in area.sub_areas for item in sub.items]
    blind, hidden_strengths = gaps(items)
    highest, lowest = extremes(items)
    shown = [r for r in responses if r.id not in merging.withheld_ids]
    return ReportData(
        groups=tuple((g.label, len(g.response_ids)) for g in merging.groups),
        withheld=len(merging.withheld_ids),
        areas=areas, blind_spots=blind, hidden_strengths=hidden_strengths, highest=highest, lowest=lowest,
        comments=comments_by_group(questionnaire, shown, merging.groups, rng or random.SystemRandom()),
    )


def gaps(items: Sequence[Row]) -> tuple[tuple[Gap, ...], tuple[Gap, ...]]:
    """Blind spots (self notably higher than others) and hidden strengths (others notably higher)."""
    pairs = [(i, i.self_score, i.all_others.value) for i in items
             if i.self_score is not None and i.all_others.value is not None]
    blind = sorted((Gap(i.key, i.title, s, o) for i, s, o in pairs if s - o >= GAP_THRESHOLD),
                   key=lambda g: g.others - g.self_score)
    strengths = sorted((Gap(i.key, i.title, s, o) for i, s, o in pairs if o - s >= GAP_THRESHOLD),
                       key=lambda g: g.self_score - g.others)
    return tuple(blind), tuple(strengths)


def extremes(items: Sequence[Row]) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
    """The highest and lowest statements by others' (shown) average; sorted() keeps questionnaire order on ties."""
    scored = [i for i in items if i.all_others.value is not None]
    highest = tuple(sorted(scored, key=lambda i: -i.all_others.value)[:TOP_N])  # type: ignore[operator]
    rest = [i for i in scored if i not in highest]
    lowest = tuple(sorted(rest, key=lambda i: i.all_others.value)[:TOP_N])  # type: ignore[arg-type, return-value]
    return highest, lowest


def comments_by_group(questionnaire: Questionnaire, shown: Sequence[RaterResponse], groups: Sequence[Group],
                      rng: random.Random) -> dict[str, dict[str, tuple[str, ...]]]:
    """Comments of shown groups only, per open question, shuffled so their order says nothing."""
    by_id = {r.id: r for r in shown}
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for group in groups:
        per_question: dict[str, tuple[str, ...]] = {}
        for question in questionnaire.open_questions:
            texts = [text for rid in sorted(group.response_ids)
                     if (text := (by_id[rid].comments.get(question.key) or "").strip())]
            rng.shuffle(texts)
            if texts:
                per_question[question.key] = tuple(texts)
        if per_question:
            result[group.label] = per_question
    return result

