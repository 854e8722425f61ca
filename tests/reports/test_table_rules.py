"""Edges of the figure-table rules (PRODUCT §3.2) through their public functions: the half rule at exactly half
and just under, rule (a) alone for the benchmark, a group left out of a statement's counts, the owner's own figure,
and rounding both ways from a half."""

from __future__ import annotations

from fractions import Fraction

from config.base import common
from reports.anonymity import ALL_OTHERS, SELF, RaterResponse, Reason, counts_in_sub_area, hide_statement_figures
from reports.content import layout_of
from reports.table import Cell, build_table, mean_of_shown, one_decimal
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])
KEYS = QUESTIONNAIRE.statement_keys()
M, P, D = Category.MANAGER, Category.PEER, Category.DIRECT_REPORT


def _shown(value: float, answers: int) -> Cell:
    return Cell("statement", "k", "Peers", value, answers, False, None)


HIDDEN = Cell("statement", "k", "Peers", None, None, True, Reason.TOO_FEW.value)


def test_a_figure_above_is_shown_from_exactly_half_of_those_below_and_hidden_just_under() -> None:
    half = mean_of_shown("sub_area", "s", "Peers", [_shown(4.0, 3), _shown(3.0, 4), HIDDEN, HIDDEN])
    assert (half.value, half.answers, half.hidden) == (3.5, 7, False)
    under = mean_of_shown("sub_area", "s", "Peers", [_shown(4.0, 3), _shown(3.0, 4), HIDDEN, HIDDEN, HIDDEN])
    assert (under.value, under.answers, under.hidden, under.reason) == (None, None, True, "below_half")


def test_a_rater_counts_in_a_sub_area_from_half_its_statements_even_a_small_one() -> None:
    assert counts_in_sub_area({"a": 4, "b": NOT_ABLE_TO_SAY}, ["a", "b"])
    assert counts_in_sub_area({"a": 4}, ["a"])
    assert not counts_in_sub_area({"a": NOT_ABLE_TO_SAY}, ["a"])
    assert not counts_in_sub_area({}, [])  # rated nothing: counts nowhere


def test_a_group_missing_from_the_counts_gave_no_answers() -> None:
    order = ["Manager", "Peers", "Direct reports"]
    assert hide_statement_figures({"Peers": 3}, frozenset({"Manager"}), order) == {}
    assert hide_statement_figures({"Peers": 2}, frozenset({"Manager"}), order) == {
        "Peers": Reason.TOO_FEW, ALL_OTHERS: Reason.DIFFERENCING}
    # The Manager's 1 answer is always shown, so only the Peers' 3 and Direct reports' 0 are left to subtract.
    assert hide_statement_figures({"Manager": 1, "Peers": 3}, frozenset({"Manager"}), order) == {}
    assert hide_statement_figures({"Peers": 1, "Direct reports": 3}, frozenset(), order) == {
        "Peers": Reason.TOO_FEW, "Direct reports": Reason.DIFFERENCING}


def _round_with_two_answers_from_direct_reports_on_the_first_statement() -> list[RaterResponse]:
    first = KEYS[0]
    return [RaterResponse(c, {k: 4 for k in KEYS} | ({first: NOT_ABLE_TO_SAY} if n == 4 else {}), {})
            for n, c in enumerate((M, P, P, P, D, D, D))]


def test_rule_a_alone_is_what_the_benchmark_compares_against() -> None:
    """Direct reports give 2 answers on the first statement: rule (a) hides that figure; rule (b) then also hides
    the Peers' (All others minus the shown groups would leave those 2); rule (a) alone keeps the Peers' shown."""
    layout, responses = layout_of(QUESTIONNAIRE), _round_with_two_answers_from_direct_reports_on_the_first_statement()

    def peers_on_first(**rule: bool) -> Cell:
        table = build_table(layout, responses, {}, **rule)[0]
        return table.index()[("statement", KEYS[0], "Peers")]

    assert peers_on_first().hidden and peers_on_first().reason == "differencing"
    assert not peers_on_first(rule_b=False).hidden and peers_on_first(rule_b=False).answers == 3


def test_the_owners_own_figure_rests_on_one_answer_and_every_flag_is_a_yes_or_no() -> None:
    table = build_table(layout_of(QUESTIONNAIRE), _round_with_two_answers_from_direct_reports_on_the_first_statement(),
                        {KEYS[0]: 2})[0]
    assert table.index()[("statement", KEYS[0], SELF)].answers == 1
    assert table.index()[("statement", KEYS[1], SELF)].answers == 0  # not rated by the owner: empty, not hidden
    assert {type(f["hidden"]) for f in table.to_json()["figures"]} == {bool}


def test_one_decimal_rounds_halves_away_from_zero_both_ways() -> None:
    assert one_decimal(Fraction(1, 4)) == Fraction(3, 10) and one_decimal(Fraction(-1, 4)) == Fraction(-3, 10)
    assert one_decimal(Fraction(-1, 5)) == Fraction(-2, 10) and one_decimal(Fraction(-21, 100)) == Fraction(-2, 10)
    assert one_decimal(Fraction(-26, 100)) == Fraction(-3, 10) and one_decimal(Fraction(0)) == 0
    assert one_decimal(Fraction(-9, 10)) == Fraction(-9, 10) and one_decimal(Fraction(-96, 100)) == -1
