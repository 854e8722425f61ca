"""The report's anonymity rules (PRODUCT §3.1, §3.2, §3.4), tested as an attacker would probe them.

The worked examples come straight from §3.1 and §3.2. The property tests build figure tables from random rounds
(category sizes 0–8, "Not able to say" from never to nearly always, a unique marker in every comment) and check what
a reader of the report could learn: every shown group figure rests on 0 or at least 3 answers outside Manager; on no
statement does All others minus its shown groups leave 1 or 2 answers; every shown value is the true mean of the
right set (recomputed here from the responses, independently of `reports.table`); every sub-area and area figure is
the mean of the shown figures below it; and no trace of a withheld response is anywhere.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db as unit
from app.models import User
from config.base import common
from reports.anonymity import (
    ALL_OTHERS,
    MIN_GROUP,
    ORDER,
    SELF,
    Merging,
    RaterResponse,
    Reason,
    hide_statement_figures,
    merge_groups,
)
from reports.build import report_data
from reports.checker import check
from reports.content import build_report_data, layout_of
from reports.table import AREA, STATEMENT, SUB_AREA, Cell, FigureTable, build_table
from surveys import responses as rater_side
from surveys.categories import RATER_CATEGORIES, Category
from surveys.models import Cycle
from surveys.questionnaire import NOT_ABLE_TO_SAY, Questionnaire, load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])  # what a new cycle is pinned to
WITH_ORG_STATEMENTS = QUESTIONNAIRE.with_org_statements([
    ("org.1", "I live our value of kindness", "This person lives our value of kindness"),
    ("org.2", "I put patients first", "This person puts patients first"),
])
P, D, O, M = Category.PEER, Category.DIRECT_REPORT, Category.OTHER, Category.MANAGER  # noqa: E741
NAS = NOT_ABLE_TO_SAY


def shown_groups(merging: Merging) -> dict[str, int]:
    return {g.label: len(g.members) for g in merging.groups}


def categories(**sizes: int) -> list[Category]:
    return [Category(name) for name, count in sizes.items() for _ in range(count)]


# PRODUCT §3.1, worked examples ------------------------------------------------------------------------------------


def test_two_small_categories_reaching_three_form_one_group_named_after_both() -> None:
    merging = merge_groups(categories(peer=2, other=1))
    assert shown_groups(merging) == {"Peers + Others": 3}
    assert merging.groups[0].categories == (P, O)
    assert merging.withheld == frozenset()


def test_a_small_group_joins_the_smallest_large_category_and_is_relabelled_in_fixed_order() -> None:
    merging = merge_groups(categories(direct_report=4, peer=2))
    assert shown_groups(merging) == {"Peers + Direct reports": 6}
    (group,) = merging.groups
    assert group.categories == (P, D)
    assert group.members == frozenset(range(6))


def test_a_lone_peer_is_withheld_when_there_is_no_category_to_join() -> None:
    merging = merge_groups(categories(peer=1))
    assert merging.groups == ()
    assert merging.withheld == {0}


def test_a_small_group_never_joins_the_manager() -> None:
    merging = merge_groups(categories(manager=1, peer=1, other=1))
    assert shown_groups(merging) == {"Manager": 1}
    assert merging.withheld == {1, 2}


@pytest.mark.parametrize(("managers", "label"), [(1, "Manager"), (2, "Managers"), (3, "Managers")])
def test_managers_are_always_their_own_group_first_whatever_their_number(managers: int, label: str) -> None:
    merging = merge_groups(categories(peer=3, manager=managers, direct_report=4))
    assert list(shown_groups(merging).items()) == [(label, managers), ("Peers", 3), ("Direct reports", 4)]
    assert merging.groups[0].is_manager


@pytest.mark.parametrize(("sizes", "expected"), [
    ({"peer": 3, "direct_report": 3, "other": 1}, {"Peers + Others": 4, "Direct reports": 3}),
    ({"peer": 1, "direct_report": 3, "other": 3}, {"Peers + Direct reports": 4, "Others": 3}),
    ({"peer": 2, "direct_report": 4, "other": 4}, {"Peers + Direct reports": 6, "Others": 4}),
    ({"peer": 4, "direct_report": 1, "other": 4}, {"Peers + Direct reports": 5, "Others": 4}),
    ({"peer": 4, "direct_report": 4, "other": 2}, {"Peers + Others": 6, "Direct reports": 4}),
    ({"peer": 5, "direct_report": 4, "other": 1}, {"Peers": 5, "Direct reports + Others": 5}),
], ids=["peers-before-direct-reports", "direct-reports-before-others", "direct-reports-before-others-4",
        "peers-before-others", "peers-before-direct-reports-4", "smallest-wins-over-order"])
def test_a_small_group_joins_the_smallest_large_category_ties_in_order_peers_direct_reports_others(
        sizes: dict[str, int], expected: dict[str, int]) -> None:
    assert shown_groups(merge_groups(categories(**sizes))) == expected


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

    table = report_data(cycle).table

    assert [(g.label, g.responses) for g in table.groups] == [("Manager", 1), ("Peers + Direct reports", 5)]
    assert table.withheld == 0


# PRODUCT §3.2 rules (a) and (b), one statement at a time ------------------------------------------------------------

LABELS = ["Manager", "Peers", "Direct reports", "Others"]
MANAGER = frozenset({"Manager"})


def hide(**answers: int) -> dict[str, Reason]:
    counts = {label: answers.get(label.lower().replace(" ", "_"), 0) for label in LABELS}
    return hide_statement_figures(counts, MANAGER, LABELS)


def test_rule_a_hides_a_group_figure_on_one_or_two_answers_but_never_the_managers() -> None:
    assert hide(manager=1, peers=3, direct_reports=2, others=4) == {"Direct reports": Reason.TOO_FEW,
                                                                    "Peers": Reason.DIFFERENCING}
    assert hide(manager=1, peers=3, direct_reports=4) == {}
    assert hide(manager=2) == {}


def test_rule_b_hides_the_smallest_shown_group_so_that_the_hidden_answers_number_three_or_more() -> None:
    # One Other left over: Peers (3) and Direct reports (3) tie for the smallest; the fixed order picks Peers.
    assert hide(manager=1, peers=3, direct_reports=3, others=1) == {"Others": Reason.TOO_FEW,
                                                                   "Peers": Reason.DIFFERENCING}
    assert hide(peers=5, direct_reports=4, others=2) == {"Others": Reason.TOO_FEW,
                                                        "Direct reports": Reason.DIFFERENCING}
    # Two groups on 1 or 2 answers add up to 3 or more: nothing else need go.
    assert hide(manager=1, peers=2, direct_reports=1, others=4) == {"Peers": Reason.TOO_FEW,
                                                                   "Direct reports": Reason.TOO_FEW}


def test_rule_b_hides_all_others_only_when_no_other_group_figure_is_shown() -> None:
    assert hide(manager=1, peers=2) == {"Peers": Reason.TOO_FEW, ALL_OTHERS: Reason.DIFFERENCING}
    assert hide(peers=1) == {"Peers": Reason.TOO_FEW, ALL_OTHERS: Reason.DIFFERENCING}
    assert hide(manager=1) == {}  # All others is the Manager's own figure: nothing new
    assert hide() == {}


def test_rule_a_alone_is_what_the_benchmark_compares_against() -> None:
    counts = {"Manager": 1, "Peers": 3, "Direct reports": 3, "Others": 1}
    assert hide_statement_figures(counts, MANAGER, LABELS, rule_b=False) == {"Others": Reason.TOO_FEW}


def test_the_round_from_issue_11_can_no_longer_be_subtracted() -> None:
    """The round that broke the old rules: Manager 1, Peers 3, Direct reports 3, Others 4, and three Others "Not
    able to say" on one statement. The page showed 5.0, 3.0, 2.3, "too few answers" and All others 3.2, and
    26 − 5 − 9 − 7 = 5 was the lone Other's answer."""
    key = "ability.professional.1"
    answers = {M: [5], P: [3, 3, 3], D: [2, 2, 3], O: [5, NAS, NAS, NAS]}
    responses = [RaterResponse(category, {k: (value if k == key else 4) for k in QUESTIONNAIRE.statement_keys()},
                               {}) for category, values in answers.items() for value in values]
    table = build_report_data(QUESTIONNAIRE, responses, {}).table
    cells = {c.audience: c for c in table.figures if c.key == key}

    assert [g.label for g in table.groups] == ["Manager", "Peers", "Direct reports", "Others"]
    assert (cells["Manager"].value, cells["Manager"].answers) == (5.0, 1)
    assert cells["Others"].hidden and cells["Others"].reason == "too_few"
    assert cells["Peers"].hidden and cells["Peers"].reason == "differencing"  # ties with Direct reports: order
    assert (cells["Direct reports"].value, cells["Direct reports"].answers) == (2.3, 3)
    assert (cells[ALL_OTHERS].value, cells[ALL_OTHERS].answers) == (3.3, 8)
    assert cells[ALL_OTHERS].answers - 1 - 3 == 4  # what subtraction leaves now: four people's answers together
    assert check(table.to_json()) == []

    # The page as the old rules printed it fails the checker, which names the statement and the rule.
    old = table.to_json()
    for figure in old["figures"]:
        if figure["key"] == key and figure["audience"] == "Peers":
            figure |= {"value": 3.0, "answers": 3, "hidden": False, "reason": None}
    found = [v for v in check(old) if v.measure == STATEMENT]  # (the sub-area mean above it is now off too)
    assert [(v.rule, v.key, v.audience) for v in found] == [("differencing", key, ALL_OTHERS)]
    assert "leaves 1 answer" in str(found[0])


