"""The change since the last report (followup.rules): inside the band is never a change, the band only narrows with
more answers, and only area and sub-area "All others" figures that both reports show are compared."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from config.base import common
from followup import rules
from followup.rules import Basis, NotCompared, Verdict
from reports.anonymity import ALL_OTHERS, RaterResponse
from reports.content import layout_of
from reports.table import AREA, STATEMENT, SUB_AREA, build_table
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])
LAYOUT = layout_of(QUESTIONNAIRE)
KEYS = QUESTIONNAIRE.statement_keys()
SAME = {key: key for key in KEYS}  # one version: every statement is itself

counts = st.lists(st.lists(st.integers(1, 60), min_size=1, max_size=6), min_size=1, max_size=3)
tenths = st.integers(10, 50).map(lambda n: Fraction(n, 10))


@given(earlier=counts, later=counts, before=tenths, after=tenths)
def test_a_change_inside_the_band_is_never_called_a_change(earlier: list[list[int]], later: list[list[int]],
                                                           before: Fraction, after: Fraction) -> None:
    group = lambda cs: tuple(tuple((f"s{i}.{j}", m) for j, m in enumerate(g)) for i, g in enumerate(cs))  # noqa: E731
    shape = [[1] * len(g) for g in earlier]  # the same statements in both reports
    later = [[later[i % len(later)][j % len(later[i % len(later)])] for j in range(len(g))] for i, g in
             enumerate(shape)]
    same = {f"s{i}.{j}": f"s{i}.{j}" for i, g in enumerate(shape) for j in range(len(g))}
    row = rules.compare_figures(SUB_AREA, "k", "t", Basis(before, 1, group(earlier)), Basis(after, 1, group(later)),
                                same)
    assert row.change == after - before and row.band is not None
    if abs(row.change) <= row.band:
        assert row.verdict is Verdict.NO_CLEAR_CHANGE
    else:
        assert row.verdict is (Verdict.HIGHER if row.change > 0 else Verdict.LOWER)
    # The band is at printed precision and always covers the rounding of the two printed figures.
    assert row.band * 10 == int(row.band * 10) and row.band >= Fraction(2, 10)


@given(earlier=counts, later=counts, more=st.integers(1, 40))
def test_more_answers_never_widen_the_band(earlier: list[list[int]], later: list[list[int]], more: int) -> None:
    grown = [[m + more for m in g] for g in later]
    assert rules.noise_band(earlier, grown) <= rules.noise_band(earlier, later)


@given(answers=st.integers(1, 60), statements=st.integers(1, 6), sub_areas=st.integers(1, 3))
def test_the_band_rests_on_each_statements_answers_not_on_how_many_statements(
        answers: int, statements: int, sub_areas: int) -> None:
    """What the section says: more statements answered by the same people leave the band as it is, so the total
    in brackets (every answer beneath a figure) is not what it narrows with."""
    many = [[answers] * statements] * sub_areas
    assert rules.noise_band(many, many) == rules.noise_band([[answers]], [[answers]])


@given(answers=st.integers(1, 60), more=st.integers(1, 60))
def test_a_band_narrows_or_stays_as_each_statements_answers_grow(answers: int, more: int) -> None:
    assert rules.noise_band([[answers + more]], [[answers + more]]) <= rules.noise_band([[answers]], [[answers]])


def test_the_band_at_typical_group_sizes() -> None:
    """A sub-area of 4 statements, each rated by n others in both rounds (the README's table)."""
    bands = {n: rules.noise_band([[n] * 4], [[n] * 4]) for n in (3, 5, 8, 12, 20)}
    assert bands == {3: Fraction(18, 10), 5: Fraction(14, 10), 8: Fraction(11, 10), 12: Fraction(1),
                     20: Fraction(8, 10)}


def test_the_edge_of_the_band_is_inside_it() -> None:
    band = Fraction(7, 10)
    assert rules.verdict(band, band) is Verdict.NO_CLEAR_CHANGE
    assert rules.verdict(-band, band) is Verdict.NO_CLEAR_CHANGE
    assert rules.verdict(band + Fraction(1, 10), band) is Verdict.HIGHER
    assert rules.verdict(-band - Fraction(1, 10), band) is Verdict.LOWER


def _table(seed: int, shift: int = 0, missing: str | None = None):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    cats = [Category.MANAGER] + [Category.PEER] * 4 + [Category.DIRECT_REPORT] * 4
    drawn = [{k: min(5, rng.randint(2, 5) + shift) for k in KEYS} for _ in cats]
    gone = {missing: NOT_ABLE_TO_SAY} if missing else {}
    responses = [RaterResponse(c, a | gone, {}) for c, a in zip(cats, drawn, strict=True)]
    return build_table(LAYOUT, responses, {})[0]


def test_only_areas_and_sub_areas_of_all_others_are_compared_never_a_statement_or_a_group() -> None:
    rows = rules.change_since(_table(1), LAYOUT, _table(2, shift=1), LAYOUT, SAME)
    assert {r.measure for r in rows} == {AREA, SUB_AREA}
    assert len(rows) == len(LAYOUT) + sum(len(a.sub_areas) for a in LAYOUT)
    later = _table(2, shift=1).index()
    for row in rows:  # every "later" figure is the printed All others figure, nothing else
        cell = later[(row.measure, row.key, ALL_OTHERS)]
        assert row.later is not None and float(row.later.value) == cell.value and row.later.answers == cell.answers


def test_a_figure_resting_on_other_statements_is_not_compared() -> None:
    """A statement nobody rated the second time: its sub-area (and area) rest on different statements."""
    gone = KEYS[0]
    rows = {r.key: r for r in rules.change_since(_table(1), LAYOUT, _table(1, missing=gone), LAYOUT, SAME)}
    sub = next(s for a in LAYOUT for s in a.sub_areas if gone in {t.key for t in s.statements})
    assert rows[sub.key].not_compared is NotCompared.DIFFERENT_STATEMENTS and rows[sub.key].change is None
    untouched = [r for r in rows.values() if r.measure == SUB_AREA and r.key != sub.key]
    assert untouched and all(r.change == 0 and r.verdict is Verdict.NO_CLEAR_CHANGE for r in untouched)


def test_nothing_hidden_feeds_a_comparison() -> None:
    """Hidden figures carry no value and no count: a basis holds only shown statement counts."""
    table = _table(3)
    shown = {c.key: c.answers for c in table.figures if c.measure == STATEMENT and c.audience == ALL_OTHERS
             and c.is_shown}
    for basis in rules.bases(table, LAYOUT).values():
        assert all(shown[key] == m for group in basis.counts for key, m in group)


# --- across questionnaire versions: only what carries over -------------------------------------------------------

keys = st.sampled_from([f"k{n}" for n in range(8)])
bases_ = st.lists(st.tuples(keys, st.integers(1, 30)), min_size=1, max_size=5, unique_by=lambda t: t[0])


@given(earlier=bases_, later=bases_, carried=st.dictionaries(keys, keys, max_size=8),
       before=tenths, after=tenths)
def test_a_change_is_never_computed_across_a_statement_not_carried_over(
        earlier: list[tuple[str, int]], later: list[tuple[str, int]], carried: dict[str, str], before: Fraction,
        after: Fraction) -> None:
    row = rules.compare_figures(SUB_AREA, "k", "t", Basis(before, 1, (tuple(earlier),)),
                                Basis(after, 1, (tuple(later),)), carried)
    earlier_keys, later_keys = {k for k, _ in earlier}, {k for k, _ in later}
    compared = all(k in carried for k in earlier_keys) and {carried[k] for k in earlier_keys} == later_keys
    assert (row.change is not None) == compared
    if not compared:
        assert row.verdict is None and row.band is None and row.not_compared is not None


def _renamed(layout, rename):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return tuple(replace(a, sub_areas=tuple(replace(s, statements=tuple(
        replace(t, key=rename.get(t.key, t.key)) for t in s.statements)) for s in a.sub_areas)) for a in layout)


def test_across_versions_only_sub_areas_whose_statements_all_carry_over_are_compared() -> None:
    """A later version renumbered one sub-area's statements: declared to carry over, it is compared; a sub-area
    with one statement not declared is not, nor the area above it; the rest compare as within one version."""
    sub = LAYOUT[0].sub_areas[0]
    rename = {s.key: s.key + "x" for s in sub.statements}
    later_layout = _renamed(LAYOUT, rename)
    later_table = _table(2, shift=1)
    from dataclasses import replace

    later_table = replace(later_table, figures=tuple(replace(c, key=rename.get(c.key, c.key))
                                                     for c in later_table.figures))
    declared = {k: rename.get(k, k) for k in KEYS}
    rows = {r.key: r for r in rules.change_since(_table(1), LAYOUT, later_table, later_layout, declared)}
    assert rows[sub.key].change is not None
    dropped = LAYOUT[0].sub_areas[1].statements[0].key
    partial = {k: v for k, v in declared.items() if k != dropped}
    rows = {r.key: r for r in rules.change_since(_table(1), LAYOUT, later_table, later_layout, partial)}
    assert rows[LAYOUT[0].sub_areas[1].key].not_compared is NotCompared.QUESTIONS_CHANGED
    assert rows[LAYOUT[0].key].not_compared is NotCompared.QUESTIONS_CHANGED
    assert rows[sub.key].change is not None and rows[LAYOUT[1].key].change is not None


def test_an_organisations_own_statement_carries_over_only_unchanged() -> None:
    """Not in any file: the same key and the same title (made from its rater wording) in both reports."""
    from reports.table import AreaInfo, StatementInfo, SubAreaInfo

    def layout(title: str):  # type: ignore[no-untyped-def]
        return (AreaInfo("values", "Values", (SubAreaInfo("values.shared", "Shared", (
            StatementInfo("values.shared.1", "Lives the values"), StatementInfo("org.7", title))),)),)

    file_keys = ["values.shared.1"]
    assert rules.carried_over(layout("Speaks up"), layout("Speaks up"), {"values.shared.1": "values.shared.1"},
                              file_keys) == {"values.shared.1": "values.shared.1", "org.7": "org.7"}
    assert rules.carried_over(layout("Speaks up"), layout("Speaks up for patients"), {}, file_keys) == {}
