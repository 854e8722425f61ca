"""Scoring the report (PRODUCT §3.2, §3.4, §4): means, who counts where, gaps, extremes and comments."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

import pytest

from config.base import common
from reports.anonymity import RaterResponse
from reports.figures import (
    ALL,
    GAP_THRESHOLD,
    TOP_N,
    ReportData,
    Row,
    Score,
    build_report_data,
    figure_key,
    rater_mean,
    score_figures,
)
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY as NAS
from surveys.questionnaire import load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])
KEYS = QUESTIONNAIRE.statement_keys()
P, D, O, M = Category.PEER, Category.DIRECT_REPORT, Category.OTHER, Category.MANAGER  # noqa: E741


def rater(rid: str, category: Category, default: int | str = 3, answers: Mapping[str, int | str] | None = None,
          comment: str = "") -> RaterResponse:
    """A response answering `default` to every statement, except as `answers` says."""
    return RaterResponse(rid, category, {k: default for k in KEYS} | dict(answers or {}),
                         {"strengths": comment} if comment else {})


def build(responses: list[RaterResponse], self_answers: Mapping[str, int] | None = None) -> ReportData:
    return build_report_data(QUESTIONNAIRE, responses, self_answers if self_answers is not None else {})


def rows(data: ReportData) -> Iterator[Row]:
    for area in data.areas:
        yield area.row
        for sub in area.sub_areas:
            yield sub.row
            yield from sub.items


def row(data: ReportData, key: str) -> Row:
    return next(r for r in rows(data) if r.key == key)


def items(data: ReportData) -> list[Row]:
    return [item for area in data.areas for sub in area.sub_areas for item in sub.items]


def shown(value: float) -> Score:
    return Score(pytest.approx(value), False)  # type: ignore[arg-type]


HIDDEN = Score(None, True)

# Means and who counts -----------------------------------------------------------------------------------------------


def test_an_item_mean_ignores_not_able_to_say() -> None:
    x = "ability.professional.1"
    peers = [rater("p1", P, answers={x: 5}), rater("p2", P, answers={x: 4}), rater("p3", P, answers={x: 3}),
             *(rater(f"p{n}", P, answers={x: NAS}) for n in (4, 5, 6))]
    data = build([*peers, rater("m1", M, answers={x: 2})])

    assert row(data, x).by_group == {"Manager": shown(2.0), "Peers": shown(4.0)}  # not (5+4+3)/6
    assert row(data, x).all_others == shown(3.5)
    # p4–p6 rated 4 of the 5 statements at 3: their mean is 3, not 12/5 as if "Not able to say" were 0.
    assert row(data, "ability.professional").by_group["Peers"] == shown((3.4 + 3.2 + 3 + 3 + 3 + 3) / 6)


def test_all_others_is_every_shown_rater_including_managers_and_never_self() -> None:
    data = build([*(rater(f"p{n}", P, default=4) for n in range(3)), rater("m1", M, default=1),
                  rater("m2", M, default=1)], self_answers={k: 5 for k in KEYS})

    for r in rows(data):
        assert r.by_group == {"Managers": shown(1.0), "Peers": shown(4.0)}
        assert r.all_others == shown((3 * 4 + 2 * 1) / 5)  # each rater once; not the mean of the group means
        assert r.self_score == 5.0


def test_the_self_score_is_the_owners_own_mean_and_shown_even_when_every_rater_is_withheld() -> None:
    sub = ["ability.leadership.1", "ability.leadership.2", "ability.leadership.3", "ability.leadership.4"]
    self_answers = {k: 2 for k in KEYS if not k.startswith("ability.")} | {sub[0]: 5, sub[1]: 4, sub[2]: 3}
    data = build([rater("p1", P)], self_answers)

    assert data.withheld == 1 and data.groups == ()
    assert [row(data, k).self_score for k in sub] == [5.0, 4.0, 3.0, None]  # sub[3] left unrated by the owner
    assert row(data, "ability.leadership").self_score == 4.0
    assert row(data, "ability.professional").self_score is None
    assert row(data, "ability").self_score == 4.0
    assert row(data, "values").self_score == 2.0
    assert all(r.all_others == Score(None, False) for r in rows(data))  # nothing to show: the peer is withheld


@pytest.mark.parametrize(("rated", "counted"), [(0, False), (1, False), (2, True), (3, True), (4, True)])
def test_a_rater_counts_towards_a_four_statement_sub_area_from_two_statements(rated: int, counted: bool) -> None:
    keys = ["s1", "s2", "s3", "s4"]
    answers: dict[str, int | str] = {k: 4 if n < rated else NAS for n, k in enumerate(keys)}
    assert (rater_mean(answers, keys, need_half=True) is not None) == counted


@pytest.mark.parametrize(("rated", "counted"), [(0, False), (1, False), (2, False), (3, True), (5, True)])
def test_a_rater_counts_towards_a_five_statement_sub_area_from_three_statements(rated: int, counted: bool) -> None:
    keys = ["s1", "s2", "s3", "s4", "s5"]
    answers: dict[str, int | str] = {k: 2 if n < rated else NAS for n, k in enumerate(keys)}
    assert rater_mean(answers, keys, need_half=True) == (2.0 if counted else None)


def test_a_rater_who_rated_under_half_a_sub_areas_statements_is_left_out_of_it() -> None:
    """Five peers rate everything at 4; three rate only one of the four Leadership statements at 1 (too few to
    count there), and three rate two of them at 1 (half: they count). Nobody else rates anything."""
    lead = ["ability.leadership.1", "ability.leadership.2", "ability.leadership.3", "ability.leadership.4"]
    full = [rater(f"p{n}", P, default=4) for n in range(1, 6)]
    one = [rater(f"p{n}", P, default=NAS, answers={lead[0]: 1}) for n in range(6, 9)]
    two = [rater(f"p{n}", P, default=NAS, answers={lead[0]: 1, lead[1]: 1}) for n in range(9, 12)]
    responses = [*full, *one, *two]
    data = build(responses)

    assert row(data, "ability.leadership").all_others == shown((5 * 4 + 3 * 1) / 8)
    assert row(data, lead[0]).all_others == shown((5 * 4 + 6 * 1) / 11)  # every answer counts for its own item
    assert row(data, lead[1]).all_others == shown((5 * 4 + 3 * 1) / 8)
    assert row(data, "ability").all_others == shown((5 * 4 + 3 * 1) / 8)
    figures = {f.key: f.answer_ids for f in score_figures(QUESTIONNAIRE, responses).shown()}
    assert figures[figure_key("ability.leadership", ALL)] == {r.id for r in (*full, *two)}


# Gaps and extremes -------------------------------------------------------------------------------------------------


def test_blind_spots_and_hidden_strengths_start_at_the_threshold() -> None:
    assert GAP_THRESHOLD == 1.0, "the examples below sit on a 1-point threshold"
    a, b, c = "ability.professional.1", "ability.professional.2", "ability.professional.3"
    d, e, f = "ability.leadership.1", "ability.leadership.2", "ability.leadership.3"
    peers = [rater("p1", P, answers={b: 3, f: 4}), rater("p2", P, answers={b: 3, f: 4}),
             rater("p3", P, answers={b: 4, f: 5})]
    self_answers = {k: 3 for k in KEYS} | {a: 4, b: 4, c: 5, d: 2, e: 1, f: 3}
    data = build(peers, self_answers)

    # a: 4 v 3 (exactly 1: a blind spot); b: 4 v 3⅓ (not); c: 5 v 3; d: 2 v 3 (exactly 1); e: 1 v 3; f: 3 v 4⅓.
    assert [(g.key, g.self_score, g.others) for g in data.blind_spots] == [(c, 5, 3), (a, 4, 3)]
    assert [(g.key, g.self_score, pytest.approx(g.others)) for g in data.hidden_strengths] == [
        (e, 1, 3), (f, 3, 13 / 3), (d, 2, 3)]


def test_gaps_follow_the_threshold_on_every_shown_item() -> None:
    rng = random.Random(7)
    peers = [RaterResponse(f"p{n}", P, {k: rng.randint(1, 5) for k in KEYS}, {}) for n in range(4)]
    self_answers = {k: rng.randint(1, 5) for k in KEYS}
    data = build(peers, self_answers)

    others = {i.key: i.all_others.value for i in items(data)}
    assert {g.key for g in data.blind_spots} == {
        k for k, v in others.items() if v is not None and self_answers[k] - v >= GAP_THRESHOLD}
    assert {g.key for g in data.hidden_strengths} == {
        k for k, v in others.items() if v is not None and v - self_answers[k] >= GAP_THRESHOLD}
    assert data.blind_spots and data.hidden_strengths


def _one_person_short() -> tuple[list[RaterResponse], str, str]:
    """Four peers; on two statements the fourth says "Not able to say", so those figures rest on a set one person
    short of every other figure's, and must be suppressed (else subtracting gives away the fourth's answers)."""
    y, z = "insight.strategic.1", "insight.strategic.2"
    values = {k: 2 + n % 3 for n, k in enumerate(KEYS)} | {y: 5, z: 1}
    peers = [rater(f"p{n}", P, answers=values) for n in range(1, 4)]
    fourth = rater("p4", P, answers=values | {y: NAS, z: NAS})
    return [*peers, fourth], y, z


def test_gaps_come_only_from_shown_figures() -> None:
    responses, y, z = _one_person_short()
    self_answers = {k: 2 + n % 3 for n, k in enumerate(KEYS)} | {y: 1, z: 5}
    data = build(responses, self_answers)

    assert row(data, y).all_others == HIDDEN and row(data, z).all_others == HIDDEN
    assert row(data, y).by_group == {"Peers": HIDDEN}
    assert data.blind_spots == () and data.hidden_strengths == ()  # z (5 v 1) and y (1 v 5) would be the largest


def test_highest_and_lowest_come_only_from_shown_all_others_figures() -> None:
    responses, y, z = _one_person_short()
    data = build(responses)

    assert row(data, y).all_others == HIDDEN and row(data, z).all_others == HIDDEN
    fours = [k for n, k in enumerate(KEYS) if n % 3 == 2 and k not in (y, z)]
    twos = [k for n, k in enumerate(KEYS) if n % 3 == 0 and k not in (y, z)]
    assert [r.key for r in data.highest] == fours[:TOP_N]  # y (5) would top it; ties keep questionnaire order
    assert [r.key for r in data.lowest] == twos[:TOP_N]  # z (1) would head it
    assert all(not r.all_others.suppressed for r in (*data.highest, *data.lowest))


# Comments -----------------------------------------------------------------------------------------------------------


def test_comments_are_listed_under_each_shown_group() -> None:
    responses = [rater("m1", M, comment="manager says"), *(rater(f"p{n}", P, comment=f"peer {n}") for n in range(3)),
                 *(rater(f"d{n}", D, comment=f"report {n}") for n in range(3)), rater("d3", D, comment="   "),
                 rater("o1", O, comment="other one")]
    data = build(responses)

    assert [label for label, _ in data.groups] == ["Manager", "Peers + Others", "Direct reports"]
    assert data.comments["Manager"] == {"strengths": ("manager says",)}
    assert sorted(data.comments["Peers + Others"]["strengths"]) == ["other one", "peer 0", "peer 1", "peer 2"]
    assert sorted(data.comments["Direct reports"]["strengths"]) == ["report 0", "report 1", "report 2"]
    assert set(data.comments["Direct reports"]) == {"strengths"}  # nothing said: no empty list either


def test_withheld_comments_appear_nowhere() -> None:
    responses = [rater("m1", M, comment="manager says"), rater("p1", P, comment="the lone peer's secret"),
                 rater("o1", O, comment="the lone other's secret")]
    data = build(responses)

    assert data.withheld == 2
    assert data.comments == {"Manager": {"strengths": ("manager says",)}}
    assert "secret" not in repr(data)


def test_comments_come_in_a_different_order_from_one_build_to_the_next() -> None:
    """12 comments in 5 builds: were the order fixed, all five would match; shuffled, that has odds of 1 in 12!⁴."""
    responses = [rater(f"p{n:02d}", P, comment=f"comment {n:02d}") for n in range(12)]
    orders = [build(responses).comments["Peers"]["strengths"] for _ in range(5)]

    assert all(sorted(order) == [f"comment {n:02d}" for n in range(12)] for order in orders)
    assert len(set(orders)) > 1
