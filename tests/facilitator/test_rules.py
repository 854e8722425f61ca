"""The facilitated session's rules, as pure functions: unit and property tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.models import Role
from facilitator import rules
from facilitator.rules import FacilitationError, SummaryStatus
from surveys.cycle import CycleState

S = CycleState
TODAY = date(2026, 12, 1)


def _goal(**overrides: object) -> dict[str, object]:
    return {"term": "short", "what": "Chair meetings", "measure": "4 chaired", "support": "Manager's time",
            "values": "Compassion", "target_on": TODAY + timedelta(days=40), **overrides}


def _assign(**overrides: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {"by_id": 1, "by_roles": {Role.LOCAL_LEAD}, "owner_id": 2, "owner_roles": {Role.OWNER},
                               "facilitator_id": 3, "facilitator_roles": {Role.FACILITATOR},
                               "same_organisation": True, "same_mailbox": False, **overrides}
    return rules.assignment_problems(**args)  # type: ignore[arg-type]


def test_a_lead_assigns_a_facilitator_to_an_owner() -> None:
    assert _assign() == []
    assert _assign(by_roles={Role.ADMIN}) == []


def test_nobody_facilitates_their_own_round() -> None:
    problems = _assign(owner_roles={Role.OWNER, Role.FACILITATOR}, facilitator_id=2)
    assert any("own round" in message for _, message in problems)


def test_nobody_facilitates_their_own_round_through_a_second_account_at_their_mailbox() -> None:
    """jo+fac@ reaches jo@'s mailbox (app.addresses.mailbox_key): the same person, so not jo's facilitator."""
    problems = _assign(same_mailbox=True)
    assert any("own round" in message for _, message in problems)


def test_a_facilitator_who_is_also_a_lead_cannot_assign_themselves() -> None:
    problems = _assign(by_id=3, by_roles={Role.LOCAL_LEAD, Role.FACILITATOR})
    assert problems == [("facilitator", problems[0][1])] and "cannot assign yourself" in problems[0][1]


def test_only_leads_and_administrators_assign_and_only_within_their_organisation() -> None:
    assert _assign(by_roles={Role.FACILITATOR, Role.OWNER})
    assert _assign(same_organisation=False)
    assert _assign(facilitator_roles={Role.MANAGER})


@given(st.sampled_from(list(S)), st.booleans(), st.booleans(), st.sampled_from([None, *SummaryStatus]))
def test_the_portal_always_names_a_next_step(state: CycleState, early: bool, held: bool,
                                             summary: SummaryStatus | None) -> None:
    step = rules.next_step(rules.OwnerFacts(state, early, held, summary))
    assert step and step[0].isupper()


def test_the_report_is_held_only_where_the_organisation_releases_it_and_until_released() -> None:
    assert not rules.held_from_owner(False, False)
    assert rules.held_from_owner(True, False)
    assert not rules.held_from_owner(True, True)
    with pytest.raises(FacilitationError):
        rules.check_release(S.REPORT_READY, False, False)
    with pytest.raises(FacilitationError):
        rules.check_release(S.REPORT_READY, True, True)
    with pytest.raises(FacilitationError):
        rules.check_release(S.OPEN, True, False)
    rules.check_release(S.REPORT_READY, True, False)


@pytest.mark.parametrize("state", list(S))
def test_a_session_is_recorded_once_from_report_ready(state: CycleState) -> None:
    if state is S.REPORT_READY:
        rules.check_record_session(state, False, False, TODAY, TODAY, TODAY)
    else:
        with pytest.raises(FacilitationError):
            rules.check_record_session(state, False, False, TODAY, TODAY, TODAY)


def test_a_session_needs_the_release_first_and_a_date_not_in_the_future() -> None:
    with pytest.raises(FacilitationError, match="Release"):
        rules.check_record_session(S.REPORT_READY, False, True, TODAY, TODAY, TODAY)
    with pytest.raises(FacilitationError, match="past"):
        rules.check_record_session(S.REPORT_READY, False, False, TODAY + timedelta(days=1), TODAY, TODAY)
    with pytest.raises(FacilitationError, match="without a session"):
        rules.check_record_session(S.REPORT_READY, True, False, TODAY, TODAY, TODAY)


def test_a_session_cannot_predate_its_report_and_the_message_names_the_earliest_day() -> None:
    ready = date(2026, 11, 27)
    assert rules.session_date_problem(ready, ready, TODAY) is None
    assert rules.session_date_problem(date(2026, 2, 1), ready, TODAY) == (
        "The date of the session must be on or after 27 November 2026, the day the report was ready")
    with pytest.raises(FacilitationError, match="on or after 27 November 2026"):
        rules.check_record_session(S.REPORT_READY, False, False, ready - timedelta(days=1), ready, TODAY)


days = st.dates(date(2024, 1, 1), date(2030, 12, 31))


@given(held=days, ready=days, today=days)
def test_a_session_date_is_accepted_exactly_from_the_reports_day_to_today(held: date, ready: date,
                                                                           today: date) -> None:
    problem = rules.session_date_problem(held, ready, today)
    assert (problem is None) == (ready <= held <= today)
    if held > today:
        assert problem == "The date of the session must be today or in the past"
    elif held < ready:
        assert problem is not None and f"{ready:%-d %B %Y}" in problem


def test_at_most_eight_goals() -> None:
    assert rules.goal_problems([_goal()] * 8, TODAY) == []
    assert ("goals", "Agree at most 8 goals, not 9") in rules.goal_problems([_goal()] * 9, TODAY)


@pytest.mark.parametrize("part", ["what", "measure", "support", "values"])
def test_each_goal_says_what_measure_support_and_values(part: str) -> None:
    problems = rules.goal_problems([_goal(), _goal(**{part: "  "})], TODAY)
    assert [field for field, _ in problems] == [f"goals-1-{part}"]


def test_target_dates_fit_the_term() -> None:
    assert rules.goal_problems([_goal(term="short", target_on=TODAY + timedelta(days=120))], TODAY)
    assert rules.goal_problems([_goal(term="long", target_on=TODAY + timedelta(days=40))], TODAY)
    assert rules.goal_problems([_goal(term="long", target_on=TODAY + timedelta(days=200))], TODAY) == []
    assert rules.goal_problems([_goal(term="long", target_on=TODAY + timedelta(days=400))], TODAY)
    assert rules.goal_problems([_goal(target_on=None)], TODAY)[0][0] == "goals-0-target_on"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(["short", "long"]))
def test_term_windows_follow_each_other_without_a_gap(start: date, term: str) -> None:
    short_first, short_last = rules.term_window("short", start)
    long_first, long_last = rules.term_window("long", start)
    assert start < short_first <= short_last < long_first <= long_last
    assert long_first == short_last + timedelta(days=1)


@given(st.lists(st.sampled_from([None, *SummaryStatus]), max_size=1), st.sampled_from(list(S)))
def test_who_may_move_the_summary(latest: list[SummaryStatus | None], state: CycleState) -> None:
    status = latest[0] if latest else None
    allowed = state in {S.SESSION_HELD, S.SUMMARY_AGREED, S.EVALUATED} and (status is not None
                                                                           or state is S.SESSION_HELD)
    if allowed:
        how = rules.check_propose(state, status, finished_early=False)
        assert how == ("revise" if status in {SummaryStatus.PROPOSED, SummaryStatus.CHANGES_REQUESTED} else "new")
    else:
        with pytest.raises(FacilitationError):
            rules.check_propose(state, status, finished_early=False)


@given(st.sampled_from([None, *SummaryStatus]))
def test_a_round_finished_without_a_session_has_no_summary_to_write_and_says_so(
        status: SummaryStatus | None) -> None:
    with pytest.raises(FacilitationError, match="finished this round without a session") as refused:
        rules.check_propose(S.REPORT_READY, status, finished_early=True)
    assert "Record the session" not in refused.value.message


def test_the_portal_asks_for_a_release_still_owed_on_a_round_finished_without_a_session() -> None:
    held = rules.next_step(rules.OwnerFacts(S.REPORT_READY, finished_early=True, held=True))
    assert held == "They finished the round without a session: read the report, then release it to them"
    released = rules.next_step(rules.OwnerFacts(S.REPORT_READY, finished_early=True))
    assert released == "They finished the round after the report, without a session"


@given(st.sampled_from(list(SummaryStatus)), st.booleans(), st.text(max_size=20))
def test_the_owner_answers_only_a_proposed_summary_and_changes_need_a_comment(
        status: SummaryStatus, agree: bool, comment: str) -> None:
    ok = status is SummaryStatus.PROPOSED and (agree or comment.strip())
    if ok:
        rules.check_owner_answer(status, agree, comment)
    else:
        with pytest.raises(FacilitationError):
            rules.check_owner_answer(status, agree, comment)


def test_review_dates_are_3_6_9_and_12_months_after_agreement() -> None:
    assert rules.review_dates(date(2026, 11, 30)) == [date(2027, 2, 28), date(2027, 5, 30), date(2027, 8, 30),
                                                      date(2027, 11, 30)]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 24))
def test_adding_months_lands_in_the_right_month(day: date, months: int) -> None:
    later = rules.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day


def test_progress_completion_date_only_when_finished_and_not_in_the_future() -> None:
    agreed = TODAY - timedelta(days=30)
    assert rules.progress_problems("met", "", TODAY - timedelta(days=1), agreed, TODAY) == []
    assert rules.progress_problems("on_track", "", TODAY, agreed, TODAY)
    assert rules.progress_problems("met", "", TODAY + timedelta(days=1), agreed, TODAY)
    assert rules.progress_problems("nonsense", "", None, agreed, TODAY)[0][0] == "status"


@given(st.integers(0, 30 * 24 * 60), st.sets(st.sampled_from(["day-3", "day-10"])))
def test_evaluation_reminders_each_at_most_once_and_never_two_together(minutes: int, sent: set[str]) -> None:
    agreed = datetime(2026, 12, 1, 9, 0)
    now = agreed + timedelta(minutes=minutes)
    due = rules.evaluation_reminder_due(agreed, now, sent)
    assert due is None or due not in sent
    if now < agreed + timedelta(days=3):
        assert due is None
    if due == "day-3":
        assert now < agreed + timedelta(days=10) and not sent


def test_averages_need_three_evaluations() -> None:
    keys = ["a", "b"]
    two, taken = rules.publish(rules.PublishedAverages(), [{"a": 5, "b": 4}] * 2, keys)
    assert taken == 0 and rules.averages(two, keys) is None
    three, taken = rules.publish(two, [{"a": 5, "b": 4}, {"a": 4, "b": 4}, {"a": 3, "b": 1}], keys)
    assert taken == 3 and rules.averages(three, keys) == {"a": 4.0, "b": 3.0}


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, object]]:
    """Owners evaluating, rounds deleted (by their owner or by retention, published or not yet), and the
    facilitator visiting, in any order."""
    rating = st.fixed_dictionaries({"a": st.integers(1, 5), "b": st.integers(1, 5)})
    event = st.one_of(st.tuples(st.just("evaluate"), rating), st.tuples(st.just("delete"), st.integers(0, 30)),
                      st.tuples(st.just("visit"), st.none()))
    return draw(st.lists(event, max_size=60))


# The case: three evaluations shown (4.7, 4.0, …), a fourth waiting, then the first round deleted. The rule
# before this one showed the earliest three that remained, and the change gave the deleted owner's ratings away.
_SLID = [("evaluate", {"a": 4, "b": 2}), ("evaluate", {"a": 5, "b": 5}), ("evaluate", {"a": 5, "b": 5}),
         ("visit", None), ("evaluate", {"a": 5, "b": 5}), ("delete", 0), ("visit", None)]


@given(histories())
@example(_SLID)
def test_no_two_visits_to_the_averages_differ_by_one_evaluation(history: list[tuple[str, object]]) -> None:
    """The facilitator's attack: note the averages, compare them with the next visit's, subtract. Whatever happens
    between two visits (new evaluations, deletions of evaluated rounds), the figures either stay exactly as they were
    or rest on at least 3 more evaluations: never one, never two, never fewer."""
    keys = ["a", "b"]
    alive: list[tuple[dict[str, int], bool]] = []  # (ratings, published), earliest first
    published = rules.PublishedAverages()
    views: list[tuple[int, dict[str, float] | None]] = []
    for kind, value in history:
        if kind == "evaluate":
            alive.append((value, False))  # type: ignore[arg-type]
        elif kind == "delete" and alive:
            del alive[int(value) % len(alive)]  # type: ignore[call-overload]
        elif kind == "visit":
            pending = [r for r, done in alive if not done]
            published, taken = rules.publish(published, pending, keys)
            marked = iter(range(taken))
            alive = [(r, done or (not done and next(marked, None) is not None)) for r, done in alive]
            views.append((published.count, rules.averages(published, keys)))
    for (before, shown_before), (after, shown_after) in pairwise(views):
        assert after - before in {0} or after - before >= rules.MIN_FOR_AVERAGES
        assert after % rules.MIN_FOR_AVERAGES == 0
        if after == before:
            assert shown_after == shown_before
        assert (shown_after is None) == (after == 0)


def test_an_evaluation_needs_every_rating() -> None:
    keys = list(rules.EVALUATION_QUESTIONS)
    full = dict.fromkeys(keys, 4)
    assert rules.check_evaluation(S.SUMMARY_AGREED, full, keys, "") == []
    assert rules.check_evaluation(S.SUMMARY_AGREED, {**full, "overall": None}, keys, "") == [
        ("overall", "Choose a rating from 1 to 5 for “Overall, taking part was worth my time”")]
    with pytest.raises(FacilitationError):
        rules.check_evaluation(S.EVALUATED, full, keys, "")


def test_the_portal_says_when_a_rater_list_waits_for_the_facilitator_or_went_back() -> None:
    """Issue 25, seam 9: a list waiting for the facilitator read "Waiting for them to set up their round"."""
    for state in (CycleState.DRAFT, CycleState.OPEN):
        assert rules.next_step(rules.OwnerFacts(state, list_step="to_confirm")) == (
            "Confirm their list of raters, or send it back with a note")
        assert "waiting for them to change it" in rules.next_step(rules.OwnerFacts(state, list_step="sent_back"))
    assert rules.next_step(rules.OwnerFacts(CycleState.DRAFT)) == (
        "Waiting for them to set up their round and invite raters")
