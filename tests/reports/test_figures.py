"""What the report shows (PRODUCT §3.2, §3.4, §4): means, who counts where, gaps and extremes from shown figures at
the precision printed, the words for each reader, the CSV, and comments."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest

from config.base import common
from reports.anonymity import ALL_OTHERS, SELF, RaterResponse
from reports.charts import alt_text, area_chart
from reports.content import ReportData, build_report_data
from reports.figures import GAP_THRESHOLD, TOP_N, ReportView, Row, Words, extremes, shown_rows_csv, view
from reports.table import Cell
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY as NAS
from surveys.questionnaire import load_version

QUESTIONNAIRE = load_version(common()["QUESTIONNAIRE_VERSION"])
KEYS = QUESTIONNAIRE.statement_keys()
P, D, O, M = Category.PEER, Category.DIRECT_REPORT, Category.OTHER, Category.MANAGER  # noqa: E741


def rater(category: Category, default: int | str = 3, answers: Mapping[str, int | str] | None = None,
          comment: str = "") -> RaterResponse:
    """A response answering `default` to every statement, except as `answers` says."""
    return RaterResponse(category, {k: default for k in KEYS} | dict(answers or {}),
                         {"strengths": comment} if comment else {})


def build(responses: list[RaterResponse], self_answers: Mapping[str, int] | None = None) -> ReportData:
    return build_report_data(QUESTIONNAIRE, responses, self_answers if self_answers is not None else {})


def shown(data: ReportData) -> ReportView:
    return view(data.table, data.layout)


def row(report: ReportView, key: str) -> Row:
    for area in report.areas:
        for candidate in (area.row, *(s.row for s in area.sub_areas), *report.statements()):
            if candidate.key == key:
                return candidate
    raise KeyError(key)


def values(r: Row) -> dict[str, float | None]:
    return {audience: cell.value for audience, cell in r.cells.items()}


# Means and who counts -----------------------------------------------------------------------------------------------


def test_a_statement_mean_ignores_not_able_to_say_and_is_printed_to_one_decimal() -> None:
    x = "ability.professional.1"
    peers = [rater(P, answers={x: 5}), rater(P, answers={x: 4}), rater(P, answers={x: 4}),
             *(rater(P, answers={x: NAS}) for _ in range(3))]
    report = shown(build([*peers, rater(M, answers={x: 2})]))

    assert values(row(report, x)) == {"Manager": 2.0, "Peers": 4.3, ALL_OTHERS: 3.8, SELF: None}  # 13/3, 15/4
    assert row(report, x).cells["Peers"].answers == 3 and row(report, x).all_others.answers == 4


def test_sub_area_and_area_figures_are_means_of_the_shown_statement_figures() -> None:
    """Professional has five statements; the peers rate them 1–5. Leadership all 4. The sub-area is the mean of
    its statement figures (3.0), the area the mean of its sub-areas (3.5), never a mean over raters."""
    professional = {f"ability.professional.{n}": n for n in range(1, 6)}
    report = shown(build([rater(P, 4, professional) for _ in range(3)]))

    assert row(report, "ability.professional").cells["Peers"].value == 3.0
    assert row(report, "ability.professional").cells["Peers"].answers == 15
    assert row(report, "ability").cells["Peers"].value == 3.5
    assert row(report, "ability").all_others.value == 3.5


def test_a_sub_area_figure_is_shown_only_when_half_its_statements_are() -> None:
    """Three peers; on three of five Professional statements one of them says "Not able to say" (so those figures
    rest on 2 answers and are hidden): 2 of 5 shown is under half."""
    nas = {f"ability.professional.{n}": NAS for n in (1, 2, 3)}
    report = shown(build([rater(P, 4), rater(P, 4), rater(P, 4, nas | {"ability.professional.4": 4})]))
    cell = row(report, "ability.professional").cells["Peers"]
    assert cell.hidden and cell.reason == "below_half"
    # ...and an area whose sub-areas are half hidden is still shown (1 of 2 is half), from the shown one.
    assert row(report, "ability").cells["Peers"].value == 4.0


def test_all_others_is_every_shown_rater_including_managers_and_never_self() -> None:
    report = shown(build([*(rater(P, 4) for _ in range(3)), rater(M, 1), rater(M, 1)], {k: 5 for k in KEYS}))
    for r in report.statements():
        assert values(r) == {"Managers": 1.0, "Peers": 4.0, ALL_OTHERS: 2.8, SELF: 5.0}  # 14/5, one per rater


@pytest.mark.parametrize(("rated", "counted"), [(1, False), (2, True), (4, True)])
def test_a_rater_counts_towards_a_four_statement_sub_area_from_two_statements(rated: int, counted: bool) -> None:
    lead = [f"ability.leadership.{n}" for n in range(1, 5)]
    partial = {k: 1 if n < rated else NAS for n, k in enumerate(lead)}
    report = shown(build([rater(P, 5) for _ in range(3)] + [rater(P, 5, partial) for _ in range(3)]))
    assert row(report, lead[0]).all_others.answers == (6 if counted else 3)


def test_the_self_figure_is_the_owners_own_and_shown_even_when_every_rater_is_withheld() -> None:
    sub = [f"ability.leadership.{n}" for n in range(1, 5)]
    self_answers = {k: 2 for k in KEYS if not k.startswith("ability.")} | {sub[0]: 5, sub[1]: 4, sub[2]: 3}
    data = build([rater(P)], self_answers)
    report = shown(data)

    assert data.table.withheld == 1 and report.groups == ()
    assert [row(report, k).self_cell.value for k in sub] == [5.0, 4.0, 3.0, None]
    assert row(report, "ability.leadership").self_cell.value == 4.0
    assert row(report, "values").self_cell.value == 2.0
    assert all(r.all_others.value is None and not r.all_others.hidden for r in report.statements())


# Gaps and extremes, from shown figures at one decimal ---------------------------------------------------------------


def test_blind_spots_and_hidden_strengths_start_at_the_threshold_of_the_printed_figures() -> None:
    assert GAP_THRESHOLD == 1, "the examples below sit on a 1-point threshold"
    a, b, c = "ability.professional.1", "ability.professional.2", "ability.professional.3"
    d, e = "ability.leadership.1", "ability.leadership.2"
    peers = [rater(P, answers={b: 3}), rater(P, answers={b: 3}), rater(P, answers={b: 4})]
    self_answers = {k: 3 for k in KEYS} | {a: 4, b: 4, c: 5, d: 2, e: 1}
    report = shown(build(peers, self_answers))

    # a: 4 v 3 (exactly 1); b: 4 v 3.3 (printed: not); c: 5 v 3; d: 2 v 3 (exactly 1); e: 1 v 3.
    assert [(g.key, g.self_value, g.others) for g in report.blind_spots] == [(c, 5, 3), (a, 4, 3)]
    assert [(g.key, g.difference) for g in report.hidden_strengths] == [(e, 2.0), (d, 1.0)]


def test_gaps_and_extremes_come_only_from_shown_figures() -> None:
    """Three peers; on y and z one of them says "Not able to say", so their figures rest on 2 answers: hidden."""
    y, z = "insight.strategic.1", "insight.strategic.2"
    base = {k: 2 + n % 3 for n, k in enumerate(KEYS)}
    peers = [rater(P, answers=base | {y: 5, z: 1}) for _ in range(2)] + [rater(P, answers=base | {y: NAS, z: NAS})]
    report = shown(build(peers, base | {y: 1, z: 5}))

    assert row(report, y).all_others.hidden and row(report, z).all_others.hidden
    assert report.blind_spots == () and report.hidden_strengths == ()  # z (5 v 1) and y (1 v 5) would lead
    assert y not in [r.key for r in report.highest] and z not in [r.key for r in report.lowest]
    assert len(report.highest) == len(report.lowest) == TOP_N


@pytest.mark.parametrize(("shown_statements", "each"), [(0, (0, 0)), (1, (1, 0)), (2, (1, 1)), (3, (1, 1)),
                                                        (7, (3, 3)), (36, (TOP_N, TOP_N))])
def test_highest_and_lowest_split_fairly_and_never_overlap(shown_statements: int, each: tuple[int, int]) -> None:
    def statement(n: int) -> Row:
        others = Cell("statement", f"s{n}", ALL_OTHERS, 1 + (n * 7 % 40) / 10, 3, False, None) \
            if n < shown_statements else Cell("statement", f"s{n}", ALL_OTHERS, None, None, True, "too_few")
        return Row(f"s{n}", f"Statement {n}", {ALL_OTHERS: others})

    highest, lowest = extremes([statement(n) for n in range(36)])
    assert (len(highest), len(lowest)) == each
    assert not {r.key for r in highest} & {r.key for r in lowest}
    assert all(h.all_others.value >= low.all_others.value for h in highest for low in lowest)  # type: ignore[operator]


# Words, chart and CSV -------------------------------------------------------------------------------------------------


def test_the_words_are_you_for_the_owner_and_the_name_for_anyone_else() -> None:
    owner, reader = Words(True, "Dana Hill"), Words(False, "Dana Hill")
    assert (owner.you, owner.your, owner.yourself, owner.self_label) == ("you", "your", "yourself", "You")
    assert (reader.you, reader.your, reader.yourself, reader.self_label) == (
        "Dana Hill", "Dana Hill’s", "themselves", "Self")


def test_the_chart_draws_the_printed_figures_and_says_them_in_its_text_alternative() -> None:
    rng = random.Random(3)
    report = shown(build([RaterResponse(P, {k: rng.randint(1, 5) for k in KEYS}, {}) for _ in range(3)],
                         {k: 4 for k in KEYS}))
    area = report.areas[0]
    svg = area_chart(area, Words(True, "Dana Hill"))
    assert svg.startswith("<svg") and area.row.title in svg
    for r in (area.row, *(s.row for s in area.sub_areas)):
        assert f">{r.all_others.value:.1f}<" in svg and f"{r.title}: all others {r.all_others.value:.1f}" in \
            alt_text(area, Words(True, "Dana Hill"))
    assert "all others" in alt_text(area, Words(False, "Dana Hill"))


def test_the_csv_lists_each_shown_figure_once_at_one_decimal_and_nothing_hidden() -> None:
    y = "insight.strategic.1"
    data = build([rater(P, 4), rater(P, 4), rater(P, 4, {y: NAS}), rater(M, 2)])
    lines = shown_rows_csv(shown(data))
    assert lines[0] == ["Measure", "Key", "Title", "Audience", "Average", "Answers"]
    assert ["Statement", y, "Links own work to the organisation's aims", "Manager", "2.0", "1"] in lines
    assert not [line for line in lines if line[1] == y and line[3] == "Peers"]  # hidden: not in the CSV
    assert len(lines) - 1 == sum(1 for c in data.table.figures if c.is_shown)


# Comments -----------------------------------------------------------------------------------------------------------


def test_comments_are_listed_under_each_shown_group_and_withheld_ones_nowhere() -> None:
    responses = [rater(M, comment="manager says"), *(rater(P, comment=f"peer {n}") for n in range(3)),
                 *(rater(D, comment=f"report {n}") for n in range(3)), rater(D, comment="   "),
                 rater(O, comment="other one")]
    data = build(responses)
    assert [g.label for g in data.table.groups] == ["Manager", "Peers + Others", "Direct reports"]
    assert data.comments["Manager"] == {"strengths": ("manager says",)}
    assert sorted(data.comments["Peers + Others"]["strengths"]) == ["other one", "peer 0", "peer 1", "peer 2"]
    assert set(data.comments["Direct reports"]) == {"strengths"}

    lone = build([rater(M, comment="manager says"), rater(P, comment="the lone peer's secret")])
    assert lone.table.withheld == 1 and "secret" not in repr(lone)


def test_comments_come_in_a_different_order_from_one_build_to_the_next() -> None:
    """12 comments in 5 builds: were the order fixed, all five would match; shuffled, that has odds of 1 in 12!⁴."""
    responses = [rater(P, comment=f"comment {n:02d}") for n in range(12)]
    orders = [build(responses).comments["Peers"]["strengths"] for _ in range(5)]
    assert all(sorted(order) == [f"comment {n:02d}" for n in range(12)] for order in orders)
    assert len(set(orders)) > 1


def test_a_raters_answers_to_the_open_questions_are_never_lined_up_side_by_side() -> None:
    """PRODUCT §3.4: each open question's comments are shuffled on their own. Were one order reused for every
    question, the n-th comment of each list would be one rater's, and reading across would rebuild their answers.
    Eight raters answer every question; over 20 builds, the lists of one build always being in the same rater
    order has odds of 1 in (8!)²⁰ when each is shuffled apart."""
    questions = [q.key for q in QUESTIONNAIRE.open_questions]
    assert len(questions) >= 2
    responses = [RaterResponse(P, {k: 3 for k in KEYS}, {q: f"rater {n} on {q}" for q in questions})
                 for n in range(8)]
    aligned = 0
    for _ in range(20):
        lists = build(responses).comments["Peers"]
        orders = {tuple(text.split(" on ")[0] for text in lists[q]) for q in questions}
        assert all(len(lists[q]) == 8 for q in questions)
        aligned += len(orders) == 1
    assert aligned == 0


# What the sealed report reads back, and what each line of it is called -----------------------------------------------


def test_a_sealed_report_reads_back_exactly_as_it_was_built() -> None:
    """Pages and PDFs are rendered from the sealed JSON, never from the build: a report read back must be the same
    report, titles and questionnaire order included."""
    data = build([rater(M, 2), *(rater(P, 4) for _ in range(3)), rater(D, 5, comment="Listens")], {k: 3 for k in KEYS})
    again = ReportData.from_json(data.table.to_json(), data.content_json())
    assert again == data
    assert shown(again) == shown(data)
    assert [a.title for a in again.layout] == [a.title for a in QUESTIONNAIRE.areas]


def test_the_report_says_how_many_responses_were_withheld_and_names_each_gap_by_its_statement() -> None:
    x = "ability.professional.1"
    data = build([*(rater(P, 2) for _ in range(3)), rater(O, 4)], {k: 2 for k in KEYS} | {x: 5})
    report = shown(data)
    assert report.groups == (("Peers + Others", 4),) and report.withheld == 0
    assert shown(build([rater(P), rater(D)])).withheld == 2
    (gap,) = report.blind_spots
    assert (gap.key, gap.title) == (x, row(report, x).title) and gap.title


def test_the_csv_says_what_each_line_is() -> None:
    lines = shown_rows_csv(shown(build([rater(P, 4) for _ in range(3)])))
    measure_of = {line[1]: line[0] for line in lines[1:]}
    assert measure_of["ability"] == "Area"
    assert measure_of["ability.professional"] == "Sub-area"
    assert measure_of["ability.professional.1"] == "Statement"
    assert {line[2] for line in lines[1:] if line[1] == "ability"} == {QUESTIONNAIRE.areas[0].title}
