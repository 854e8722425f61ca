"""The check-in's rules (followup/checkin/rules.py), pure: no shown figure rests on 1 or 2 answers, nothing can be
subtracted to reach fewer than 3, every table passes the report's own checker, and a shown figure is exactly the
printed mean of the answers on −2…+2."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.checkin import rules
from followup.checkin.rules import NOT_ABLE, CheckInError, CheckInState
from reports.anonymity import ALL_OTHERS
from reports.checker import check
from reports.table import STATEMENT, one_decimal

ANSWER = st.sampled_from([-2, -1, 0, 1, 2, NOT_ABLE])


@st.composite
def checkins(draw: st.DrawFn) -> tuple[list[str], list[dict[str, int | str]]]:
    keys = [f"{n:032x}" for n in range(draw(st.integers(1, 8)))]
    responses = draw(st.lists(st.fixed_dictionaries({k: ANSWER for k in keys}), max_size=12))
    return keys, responses


@settings(max_examples=300, deadline=None)
@given(checkins())
def test_no_shown_figure_rests_on_one_or_two_answers_and_every_table_passes_the_checker(shape) -> None:  # type: ignore[no-untyped-def]
    keys, responses = shape
    table = rules.figure_table(keys, responses)
    assert check(table.to_json()) == []
    for cell in table.figures:
        assert not (cell.is_shown and cell.audience != "Self" and 0 < (cell.answers or 0) < 3), cell
    for result in rules.results(keys, table):
        numeric = [r[result.goal_key] for r in responses if r[result.goal_key] != NOT_ABLE]
        if result.shown:
            assert result.answers == len(numeric) >= 3
            assert result.value == one_decimal(Fraction(sum(numeric) + 3 * len(numeric), len(numeric))) - 3
            assert -2 <= result.value <= 2
        else:
            assert result.answers is None
            assert len(numeric) < 3 or len(responses) < 3


@settings(max_examples=300, deadline=None)
@given(checkins())
def test_nothing_subtracts(shape) -> None:  # type: ignore[no-untyped-def]
    """For each goal, the answers behind its hidden figures taken together are 0 or at least 3, so no shown figure
    less another leaves one or two people's answers; and with all raters in one group, the group and "All others"
    are shown together or hidden together."""
    keys, responses = shape
    table = rules.figure_table(keys, responses)
    cells = table.index()
    for key in keys:
        row = [c for c in table.figures if c.measure == STATEMENT and c.key == key and c.audience != "Self"]
        groups = [c for c in row if c.audience != ALL_OTHERS]
        total = cells[(STATEMENT, key, ALL_OTHERS)]
        assert all(g.is_shown == total.is_shown for g in groups)
        if total.is_shown:
            left = total.answers - sum(g.answers or 0 for g in groups if g.is_shown)
            assert left == 0 or left >= 3


def test_three_answers_show_and_two_do_not() -> None:
    keys = ["a" * 32, "b" * 32]
    three = [{keys[0]: 2, keys[1]: NOT_ABLE}, {keys[0]: 1, keys[1]: -1}, {keys[0]: -2, keys[1]: 0}]
    found = rules.results(keys, rules.figure_table(keys, three))
    assert found[0].shown and found[0].value == Fraction(3, 10) and found[0].answers == 3  # 1/3, printed
    assert not found[1].shown and found[1].hidden  # two answers: too few
    assert not any(r.shown for r in rules.results(keys, rules.figure_table(keys, three[:2])))
    assert rules.signed(Fraction(3, 10)) == "+0.3" and rules.signed(Fraction(-13, 10)) == "−1.3" \
        and rules.signed(Fraction(0)) == "0.0"


def test_an_answer_is_a_scale_point_or_not_able_to_say() -> None:
    keys = ["a" * 32, "b" * 32, "c" * 32]
    form = {rules.field(keys[0]): "-2", rules.field(keys[1]): NOT_ABLE, rules.field(keys[2]): "3"}
    answers, missing = rules.read_answers(keys, form)
    assert answers == {keys[0]: -2, keys[1]: NOT_ABLE} and missing == [keys[2]]
    assert rules.comment_problem("x" * rules.COMMENT_LIMIT) is None
    assert rules.comment_problem("x" * (rules.COMMENT_LIMIT + 1))


TODAY = date(2026, 12, 7)


def _problems(**overrides) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    given_ = {"goals": 3, "raters": 3, "reviews": [TODAY - timedelta(days=1)], "early": False,
              "open_already": False, "close_on": TODAY + timedelta(days=14), "today": TODAY} | overrides
    return rules.send_problems(**given_)


def test_sending_needs_three_people_a_future_close_date_and_a_review_date_or_the_owners_choice() -> None:
    assert _problems() == []
    assert [f for f, _ in _problems(raters=2)] == ["raters"]
    assert [f for f, _ in _problems(reviews=[TODAY + timedelta(days=5)])] == ["early"]
    assert _problems(reviews=[TODAY + timedelta(days=5)], early=True) == []
    assert [f for f, _ in _problems(close_on=TODAY)] == ["close-day"]
    assert [f for f, _ in _problems(close_on=None)] == ["close-day"]
    saturday = _problems(close_on=date(2026, 12, 19))
    assert saturday == [("close-day", "19 December 2026 is a Saturday. Choose a working day, such as Monday 21 "
                                      "December 2026.")]
    assert _problems(open_already=True)[0][1].startswith("You already have a check-in open")
    assert _problems(goals=0)[0][1] == "Your agreed plan has no goals to ask about."


def test_the_default_close_date_is_a_working_day() -> None:
    from surveys.cycle import is_working_day

    for n in range(40):
        day = rules.default_close(TODAY + timedelta(days=n))
        assert is_working_day(day) and day >= TODAY + timedelta(days=n + rules.DEFAULT_OPEN_DAYS)


def test_it_closes_once_and_never_reopens() -> None:
    assert rules.close_early(CheckInState.OPEN) is CheckInState.CLOSED
    with pytest.raises(CheckInError):
        rules.close_early(CheckInState.CLOSED)
    with pytest.raises(CheckInError):
        rules.close_on_date(CheckInState.OPEN, TODAY, TODAY)  # open to the end of its close date
    assert rules.close_on_date(CheckInState.OPEN, TODAY, TODAY + timedelta(days=1)) is CheckInState.CLOSED
    with pytest.raises(CheckInError):
        rules.close_on_date(CheckInState.CLOSED, TODAY, TODAY + timedelta(days=1))
    assert rules.accepts_answers(CheckInState.OPEN, TODAY, TODAY)
    assert not rules.accepts_answers(CheckInState.OPEN, TODAY, TODAY + timedelta(days=1))
    assert not rules.accepts_answers(CheckInState.CLOSED, TODAY, TODAY)


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
def test_counts_never_go_negative_and_add_up(invited: int, outstanding: int, responses: int) -> None:
    outstanding = min(outstanding, invited)
    counts = rules.tally(outstanding, invited, responses)
    assert min(counts.responded, counts.declined, counts.not_replied) >= 0
    assert counts.responded + counts.declined + counts.not_replied == invited


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


PEOPLE = [f"p{n}@trust.example" for n in range(7)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from(PEOPLE), min_size=3), min_size=1, max_size=6))
def test_no_sequence_of_accepted_lists_subtracts_to_one_persons_answer(proposed: list[frozenset[str]]) -> None:
    """Whatever lists the owner tries, those the rule lets through never combine (sums and differences of the
    check-ins' sums, answers assumed unchanged) to one person's answer."""
    accepted: list[frozenset[str]] = []
    for asked in proposed:
        if rules.list_problem(asked, accepted) is None:
            accepted.append(asked)
    rows = [[Fraction(p in asked) for p in PEOPLE] for asked in accepted]
    for n in range(len(PEOPLE)):
        alone = [Fraction(i == n) for i in range(len(PEOPLE))]
        assert _rank([*rows, alone]) > _rank(rows), (accepted, PEOPLE[n])


@given(st.frozensets(st.sampled_from(PEOPLE), min_size=3), st.frozensets(st.sampled_from(PEOPLE), min_size=1,
                                                                           max_size=2))
def test_a_list_one_or_two_people_from_an_earlier_one_is_refused(earlier: frozenset[str],
                                                                 change: frozenset[str]) -> None:
    changed = earlier ^ change
    if len(changed) >= 3:
        assert rules.list_problem(changed, [earlier]) is not None
    assert rules.list_problem(earlier, [earlier]) is None
    assert rules.list_problem(frozenset(PEOPLE) - earlier, [earlier]) is None