def test_issue_11s_typical_round_shows_nearly_every_figure_rule_a_allows() -> None:
    """Daniel's shape: Manager 1, Peers + Others 3, Direct reports 4, about 12 % "Not able to say"."""
    rng = random.Random(11)
    keys = QUESTIONNAIRE.statement_keys()
    responses = [RaterResponse(c, {k: NAS if rng.random() < 0.12 else rng.randint(2, 5) for k in keys}, {})
                 for c in (M, P, P, D, D, D, D, O)]
    layout = layout_of(QUESTIONNAIRE)
    table, _ = build_table(layout, responses, {})
    rule_a_only, _ = build_table(layout, responses, {}, rule_b=False)

    def shown(t: FigureTable) -> int:
        return sum(1 for c in t.figures if c.is_shown and c.audience != SELF)

    # Where the group of 3 has one "Not able to say", rule (b) must hide a second figure of that statement: no table
    # that passes the rules can show more (the old rules showed 6 of 147 such figures).
    assert shown(table) >= 0.85 * shown(rule_a_only)
    assert check(table.to_json()) == []


# Whole tables from random rounds -----------------------------------------------------------------------------------

NAS_STYLES = ("never", "rarely", "often", "mostly", "nearly_always", "about_half")


class RandomRound:
    """A closed round's inputs. Not a dataclass, so that Hypothesis prints a failing case with __repr__."""

    def __init__(self, questionnaire: Questionnaire, responses: tuple[RaterResponse, ...],
                 self_answers: Mapping[str, int]) -> None:
        self.questionnaire = questionnaire
        self.responses = responses
        self.self_answers = self_answers

    def __repr__(self) -> str:  # enough to rebuild the case, no more
        lines = [f"{r.category.value:<13} {''.join(str(v) for v in r.answers.values())} {dict(r.comments)}"
                 for r in self.responses]
        extra = len(self.questionnaire.statements()) - len(QUESTIONNAIRE.statements())
        return "\n".join([f"RandomRound(questionnaire {self.questionnaire.version} + {extra} org statements:",
                          *lines, f"self {self.self_answers})"])

    def markers(self, members: frozenset[int]) -> set[str]:
        return {c.strip() for m in members for c in self.responses[m].comments.values() if c.strip()}


