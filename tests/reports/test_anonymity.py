"""The report's anonymity rules (PRODUCT §3.1, §3.2, §3.4), tested as an attacker would probe them.

The worked examples come straight from §3.1. The property tests build whole reports from random rounds (category
sizes 0–8, random "Not able to say" patterns, a unique marker in every comment) and check what a reader of the
report could learn: no group of fewer than 3 outside Manager, no trace of a withheld response, and no two shown
figures whose sets of responses differ by 1 or 2 people outside Manager. The sets behind the shown figures are
recomputed here from the responses, independently of `reports.figures`, and checked against what the report shows.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from statistics import fmean

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db as unit
from app.models import User
from config.base import common
from reports.anonymity import (
    MIN_GROUP,
    ORDER,
    Figure,
    Group,
    Merging,
    RaterResponse,
    differencing_pairs,
    merge_groups,
    suppress,
)
from reports.build import report_data
from reports.figures import ALL, ReportData, Row, build_report_data, figure_key, score_figures
from surveys import responses as rater_side
from surveys.categories import RATER_CATEGORIES, Category
from surveys.models import Cycle
from surveys.questionnaire import NOT_ABLE_TO_SAY, Questionnaire, load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])  # what a new cycle is pinned to
WITH_ORG_STATEMENTS = QUESTIONNAIRE.with_org_statements([
    ("org.1", "I live our value of kindness", "This person lives our value of kindness"),
    ("org.2", "I put patients first", "This person puts patients first"),
])
P, D, M = Category.PEER, Category.DIRECT_REPORT, Category.MANAGER


def rater(rid: str, category: Category, comment: str = "") -> RaterResponse:
    answers: dict[str, int | str] = {k: 4 for k in QUESTIONNAIRE.statement_keys()}
    return RaterResponse(rid, category, answers, {"strengths": comment} if comment else {})


def round_of(**sizes: int) -> list[RaterResponse]:
    """Responses of a round, e.g. round_of(peer=2, other=1): ids like "peer-1"."""
    return [rater(f"{name}-{n}", Category(name)) for name, count in sizes.items() for n in range(1, count + 1)]


def shown_groups(merging: Merging) -> dict[str, int]:
    return {g.label: len(g.response_ids) for g in merging.groups}


# PRODUCT §3.1, worked examples ------------------------------------------------------------------------------------


def test_two_small_categories_reaching_three_form_one_group_named_after_both() -> None:
    merging = merge_groups(round_of(peer=2, other=1))
    assert shown_groups(merging) == {"Peers + Others": 3}
    assert merging.groups[0].categories == (P, Category.OTHER)
    assert merging.withheld_ids == frozenset()


def test_a_small_group_joins_the_smallest_large_category_and_is_relabelled_in_fixed_order() -> None:
    merging = merge_groups(round_of(direct_report=4, peer=2))
    assert shown_groups(merging) == {"Peers + Direct reports": 6}
    (group,) = merging.groups
    assert group.categories == (P, D)
    assert group.response_ids == {"peer-1", "peer-2", "direct_report-1", "direct_report-2", "direct_report-3",
                                  "direct_report-4"}
    assert merging.withheld_ids == frozenset()


def test_a_lone_peer_is_withheld_when_there_is_no_category_to_join() -> None:
    merging = merge_groups(round_of(peer=1))
    assert merging.groups == ()
    assert merging.withheld_ids == {"peer-1"}


def test_a_small_group_never_joins_the_manager() -> None:
    merging = merge_groups(round_of(manager=1, peer=1, other=1))
    assert shown_groups(merging) == {"Manager": 1}
    assert merging.withheld_ids == {"peer-1", "other-1"}


@pytest.mark.parametrize(("managers", "label"), [(1, "Manager"), (2, "Managers"), (3, "Managers")])
def test_managers_are_always_their_own_group_first_whatever_their_number(managers: int, label: str) -> None:
    merging = merge_groups(round_of(peer=3, manager=managers, direct_report=4))
    assert shown_groups(merging) == {label: managers, "Peers": 3, "Direct reports": 4}
    assert merging.groups[0].categories == (M,)
    assert list(shown_groups(merging)) == [label, "Peers", "Direct reports"]


@pytest.mark.parametrize(("sizes", "expected"), [
    ({"peer": 3, "direct_report": 3, "other": 1}, {"Peers + Others": 4, "Direct reports": 3}),
    ({"peer": 1, "direct_report": 3, "other": 3}, {"Peers + Direct reports": 4, "Others": 3}),
    ({"peer": 2, "direct_report": 4, "other": 4}, {"Peers + Direct reports": 6, "Others": 4}),
    ({"peer": 4, "direct_report": 1, "other": 4}, {"Peers + Direct reports": 5, "Others": 4}),
    ({"peer": 4, "direct_report": 4, "other": 2}, {"Peers + Others": 6, "Direct reports": 4}),
], ids=["peers-before-direct-reports", "direct-reports-before-others", "direct-reports-before-others-4",
        "peers-before-others", "peers-before-direct-reports-4"])
def test_a_tie_for_the_smallest_large_category_goes_in_order_peers_direct_reports_others(
        sizes: dict[str, int], expected: dict[str, int]) -> None:
    assert shown_groups(merge_groups(round_of(**sizes))) == expected


def test_the_smallest_large_category_wins_over_the_order() -> None:
    assert shown_groups(merge_groups(round_of(peer=5, direct_report=4, other=1))) == {
        "Peers": 5, "Direct reports + Others": 5}


def test_declined_and_unanswered_invitations_do_not_count(owner: User,
                                                          create_round: Callable[..., Cycle]) -> None:
    """Four peers invited, but only two submitted: the peers are a small category and merge."""
    invited = [("M", "m@trust.example", "manager")]
    invited += [(f"P{n}", f"p{n}@trust.example", "peer") for n in range(4)]
    invited += [(f"D{n}", f"d{n}@trust.example", "direct_report") for n in range(3)]
    cycle = create_round(owner, invited)
    peers = [i for i in cycle.invitations if i.category is P]
    keys = cycle.questionnaire().statement_keys()
    for invitation in cycle.invitations:
        if invitation is peers[2]:
            rater_side.decline(invitation)
        elif invitation is not peers[3]:  # peers[3] never answers
            rater_side.save_answers(invitation, {k: 3 for k in keys})
            rater_side.submit(invitation)
    unit.commit()

    data = report_data(cycle)

    assert data.groups == (("Manager", 1), ("Peers + Direct reports", 5))
    assert data.withheld == 0


# The checker itself ------------------------------------------------------------------------------------------------


def test_the_differencing_checker_finds_two_figures_one_person_apart() -> None:
    """So that the property tests below, which expect it to find nothing, are not vacuous."""
    four = Figure("a", frozenset({"p1", "p2", "p3", "p4"}))
    three = Figure("b", frozenset({"p1", "p2", "p3"}))
    five = Figure("c", frozenset({"p1", "p2", "p3", "p4", "p5"}))
    assert differencing_pairs([four, three], frozenset()) == [("a", "b")]
    assert differencing_pairs([three, five], frozenset()) == [("b", "c")]  # two apart is still too few
    assert differencing_pairs([three, Figure("d", frozenset({"p1", "p2", "p4"}))], frozenset()) == [("b", "d")]
    assert differencing_pairs([four, three, five], frozenset()) == [("a", "b"), ("a", "c"), ("b", "c")]


def test_the_differencing_checker_ignores_differences_in_managers_only() -> None:
    three = Figure("peers", frozenset({"p1", "p2", "p3"}))
    with_manager = Figure("all", frozenset({"p1", "p2", "p3", "m1"}))
    assert differencing_pairs([three, with_manager], frozenset({"m1"})) == []
    assert differencing_pairs([three, with_manager], frozenset()) == [("peers", "all")]


def test_three_apart_is_far_enough() -> None:
    three = Figure("a", frozenset({"p1", "p2", "p3"}))
    six = Figure("b", frozenset({"p1", "p2", "p3", "p4", "p5", "p6"}))
    assert differencing_pairs([three, six], frozenset()) == []


def test_suppression_breaks_a_pair_one_person_apart_and_drops_figures_on_one_or_two_people() -> None:
    figures = [Figure("four", frozenset({"p1", "p2", "p3", "p4"})), Figure("three", frozenset({"p1", "p2", "p3"})),
               Figure("pair", frozenset({"p1", "p2"})), Figure("manager", frozenset({"m1"}))]
    hidden = suppress(figures, frozenset({"m1"}))
    assert "pair" in hidden and "manager" not in hidden
    assert len(hidden & {"four", "three"}) == 1


# Whole reports from random rounds ----------------------------------------------------------------------------------

NAS_STYLES = ("never", "rarely", "often", "mostly", "always", "about_half")


class RandomRound:
    """A closed round's inputs. Not a dataclass, so that Hypothesis prints a failing case with __repr__."""

    def __init__(self, questionnaire: Questionnaire, responses: tuple[RaterResponse, ...],
                 self_answers: Mapping[str, int]) -> None:
        self.questionnaire = questionnaire
        self.responses = responses
        self.self_answers = self_answers

    def __repr__(self) -> str:  # enough to rebuild the case, no more
        def answers(r: RaterResponse) -> str:
            return "".join(str(v) for v in r.answers.values())

        lines = [f"{r.id} {r.category.value:<13} {answers(r)} {dict(r.comments)}" for r in self.responses]
        extra = len(self.questionnaire.statements()) - len(QUESTIONNAIRE.statements())
        return "\n".join([f"RandomRound(questionnaire {self.questionnaire.version} + {extra} org statements:",
                          *lines, f"self {self.self_answers})"])

    def markers(self, ids: frozenset[str]) -> set[str]:
        return {c.strip() for r in self.responses if r.id in ids for c in r.comments.values() if c.strip()}


