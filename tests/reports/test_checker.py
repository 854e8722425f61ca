"""The report check (PRODUCT §3.2) on tampered tables: each kind of damage to a sealed figure table is found and
named, in the words `flask reports verify` prints, with the follow-on violations it causes; an honest table passes.

The starting table is a round of a manager, three peers and three direct reports all answering 4 (the owner 3), so
every figure is shown; each case changes one statement figure of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from config.base import common
from reports.anonymity import ALL_OTHERS, RaterResponse
from reports.checker import check
from reports.content import layout_of
from reports.table import build_table
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])
KEYS = QUESTIONNAIRE.statement_keys()
FIRST = KEYS[0]  # ability.professional.1, under the sub-area ability.professional
M, P, D = Category.MANAGER, Category.PEER, Category.DIRECT_REPORT
ROUND = (M, P, P, P, D, D, D)


def _table(answers_on_first: dict[Category, int | str] | None = None) -> dict[str, Any]:
    given = answers_on_first or {}
    responses = [RaterResponse(c, {k: 4 for k in KEYS} | ({FIRST: given[c]} if c in given else {}), {})
                 for c in ROUND]
    return build_table(layout_of(QUESTIONNAIRE), responses, {k: 3 for k in KEYS})[0].to_json()


def _figure(table: dict[str, Any], audience: str) -> dict[str, Any]:
    return next(f for f in table["figures"]
                if (f["measure"], f["key"], f["audience"]) == ("statement", FIRST, audience))


def _drop(audience: str) -> Callable[[dict[str, Any]], None]:
    return lambda table: table["figures"].remove(_figure(table, audience))


def _set(who: str, **values: object) -> Callable[[dict[str, Any]], None]:
    return lambda table: _figure(table, who).update(values)


SUM = "its number of answers is not the sum of those below it"
CASES = {
    "a group's figure removed": (_drop("Peers"), [
        f"sub_area ability.professional / Peers: inconsistent: {SUM}",
        f"statement {FIRST} / Peers: missing: the table has no figure for this group",
        f"statement {FIRST} / All others: inconsistent: answers left over, yet no group figure is hidden"]),
    "the Manager figure removed, the others still summed": (_drop("Manager"), [
        f"sub_area ability.professional / Manager: inconsistent: {SUM}",
        f"statement {FIRST} / Manager: missing: the table has no figure for this group",
        f"statement {FIRST} / All others: differencing: All others minus the shown groups leaves 1 answer (rule b)"]),
    "All others removed": (_drop(ALL_OTHERS), [
        f"sub_area ability.professional / All others: inconsistent: {SUM}",
        f"statement {FIRST} / All others: missing: the table has no All others figure"]),
    "Self removed": (_drop("Self"), [
        f"sub_area ability.professional / Self: inconsistent: {SUM}",
        f"statement {FIRST} / Self: missing: the table has no Self figure"]),
    "the Manager figure hidden": (_set("Manager", value=None, answers=None, hidden=True, reason="too_few"), [
        f"sub_area ability.professional / Manager: inconsistent: {SUM}",
        f"statement {FIRST} / Manager: manager_hidden: the Manager figure is always shown",
        f"statement {FIRST} / All others: differencing: All others minus the shown groups leaves 1 answer (rule b)"]),
    "more answers than the group has raters": (_set("Peers", answers=4), [
        f"sub_area ability.professional / Peers: inconsistent: {SUM}",
        f"statement {FIRST} / Peers: inconsistent: 4 answers from a group of 3",
        f"statement {FIRST} / All others: inconsistent: fewer answers than the shown groups have between them"]),
    "All others on fewer answers than the groups": (_set(ALL_OTHERS, answers=6), [
        f"sub_area ability.professional / All others: inconsistent: {SUM}",
        f"statement {FIRST} / All others: inconsistent: fewer answers than the shown groups have between them"]),
    "All others on 2 answers more than the groups": (_set(ALL_OTHERS, answers=9), [
        f"sub_area ability.professional / All others: inconsistent: {SUM}",
        f"statement {FIRST} / All others: differencing: All others minus the shown groups leaves 2 answers (rule b)"]),
    "All others on answers no hidden group could have given": (_set(ALL_OTHERS, answers=10), [
        f"sub_area ability.professional / All others: inconsistent: {SUM}",
        f"statement {FIRST} / All others: inconsistent: answers left over, yet no group figure is hidden"]),
}


@pytest.mark.parametrize("damage", CASES)
def test_each_kind_of_damage_is_named_with_what_it_breaks(damage: str) -> None:
    tamper, expected = CASES[damage]
    table = copy.deepcopy(_table())
    assert check(table) == []
    tamper(table)
    assert [str(v) for v in check(table)] == expected


def test_a_statement_a_group_or_everyone_could_not_rate_passes() -> None:
    """Figures on no answers are empty, not hidden, and subtract nothing: the check must not count them as one."""
    assert check(_table({P: NOT_ABLE_TO_SAY})) == []
    assert check(_table(dict.fromkeys(ROUND, NOT_ABLE_TO_SAY))) == []
    peers = _figure(_table({P: NOT_ABLE_TO_SAY}), "Peers")
    assert (peers["value"], peers["answers"], peers["hidden"]) == (None, 0, False)


SHAPES = {
    "an audience the report has no group for": (_set("Peers", audience="Friends"),
                                                f"statement {FIRST} / Friends: unknown_audience: no such group in "
                                                "this report"),
    "a measure that is not a figure": (_set("Peers", measure="question"),
                                       f"question {FIRST} / Peers: unknown_measure: measure 'question'"),
    "a hidden figure keeping its value": (_set("Peers", hidden=True, reason="too_few"),
                                          f"statement {FIRST} / Peers: hidden_leaks: a hidden figure carries a value "
                                          "or a number of answers"),
    "a hidden figure keeping its answers": (_set("Peers", value=None, hidden=True, reason="too_few"),
                                            f"statement {FIRST} / Peers: hidden_leaks: a hidden figure carries a "
                                            "value or a number of answers"),
    "a hidden figure that does not say why": (_set("Peers", value=None, answers=None, hidden=True, reason=None),
                                              f"statement {FIRST} / Peers: no_reason: a hidden figure must say why"),
    "a hidden figure with a made-up reason": (_set("Peers", value=None, answers=None, hidden=True, reason="secret"),
                                              f"statement {FIRST} / Peers: no_reason: a hidden figure must say why"),
    "answers counted under an empty figure": (_set("Peers", value=None),
                                              f"statement {FIRST} / Peers: inconsistent: no value, not hidden, yet "
                                              "answers are counted"),
    "a value above the scale": (_set("Peers", value=6.0),
                                f"statement {FIRST} / Peers: inconsistent: value 6.0 on 3 answers"),
    "a value below the scale": (_set("Peers", value=0.5),
                                f"statement {FIRST} / Peers: inconsistent: value 0.5 on 3 answers"),
    "a value on no answers": (_set("Peers", answers=0),
                              f"statement {FIRST} / Peers: inconsistent: value 4.0 on 0 answers"),
    "a value finer than the report prints": (_set("Peers", value=4.25),
                                             f"statement {FIRST} / Peers: precision: 4.25 is finer than one decimal"),
}


@pytest.mark.parametrize("damage", SHAPES)
def test_each_figure_that_cannot_be_right_on_its_own_is_named(damage: str) -> None:
    tamper, expected = SHAPES[damage]
    table = copy.deepcopy(_table())
    tamper(table)
    assert expected in [str(v) for v in check(table)]


@pytest.mark.parametrize("value", [1.0, 5.0, 2.5])
def test_any_value_on_the_scale_at_one_decimal_is_a_possible_figure(value: float) -> None:
    table = copy.deepcopy(_table())
    _set("Peers", value=value)(table)
    assert [v.rule for v in check(table)] == ["not_the_mean"]  # only the sub-area above it no longer agrees


def _set_all(measure: str, keys: set[str], audience: str, **values: object) -> Callable[[dict[str, Any]], None]:
    def tamper(table: dict[str, Any]) -> None:
        for f in table["figures"]:
            if f["measure"] == measure and f["key"] in keys and f["audience"] == audience:
                f.update(values)
    return tamper


def _first_figure_moved_to_the_front(table: dict[str, Any]) -> None:
    figure = _figure(table, "Manager")
    table["figures"].remove(figure)
    table["figures"].insert(0, figure)


def _peers_down_to(responses: int) -> Callable[[dict[str, Any]], None]:
    return lambda table: table["groups"][1].update(responses=responses)


HIDE = {"value": None, "answers": None, "hidden": True}
ABOVE = {
    "a sub-area shown over fewer than half of its statements": (
        _set_all("statement", {f"ability.professional.{n}" for n in (1, 2, 3)}, "Peers", **HIDE, reason="too_few"),
        ["sub_area ability.professional / Peers: below_half: shown with 2 of 5 figures below it shown"]),
    "a sub-area hidden although its statements are shown": (
        _set_all("sub_area", {"ability.professional"}, "Peers", **HIDE, reason="too_few"),
        ["area ability / Peers: inconsistent: its number of answers is not the sum of those below it",
         "sub_area ability.professional / Peers: inconsistent: a sub_area figure is hidden only for too few figures "
         "below it"]),
    "a sub-area figure that is not the mean below it": (
        _set_all("sub_area", {"ability.professional"}, "Peers", value=3.0),
        ["area ability / Peers: not_the_mean: 4.0 is not the mean of the shown figures below it (3.5)",
         "sub_area ability.professional / Peers: not_the_mean: 3.0 is not the mean of the shown figures below it "
         "(4.0)"]),
    "a statement listed before any sub-area": (_first_figure_moved_to_the_front, [
        f"statement {FIRST} / Manager: malformed: out of order",
        *(f"sub_area ability.professional / {a}: inconsistent: {SUM}"
          for a in ("Manager", "Peers", "Direct reports", ALL_OTHERS, "Self"))]),
}


@pytest.mark.parametrize("damage", ABOVE)
def test_each_figure_above_the_statements_is_checked_against_those_below(damage: str) -> None:
    tamper, expected = ABOVE[damage]
    table = copy.deepcopy(_table())
    tamper(table)
    assert [str(v) for v in check(table)] == expected


def test_a_group_too_small_to_show_and_a_table_that_is_not_one_are_named() -> None:
    table = copy.deepcopy(_table())
    _peers_down_to(2)(table)
    found = [str(v) for v in check(table)]
    assert found[0] == "  / Peers: small_group: a group of 2 is shown"
    assert found[1:] == [f"statement {k} / Peers: inconsistent: 3 answers from a group of 2" for k in KEYS]
    assert [str(v) for v in check({"figures": []})] == ["  / : malformed: not a figure table: KeyError('groups')"]


def _sub_area_moved_to_the_front(table: dict[str, Any]) -> None:
    figure = next(f for f in table["figures"] if f["measure"] == "sub_area" and f["audience"] == "Manager")
    table["figures"].remove(figure)
    table["figures"].insert(0, figure)


def _no_answers_on_a_shown_figure(table: dict[str, Any]) -> None:
    _set("Peers", answers=None)(table)
    _set_all("sub_area", {"ability.professional"}, "Peers", answers=12)(table)  # the sum without it


AUDIENCES = ("Manager", "Peers", "Direct reports", ALL_OTHERS, "Self")
OUT_OF_PLACE = {
    "a shown figure that does not say on how many answers": (_no_answers_on_a_shown_figure, [
        f"statement {FIRST} / Peers: inconsistent: value 4.0 on None answers",
        f"area ability / Peers: inconsistent: {SUM}",
        f"statement {FIRST} / Peers: too_few: a group figure on 0 answers is shown (rule a)",
        f"statement {FIRST} / All others: inconsistent: answers left over, yet no group figure is hidden"]),
    "a sub-area listed before its area": (_sub_area_moved_to_the_front, [
        "sub_area ability.professional / Manager: malformed: out of order",
        *(f"statement ability.professional.{n} / Manager: malformed: out of order" for n in range(1, 6)),
        *(f"sub_area ability.professional / {a}: below_half: shown with 0 of 0 figures below it shown"
          for a in AUDIENCES),
        *(f"area ability / {a}: inconsistent: {SUM}" for a in AUDIENCES)]),
    "a figure of no known measure among the statements": (_set("Peers", measure="question"), [
        f"question {FIRST} / Peers: unknown_measure: measure 'question'",
        f"question {FIRST} / Peers: malformed: out of order",
        f"sub_area ability.professional / Peers: inconsistent: {SUM}",
        f"statement {FIRST} / Peers: missing: the table has no figure for this group",
        f"statement {FIRST} / All others: inconsistent: answers left over, yet no group figure is hidden",
        f"question {FIRST} / Peers: below_half: shown with 0 of 0 figures below it shown"]),
}


@pytest.mark.parametrize("damage", OUT_OF_PLACE)
def test_figures_out_of_place_or_without_their_answers_are_named(damage: str) -> None:
    tamper, expected = OUT_OF_PLACE[damage]
    table = copy.deepcopy(_table())
    tamper(table)
    assert [str(v) for v in check(table)] == expected


def test_a_figure_listed_twice_and_one_with_no_answers_to_subtract_from_are_named() -> None:
    table = copy.deepcopy(_table())
    table["figures"].append(dict(_figure(table, "Peers")))
    assert [str(v) for v in check(table)] == [f"statement {FIRST} / Peers: duplicate: listed twice"]
    # Nobody could rate the statement, yet All others shows a value: named once, and nothing is subtracted from it.
    table = _table(dict.fromkeys(ROUND, NOT_ABLE_TO_SAY))
    _set(ALL_OTHERS, value=4.0, answers=None)(table)
    assert [str(v) for v in check(table)] == [
        f"statement {FIRST} / All others: inconsistent: value 4.0 on None answers"]


PEERS = f"statement {FIRST} / Peers: malformed:"
WRONG_TYPES = {
    "a number of answers as text": (_set("Peers", answers="3"), f"{PEERS} answers is '3', not a whole number or null"),
    "a value as text": (_set("Peers", value="4.0"), f"{PEERS} value is '4.0', not a number or null"),
    "hidden as a word": (_set("Peers", hidden="no"), f"{PEERS} hidden is 'no', not true or false"),
    "answers as true": (_set("Peers", answers=True), f"{PEERS} answers is True, not a whole number or null"),
}


@pytest.mark.parametrize("damage", WRONG_TYPES)
def test_a_figure_of_the_wrong_kind_is_named_rather_than_computed_with(damage: str) -> None:
    tamper, expected = WRONG_TYPES[damage]
    table = copy.deepcopy(_table())
    tamper(table)
    assert [str(v) for v in check(table)] == [expected]


def test_a_group_or_a_withheld_count_of_the_wrong_kind_is_named() -> None:
    table = copy.deepcopy(_table())
    table["groups"][0]["responses"] = "1"
    table["withheld"] = "0"
    label = table["groups"][0]["label"]
    assert [str(v) for v in check(table)] == [
        f"  / {label}: malformed: a group needs a label, its categories as text and a whole number of responses",
        "  / : malformed: withheld is '0', not a whole number"]