def _answers(questionnaire: Questionnaire, style: str, rng: random.Random) -> dict[str, int | str]:
    """One rater's answers: every statement rated 1–5 or "Not able to say", in a pattern set by `style`."""
    rate = {"never": 0.0, "rarely": 0.1, "often": 0.4, "mostly": 0.8, "nearly_always": 0.95}.get(style)
    answers: dict[str, int | str] = {}
    for area in questionnaire.areas:
        for sub in area.sub_areas:
            keys = [s.key for s in sub.statements]
            if rate is None:  # right at the half-the-statements line, one side or the other
                rated = set(rng.sample(keys, (len(keys) + 1) // 2 - rng.randint(0, 1)))
            else:
                rated = {k for k in keys if rng.random() >= rate}
            answers |= {k: rng.randint(1, 5) if k in rated else NAS for k in keys}
    return answers


def _comment(number: int, question: str, rng: random.Random) -> str:
    """A marker unique to this response and question."""
    return rng.choice([f"<note {number} on {question}>", f"  <note {number} on {question}>\n", "", "   "])


@st.composite
def random_rounds(draw: st.DrawFn) -> RandomRound:
    questionnaire = draw(st.sampled_from([QUESTIONNAIRE, WITH_ORG_STATEMENTS]))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    responses: list[RaterResponse] = []
    for category in RATER_CATEGORIES:
        # Small categories half the time, so that rounds merge, join and withhold often.
        for _ in range(draw(st.integers(0, 2) | st.integers(0, 8), label=f"{category} responses")):
            style = draw(st.sampled_from(NAS_STYLES))
            comments = {q.key: _comment(len(responses), q.key, rng) for q in questionnaire.open_questions}
            responses.append(RaterResponse(category, _answers(questionnaire, style, rng), comments))
    order = draw(st.permutations(responses))  # the order responses come back from the database says nothing
    self_answers = {k: rng.randint(1, 5) for k in questionnaire.statement_keys() if rng.random() < 0.9}
    return RandomRound(questionnaire, tuple(order), self_answers)


def expected_merging(cats: Sequence[Category]) -> tuple[dict[tuple[Category, ...], set[int]], set[int]]:
    """PRODUCT §3.1 written out again, independently of `merge_groups`."""
    ids = {c: {n for n, x in enumerate(cats) if x is c} for c in RATER_CATEGORIES}
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


def _half_up(value: Fraction) -> Fraction:
    tenths = value * 10
    whole = tenths.numerator // tenths.denominator
    return Fraction(whole + (1 if tenths - whole >= Fraction(1, 2) else 0), 10)


def counted(questionnaire: Questionnaire, answers: Mapping[str, int | str]) -> dict[str, int]:
    """The half-of-statements rule written out again: a sub-area's ratings count when at least half are given."""
    out: dict[str, int] = {}
    for area in questionnaire.areas:
        for sub in area.sub_areas:
            rated = {s.key: v for s in sub.statements if isinstance(v := answers.get(s.key), int)}
            if 2 * len(rated) >= len(sub.statements):
                out |= rated
    return out


def _cells(table: FigureTable) -> dict[tuple[str, str, str], Cell]:
    return {(c.measure, c.key, c.audience): c for c in table.figures}


@settings(max_examples=200, deadline=None)
@given(random_rounds())
def test_no_table_shows_a_small_figure_a_subtractable_statement_or_a_wrong_mean(case: RandomRound) -> None:
    q, responses = case.questionnaire, case.responses
    data = build_report_data(q, responses, case.self_answers)
    table = data.table
    cells = _cells(table)

    # §3.1: the groups as the rule says; none of fewer than 3 outside Manager.
    groups, withheld = expected_merging([r.category for r in responses])
    merging = merge_groups([r.category for r in responses])
    assert {g.categories: set(g.members) for g in merging.groups} == groups
    assert merging.withheld == withheld and table.withheld == len(withheld)
    assert [(g.label, g.responses) for g in table.groups] == [(g.label, len(g.members)) for g in merging.groups]
    for g in table.groups:
        assert g.responses >= MIN_GROUP or g.is_manager

    # Statement figures, against the answers recomputed here.
    ratings = {m: counted(q, responses[m].answers) for g in merging.groups for m in g.members}
    for statement in q.statements():
        key = statement.key
        values = {g.label: [ratings[m][key] for m in g.members if key in ratings[m]] for g in merging.groups}
        hidden_answers = 0
        for g in merging.groups:
            cell, mine = cells[(STATEMENT, key, g.label)], values[g.label]
            if cell.is_shown:
                assert cell.answers == len(mine) and (g.is_manager or len(mine) >= MIN_GROUP), cell
                assert Fraction(cell.value).limit_denominator(10) == _half_up(Fraction(sum(mine), len(mine)))
            else:
                assert cell.value is None and (cell.hidden or not mine)
                assert not (g.is_manager and cell.hidden)
                hidden_answers += len(mine)
        everyone = [v for vs in values.values() for v in vs]
        total = cells[(STATEMENT, key, ALL_OTHERS)]
        if total.is_shown:
            assert total.answers == len(everyone)
            assert Fraction(total.value).limit_denominator(10) == _half_up(Fraction(sum(everyone), len(everyone)))
            assert hidden_answers == 0 or hidden_answers >= MIN_GROUP, key  # rule (b), from the true answers
        own = cells[(STATEMENT, key, SELF)]
        assert own.value == case.self_answers.get(key)

    # Sub-area and area figures: the mean of the shown figures below them, when at least half are shown.
    for area in q.areas:
        for audience in table.audiences:
            subs = []
            for sub in area.sub_areas:
                below = [cells[(STATEMENT, s.key, audience)] for s in sub.statements]
                subs.append(cell := cells[(SUB_AREA, f"{area.key}.{sub.key}", audience)])
                _assert_mean_of_shown(cell, below)
            _assert_mean_of_shown(cells[(AREA, area.key, audience)], subs)

    assert check(table.to_json()) == []

    # §3.4: comments only under shown groups, each from that group; no trace of a withheld response anywhere.
    for g in merging.groups:
        listed = [text for texts in data.comments.get(g.label, {}).values() for text in texts]
        assert sorted(listed) == sorted(case.markers(g.members))
    everything = repr(data)
    for marker in case.markers(frozenset(withheld)):
        assert marker not in everything


def _assert_mean_of_shown(cell: Cell, below: list[Cell]) -> None:
    shown = [c.value for c in below if c.value is not None]
    if shown and 2 * len(shown) >= len(below):
        mean = sum(Fraction(v).limit_denominator(10) for v in shown) / len(shown)
        assert Fraction(cell.value).limit_denominator(10) == _half_up(mean), cell
    else:
        assert cell.value is None, cell


def test_the_random_rounds_do_exercise_both_rules_merging_and_withholding() -> None:
    """The property above is only as good as its cases: these draws must hit every rule, often."""
    seen: Counter[str] = Counter()

    @settings(max_examples=80, deadline=None, database=None)
    @given(random_rounds())
    def count(case: RandomRound) -> None:
        table = build_report_data(case.questionnaire, case.responses, case.self_answers).table
        reasons = {c.reason for c in table.figures if c.hidden}
        seen.update(reason for reason in reasons if reason)
        seen["all_others_hidden"] += any(c.hidden and c.audience == ALL_OTHERS for c in table.figures)
        seen["withheld"] += bool(table.withheld)
        seen["merged"] += any(len(g.categories) > 1 for g in table.groups)

    count()
    assert all(seen[k] > 0 for k in ("too_few", "differencing", "below_half", "all_others_hidden", "withheld",
                                     "merged")), seen


# The checker, against tables tampered with ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(random_rounds(), st.randoms(use_true_random=False))
def test_the_checker_names_a_hidden_figure_given_back_its_value(case: RandomRound, rng: random.Random) -> None:
    responses = case.responses
    table = build_report_data(case.questionnaire, responses, case.self_answers).table
    merging = merge_groups([r.category for r in responses])
    hidden = [c for c in table.figures if c.hidden and c.measure == STATEMENT and c.audience != ALL_OTHERS]
    if not hidden:
        return
    target = rng.choice(hidden)
    group = next(g for g in merging.groups if g.label == target.audience)
    mine = [v for m in group.members if (v := counted(case.questionnaire, responses[m].answers).get(target.key))]
    tampered = table.to_json()
    for figure in tampered["figures"]:
        if (figure["measure"], figure["key"], figure["audience"]) == (STATEMENT, target.key, target.audience):
            figure |= {"value": round(sum(mine) / len(mine), 1), "answers": len(mine), "hidden": False,
                       "reason": None}
    found = check(tampered)
    assert any(v.key == target.key and v.rule in {"too_few", "differencing", "inconsistent"} for v in found), found


def test_the_checker_names_every_violation_not_just_the_first() -> None:
    layout = layout_of(QUESTIONNAIRE)
    keys = QUESTIONNAIRE.statement_keys()
    responses = [RaterResponse(c, {k: 4 for k in keys}, {}) for c in (M, P, P, P, D, D, D)]
    table = build_table(layout, responses, {k: 3 for k in keys})[0].to_json()
    first, second = keys[0], keys[7]
    for figure in table["figures"]:
        if figure["key"] == first and figure["audience"] == "Peers":
            figure["answers"] = 2  # a shown figure on 2 answers
        if figure["key"] == second and figure["audience"] == "Direct reports":
            figure |= {"value": None, "answers": None, "hidden": True, "reason": "too_few"}
        if figure["key"] == second and figure["audience"] == ALL_OTHERS:
            figure["answers"] = 5  # so All others minus Manager (1) and Peers (3) leaves 1
        if figure["measure"] == AREA and figure["audience"] == ALL_OTHERS and figure["key"] == "insight":
            figure["value"] = 2.0
    rules = {(v.rule, v.key) for v in check(table)}
    assert ("too_few", first) in rules
    assert ("differencing", second) in rules
    assert ("not_the_mean", "insight") in rules


def test_the_checker_refuses_a_hidden_figure_that_still_carries_its_value_and_a_small_group() -> None:
    table = {"groups": [{"label": "Peers", "categories": ["peer"], "responses": 2}], "withheld": 0,
             "figures": [{"measure": "area", "key": "a", "audience": "Peers", "value": 4.0, "answers": None,
                          "hidden": True, "reason": "below_half"}]}
    rules = {v.rule for v in check(table)}
    assert {"small_group", "hidden_leaks"} <= rules
    assert [v.rule for v in check({"figures": []})] == ["malformed"]