def _answers(questionnaire: Questionnaire, style: str, rng: random.Random) -> dict[str, int | str]:
    """One rater's answers: every statement rated 1–5 or "Not able to say", in a pattern set by `style`."""
    rate = {"never": 0.0, "rarely": 0.1, "often": 0.4, "mostly": 0.8, "always": 1.0}.get(style)
    answers: dict[str, int | str] = {}
    for area in questionnaire.areas:
        for sub in area.sub_areas:
            keys = [s.key for s in sub.statements]
            if rate is None:  # right at the half-the-statements line, one side or the other
                rated = set(rng.sample(keys, (len(keys) + 1) // 2 - rng.randint(0, 1)))
            else:
                rated = {k for k in keys if rng.random() >= rate}
            answers |= {k: rng.randint(1, 5) if k in rated else NOT_ABLE_TO_SAY for k in keys}
    return answers


def _comment(number: int, question: str, rng: random.Random) -> str:
    """A marker unique to this response and question (and containing neither its id nor another marker)."""
    return rng.choice([f"<note {number} on {question}>", f"  <note {number} on {question}>\n", "", "   "])


@st.composite
def random_rounds(draw: st.DrawFn) -> RandomRound:
    questionnaire = draw(st.sampled_from([QUESTIONNAIRE, WITH_ORG_STATEMENTS]))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    responses: list[RaterResponse] = []
    for category in RATER_CATEGORIES:
        # Small categories half the time, so that rounds merge, join and withhold often.
        for _ in range(draw(st.integers(0, 2) | st.integers(0, 8), label=f"{category} responses")):
            rid = f"resp{len(responses):03d}"
            style = draw(st.sampled_from(NAS_STYLES))
            comments = {q.key: _comment(len(responses), q.key, rng) for q in questionnaire.open_questions}
            responses.append(RaterResponse(rid, category, _answers(questionnaire, style, rng), comments))
    order = draw(st.permutations(responses))  # the order responses come back from the database says nothing
    keys = questionnaire.statement_keys()
    self_answers = {k: rng.randint(1, 5) for k in keys if rng.random() < 0.9}
    return RandomRound(questionnaire, tuple(order), self_answers)


def expected_merging(responses: Sequence[RaterResponse]) -> tuple[dict[tuple[Category, ...], set[str]], set[str]]:
    """PRODUCT §3.1 written out again, independently of `merge_groups`."""
    ids = {c: {r.id for r in responses if r.category is c} for c in RATER_CATEGORIES}
    groups = {(M,): ids[M]} if ids[M] else {}
    small = [c for c in ORDER if 0 < len(ids[c]) < 3]
    large = [c for c in ORDER if len(ids[c]) >= 3]
    groups |= {(c,): ids[c] for c in large}
    combined = set().union(*(ids[c] for c in small))
    if len(combined) >= 3:
        return groups | {tuple(small): combined}, set()
    if combined and large:
        smallest = sorted(large, key=lambda c: (len(ids[c]), ORDER.index(c)))[0]
        del groups[(smallest,)]
        return groups | {tuple(c for c in ORDER if c in {smallest, *small}): ids[smallest] | combined}, set()
    return groups, combined


def expected_answer_sets(questionnaire: Questionnaire, responses: Sequence[RaterResponse],
                         groups: Sequence[Group]) -> dict[str, tuple[frozenset[str], float]]:
    """Every figure with at least one answer, by key: the responses behind it and its value (module docstring)."""
    by_id = {r.id: r for r in responses}

    def rated(rid: str, keys: Sequence[str]) -> list[int]:
        return [v for k in keys if isinstance(v := by_id[rid].answers.get(k), int)]

    audiences = {g.label: g.response_ids for g in groups}
    audiences[ALL] = frozenset().union(*audiences.values())
    found: dict[str, tuple[frozenset[str], float]] = {}
    for audience, members in audiences.items():
        for area in questionnaire.areas:
            area_keys = [s.key for sub in area.sub_areas for s in sub.statements]
            area_counted: set[str] = set()
            for sub in area.sub_areas:
                keys = [s.key for s in sub.statements]
                counted = {m for m in members if rated(m, keys) and 2 * len(rated(m, keys)) >= len(keys)}
                area_counted |= counted
                if counted:
                    found[figure_key(f"{area.key}.{sub.key}", audience)] = (
                        frozenset(counted), fmean(fmean(rated(m, keys)) for m in counted))
                for key in keys:
                    values = [v for m in members for v in rated(m, [key])]
                    if values:
                        found[figure_key(key, audience)] = (
                            frozenset(m for m in members if rated(m, [key])), fmean(values))
            if area_counted:
                found[figure_key(area.key, audience)] = (
                    frozenset(area_counted), fmean(fmean(rated(m, area_keys)) for m in area_counted))
    return found


def rows_of(data: ReportData) -> Iterator[Row]:
    for area in data.areas:
        yield area.row
        for sub in area.sub_areas:
            yield sub.row
            yield from sub.items


@settings(max_examples=200, deadline=None)
@given(random_rounds())
def test_no_report_shows_a_small_group_a_withheld_response_or_a_differencing_pair(case: RandomRound) -> None:
    responses = case.responses
    data = build_report_data(case.questionnaire, responses, case.self_answers)
    scored = score_figures(case.questionnaire, responses)
    merging = scored.merging
    all_ids = frozenset(r.id for r in responses)
    managers = frozenset(r.id for r in responses if r.category is M)
    assert scored.protected_ids == managers
    withheld = merging.withheld_ids

    # §3.1: groups as the rule says; none of fewer than 3 outside Manager; withheld only when nothing can be shown.
    groups, expected_withheld = expected_merging(responses)
    assert {g.categories: set(g.response_ids) for g in merging.groups} == groups
    assert withheld == expected_withheld
    for group in merging.groups:
        assert len(group.response_ids) >= MIN_GROUP or group.categories == (M,)
        assert {r.category for r in responses if r.id in group.response_ids} == set(group.categories)
        if group.categories == (M,):
            assert group.label == ("Manager" if len(group.response_ids) == 1 else "Managers")
        else:
            assert group.label == " + ".join(c.plural for c in ORDER if c in group.categories)
    assert sum(len(g.response_ids) for g in merging.groups) + len(withheld) == len(all_ids)
    assert data.groups == tuple((g.label, len(g.response_ids)) for g in merging.groups)
    assert data.withheld == len(withheld)  # the only total a withheld response reaches

    # Every figure's set and value, recomputed here from the responses, and what the report shows of each.
    expected = expected_answer_sets(case.questionnaire, responses, merging.groups)
    assert {f.key: f.answer_ids for f in scored.figures} == {k: ids for k, (ids, _) in expected.items()}
    labels = [g.label for g in merging.groups]
    shown: list[Figure] = []
    for row in rows_of(data):
        assert list(row.by_group) == labels
        for label, score in [*row.by_group.items(), (ALL, row.all_others)]:
            key = figure_key(row.key, label)
            if score.value is not None:
                ids, value = expected[key]
                assert score.value == pytest.approx(value)
                shown.append(Figure(key, ids))
            else:
                assert score.suppressed == (key in expected), key  # "no answers" only when nobody answered
    assert sorted(shown, key=lambda f: f.key) == sorted(scored.shown(), key=lambda f: f.key)

    # §3.2: no shown figure on 1 or 2 people outside Manager, none within 1 or 2 of another, none from a withheld.
    for figure in shown:
        assert not figure.answer_ids & withheld
        assert len(figure.answer_ids - managers) == 0 or len(figure.answer_ids - managers) >= MIN_GROUP, figure
    assert differencing_pairs(shown, managers) == []
    open_parts = {figure.answer_ids - managers for figure in shown}  # and again without trusting the checker
    assert not [(a, b) for a in open_parts for b in open_parts if 0 < len(a ^ b) < MIN_GROUP]

    # Gaps and extremes come only from shown all-others figures.
    for gap in (*data.blind_spots, *data.hidden_strengths):
        assert any(f.key == figure_key(gap.key, ALL) for f in shown)
    for row in (*data.highest, *data.lowest):
        assert not row.all_others.suppressed and row.all_others.value is not None

    # §3.4: comments only under shown groups, each from that group; no trace of a withheld response anywhere.
    for group in merging.groups:
        listed = [text for texts in data.comments.get(group.label, {}).values() for text in texts]
        assert sorted(listed) == sorted(case.markers(group.response_ids))
    assert set(data.comments) <= set(labels)
    everything = repr(data)
    for marker in case.markers(withheld):
        assert marker not in everything
    for rid in all_ids:  # nor any response's id: nothing in the report points back at a response
        assert rid not in everything


def test_the_random_rounds_do_exercise_suppression_and_withholding() -> None:
    """The property above is only as good as its cases: these draws must hit both rules, often."""
    seen = {"hidden": 0, "withheld": 0, "combined": 0, "joined": 0}

    @settings(max_examples=60, deadline=None, database=None)
    @given(random_rounds())
    def count(case: RandomRound) -> None:
        scored = score_figures(case.questionnaire, case.responses)
        seen["hidden"] += bool(scored.hidden)
        seen["withheld"] += bool(scored.merging.withheld_ids)
        sizes = Counter(r.category for r in case.responses)
        merged = [g for g in scored.merging.groups if len(g.categories) > 1]
        seen["combined"] += any(all(sizes[c] < MIN_GROUP for c in g.categories) for g in merged)
        seen["joined"] += any(any(sizes[c] >= MIN_GROUP for c in g.categories) for g in merged)

    count()
    assert all(n > 0 for n in seen.values()), seen


# Suppression on its own, over small universes so that conflicts are common -----------------------------------------

PROTECTED = frozenset({"m1", "m2"})
UNIVERSE = ("a", "b", "c", "d", "e", "f", "g", *sorted(PROTECTED))

figure_lists = st.lists(st.frozensets(st.sampled_from(UNIVERSE), min_size=1), max_size=12).map(
    lambda sets: [Figure(f"f{n:02d}", ids) for n, ids in enumerate(sets)])


def _safe_alone(figure: Figure) -> bool:
    return not 0 < len(figure.answer_ids - PROTECTED) < MIN_GROUP


@settings(max_examples=300, deadline=None)
@given(figure_lists, st.randoms(use_true_random=False))
def test_suppression_is_deterministic_and_leaves_no_pair_and_no_figure_on_one_or_two(
        figures: list[Figure], rng: random.Random) -> None:
    hidden = suppress(figures, PROTECTED)
    shuffled = list(figures)
    rng.shuffle(shuffled)
    assert suppress(figures, PROTECTED) == hidden
    assert suppress(shuffled, PROTECTED) == hidden  # nor does the order of the figures change anything
    assert hidden <= {f.key for f in figures}
    shown = [f for f in figures if f.key not in hidden]
    assert differencing_pairs(shown, PROTECTED) == []
    assert all(_safe_alone(f) for f in shown)


@settings(max_examples=300, deadline=None)
@given(figure_lists)
def test_suppression_never_drops_a_figure_without_a_reason(figures: list[Figure]) -> None:
    """A figure is dropped only when it rests on 1 or 2 people, or conflicts with a figure that does not."""
    hidden = suppress(figures, PROTECTED)
    safe = [f for f in figures if _safe_alone(f)]
    conflicting = {key for pair in differencing_pairs(safe, PROTECTED) for key in pair}
    for figure in figures:
        if _safe_alone(figure) and figure.key not in conflicting:
            assert figure.key not in hidden, figure
    # ...and hence never one that conflicts with nothing at all
    loners = {f.key for f in safe} - {key for pair in differencing_pairs(figures, PROTECTED) for key in pair}
    assert not loners & hidden
    # Figures resting on the same people (outside Manager) are shown or hidden together.
    for a in figures:
        for b in figures:
            if a.answer_ids - PROTECTED == b.answer_ids - PROTECTED:
                assert (a.key in hidden) == (b.key in hidden)
