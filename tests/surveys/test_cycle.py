from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys import cycle as rules
from surveys.cycle import CycleRuleError, CycleState, RoundFacts

S = CycleState
TODAY = date(2026, 11, 24)
LATER = TODAY + timedelta(days=21)

MOVES = {
    "open": lambda s: rules.open_round(s, 3, LATER, TODAY),
    "close_early": lambda s: rules.close_early(s, 1),
    "close_on_date": lambda s: rules.close_on_date(s, TODAY - timedelta(days=1), TODAY, 1),
    "end_without_report": rules.end_without_report,
    "report_ready": rules.mark_report_ready,
    "session": rules.record_session,
    "summary": rules.agree_summary,
    "evaluation": rules.record_evaluation,
    "cancel": rules.cancel,
}
ALLOWED = {
    ("open", S.DRAFT): S.OPEN,
    ("close_early", S.OPEN): S.CLOSED,
    ("close_on_date", S.OPEN): S.CLOSED,
    ("end_without_report", S.CLOSED): S.NO_RESPONSES,
    ("report_ready", S.CLOSED): S.REPORT_READY,
    ("session", S.REPORT_READY): S.SESSION_HELD,
    ("summary", S.SESSION_HELD): S.SUMMARY_AGREED,
    ("evaluation", S.SUMMARY_AGREED): S.EVALUATED,
    ("cancel", S.DRAFT): S.CANCELLED,
    ("cancel", S.OPEN): S.CANCELLED,
    ("cancel", S.CLOSED): S.CANCELLED,
}


@pytest.mark.parametrize("move", MOVES)
@pytest.mark.parametrize("state", list(S))
def test_each_move_is_allowed_only_from_its_states(move: str, state: CycleState) -> None:
    expected = ALLOWED.get((move, state))
    if expected is None:
        with pytest.raises(CycleRuleError):
            MOVES[move](state)
    else:
        assert MOVES[move](state) is expected


def test_opening_needs_a_rater() -> None:
    with pytest.raises(CycleRuleError, match="at least one rater"):
        rules.open_round(S.DRAFT, 0, LATER, TODAY)


def test_opening_needs_a_close_date_still_ahead() -> None:
    with pytest.raises(CycleRuleError, match="future"):
        rules.open_round(S.DRAFT, 2, TODAY, TODAY)


def test_closing_with_no_response_is_never_refused_and_ends_the_round_without_a_report() -> None:
    assert rules.refusal(lambda: rules.close_early(S.OPEN, 0)) is None
    assert rules.close_early(S.OPEN, 0) is S.NO_RESPONSES
    assert rules.close_on_date(S.OPEN, TODAY, TODAY + timedelta(days=1), 0) is S.NO_RESPONSES
    assert not rules.is_active(S.NO_RESPONSES)  # a new round can start
    with pytest.raises(CycleRuleError):
        rules.cancel(S.NO_RESPONSES)
    with pytest.raises(CycleRuleError):
        rules.mark_report_ready(S.NO_RESPONSES)


def test_a_round_closed_with_no_response_shows_no_step_after_closing() -> None:
    facts = RoundFacts(S.NO_RESPONSES, True, True, 3, opened=True)
    steps = rules.progress(facts)
    assert [s.key for s in steps][-1] == "closed" and all(s.status == "done" for s in steps)
    assert rules.next_step(facts) is None


def test_a_held_report_is_not_received_until_released() -> None:
    held = RoundFacts(S.REPORT_READY, True, True, 3, opened=True, report_held=True)
    report = next(s for s in rules.progress(held) if s.key == "report")
    assert report.status == "waiting" and "facilitator releases it" in report.title
    before = next(s for s in rules.progress(RoundFacts(S.OPEN, True, True, 3, opened=True, report_held=True))
                  if s.key == "report")
    assert before.status == "not_yet" and "facilitator releases it" in before.title
    released = next(s for s in rules.progress(RoundFacts(S.REPORT_READY, True, True, 3, opened=True))
                    if s.key == "report")
    assert (released.status, released.title) == ("done", "Receive your report")


def test_clock_closes_only_after_the_close_date() -> None:
    with pytest.raises(CycleRuleError):
        rules.close_on_date(S.OPEN, TODAY, TODAY, 1)
    assert rules.close_on_date(S.OPEN, TODAY, TODAY + timedelta(days=1), 1) is S.CLOSED


def test_cancel_is_refused_once_the_report_exists() -> None:
    for state in (S.REPORT_READY, S.SESSION_HELD, S.SUMMARY_AGREED, S.EVALUATED, S.CANCELLED):
        with pytest.raises(CycleRuleError):
            rules.cancel(state)


def test_close_date_defaults_to_21_days() -> None:
    assert rules.default_close_date(TODAY) == date(2026, 12, 15)


@pytest.mark.parametrize(("started", "closes", "why"), [
    (date(2026, 12, 4), date(2026, 12, 29), "Christmas Day, a weekend, then Boxing Day observed"),
    (date(2026, 11, 9), date(2026, 12, 1), "St Andrew's Day (Scotland)"),
    (date(2027, 2, 24), date(2027, 3, 18), "St Patrick's Day (Northern Ireland)"),
    (date(2026, 6, 21), date(2026, 7, 14), "a Sunday, then the Battle of the Boyne observed (Northern Ireland)"),
    (date(2026, 12, 12), date(2027, 1, 5), "a weekend, then 2 January observed (Scotland)"),
    (date(2026, 11, 28), date(2026, 12, 21), "a Saturday"),
])
def test_the_default_close_date_is_never_a_weekend_or_a_uk_bank_holiday(started: date, closes: date, why: str) -> None:
    assert rules.default_close_date(started) == closes, why


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)))
def test_the_default_close_date_is_the_first_working_day_from_21_days_on(started: date) -> None:
    close_on = rules.default_close_date(started)
    assert close_on.weekday() < 5 and close_on not in rules.uk_bank_holidays(close_on.year)
    assert all(not rules.is_working_day(started + timedelta(days=d)) for d in range(21, (close_on - started).days))


@pytest.mark.parametrize(("days", "ok"), [(-1, False), (0, False), (1, True), (90, True), (91, False)])
def test_close_date_must_be_within_the_window(days: int, ok: bool) -> None:
    close_on = TODAY + timedelta(days=days)
    if ok:
        rules.check_close_date(close_on, TODAY)
    else:
        with pytest.raises(CycleRuleError):
            rules.check_close_date(close_on, TODAY)


@given(st.lists(st.sampled_from(list(S)), max_size=6))
def test_one_active_round_per_owner(existing: list[CycleState]) -> None:
    active = [s for s in existing if s not in (S.SUMMARY_AGREED, S.EVALUATED, S.CANCELLED, S.NO_RESPONSES)]
    if active:
        with pytest.raises(CycleRuleError, match="already have a feedback round"):
            rules.check_can_start(existing)
    else:
        rules.check_can_start(existing)


def test_responses_are_accepted_only_while_open_and_until_the_close_date() -> None:
    assert rules.accepts_responses(S.OPEN, TODAY, TODAY)
    assert not rules.accepts_responses(S.OPEN, TODAY, TODAY + timedelta(days=1))
    for state in set(S) - {S.OPEN}:
        assert not rules.accepts_responses(state, LATER, TODAY)


def _facts(state: CycleState = S.DRAFT, prep: bool = False, saq: bool = False, raters: int = 0) -> RoundFacts:
    return RoundFacts(state, prep, saq, raters)


def test_a_new_round_starts_with_the_preparation_document() -> None:
    step = rules.next_step(_facts())
    assert step is not None and step.key == "preparation"
    statuses = {s.key: s.status for s in rules.progress(_facts())}
    assert statuses["open"] == "not_yet" and statuses["report"] == "not_yet"


def test_sending_invitations_becomes_possible_once_raters_are_chosen() -> None:
    statuses = {s.key: s.status for s in rules.progress(_facts(prep=True, saq=True, raters=4))}
    assert statuses["raters"] == "done" and statuses["open"] == "to_do"
    step = rules.next_step(_facts(prep=True, saq=True, raters=4))
    assert step is not None and step.key == "open"


def test_an_open_round_waits_for_responses() -> None:
    step = rules.next_step(_facts(S.OPEN, prep=True, saq=True, raters=4))
    assert step is not None and (step.key, step.status) == ("closed", "waiting")


def test_unfinished_owner_tasks_come_before_waiting() -> None:
    step = rules.next_step(_facts(S.OPEN, prep=False, saq=True, raters=4))
    assert step is not None and step.key == "preparation"


def test_after_closing_owner_tasks_can_no_longer_be_done() -> None:
    statuses = {s.key: s.status for s in rules.progress(_facts(S.CLOSED, prep=False, saq=True, raters=4))}
    assert statuses["preparation"] == "not_done"
    assert statuses["closed"] == "done" and statuses["report"] == "waiting"


def test_a_task_saved_but_not_submitted_is_in_progress() -> None:
    facts = RoundFacts(S.DRAFT, False, False, 0, preparation_started=True, self_assessment_started=True)
    statuses = {s.key: s.status for s in rules.progress(facts)}
    assert statuses["preparation"] == statuses["self"] == "in_progress"
    step = rules.next_step(facts)
    assert step is not None and step.key == "preparation"
    done = RoundFacts(S.DRAFT, True, False, 0, preparation_started=True, self_assessment_started=True)
    assert {s.key: s.status for s in rules.progress(done)}["preparation"] == "done"
    closed = RoundFacts(S.CLOSED, False, False, 3, preparation_started=True, self_assessment_started=True)
    assert {s.key: s.status for s in rules.progress(closed)}["self"] == "not_done"


@pytest.mark.parametrize("state", list(CycleState))
def test_every_state_is_put_in_words_without_its_own_name(state: CycleState) -> None:
    phrase = rules.state_phrase(state)
    assert phrase.startswith("Your round ") and "_" not in phrase
    assert state.value not in phrase or state.value in {"open", "closed", "cancelled"}


def test_a_refusal_is_the_reason_the_move_gives_or_none() -> None:
    assert rules.refusal(lambda: rules.close_early(S.CLOSED, 1)) == "Only an open round can be closed."
    assert rules.refusal(lambda: rules.close_early(S.OPEN, 1)) is None
    assert rules.refusal(lambda: rules.cancel(S.REPORT_READY)) is not None


def test_a_round_stops_being_active_once_its_summary_is_agreed_or_it_is_finished_early() -> None:
    assert not rules.is_active(S.SUMMARY_AGREED)
    assert not rules.is_active(S.REPORT_READY, finished_early=True)
    assert rules.is_active(S.REPORT_READY)


@pytest.mark.parametrize("state", list(S))
def test_finishing_without_a_session_only_after_the_report(state: CycleState) -> None:
    if state is S.REPORT_READY:
        rules.finish_without_session(state, False, False)
        with pytest.raises(CycleRuleError):
            rules.finish_without_session(state, True, False)
    else:
        with pytest.raises(CycleRuleError):
            rules.finish_without_session(state, False, False)


@pytest.mark.parametrize("state", list(S))
def test_a_report_held_for_the_facilitator_to_release_cannot_be_finished_without_a_session(
        state: CycleState) -> None:
    with pytest.raises(CycleRuleError) as refused:
        rules.finish_without_session(state, False, True)
    if state is S.REPORT_READY:
        assert "once your report has been released to you" in refused.value.message


def test_a_held_report_with_no_facilitator_yet_says_who_assigns_the_one_who_releases_it() -> None:
    for state in (S.OPEN, S.REPORT_READY):
        facts = RoundFacts(state, True, True, 3, opened=True, report_held=True, awaiting_facilitator=True)
        report = next(s for s in rules.progress(facts) if s.key == "report")
        assert "local lead assigns you a facilitator, who reads it first and releases it" in report.title
    held = RoundFacts(S.REPORT_READY, True, True, 3, opened=True, report_held=True, awaiting_facilitator=True)
    step = rules.next_step(held)
    assert step is not None and step.key == "report" and "local lead" in step.title
    # the session comes after the release, so it is not under way while the report waits for it
    assert {s.key: s.status for s in rules.progress(held)}["session"] == "not_yet"


def test_the_owner_s_own_tasks_the_round_has_moved_past_are_not_done_not_not_yet() -> None:
    for state in (S.CLOSED, S.REPORT_READY, S.SESSION_HELD, S.EVALUATED):
        steps = {s.key: s.status for s in rules.progress(RoundFacts(state, False, False, 3, opened=True,
                                                                    preparation_started=True))}
        assert steps["preparation"] == steps["self"] == "not_done"
    steps = {s.key: s.status for s in rules.progress(RoundFacts(S.OPEN, False, False, 3, opened=True))}
    assert steps["preparation"] == steps["self"] == "to_do"


@pytest.mark.parametrize("state", list(S))
def test_a_document_is_submitted_open_or_missed(state: CycleState) -> None:
    assert rules.owner_document(True, state) is rules.OwnerDocument.SUBMITTED
    missed = rules.owner_document(False, state)
    assert missed is (rules.OwnerDocument.OPEN if state in (S.DRAFT, S.OPEN) else rules.OwnerDocument.MISSED)
    assert rules.ended_words(state) == ("was cancelled" if state is S.CANCELLED else "closed")


@pytest.mark.parametrize(("close_on", "message"), [
    (date(2027, 1, 9), "9 January 2027 is a Saturday. Choose a working day, such as Monday 11 January 2027."),
    (date(2027, 1, 10), "10 January 2027 is a Sunday. Choose a working day, such as Monday 11 January 2027."),
    (date(2026, 12, 25), "25 December 2026 is a bank holiday in the UK. Choose a working day, such as Tuesday "
                         "29 December 2026."),
    (date(2026, 11, 30), "30 November 2026 is a bank holiday in the UK. Choose a working day, such as Tuesday "
                         "1 December 2026."),  # St Andrew's Day: Scotland only, a UK bank holiday all the same
])
def test_a_chosen_close_date_on_a_weekend_or_bank_holiday_is_refused_with_the_next_working_day(
        close_on: date, message: str) -> None:
    with pytest.raises(CycleRuleError) as refused:
        rules.check_chosen_close_date(close_on, TODAY)
    assert refused.value.message == message


def test_a_chosen_close_date_is_checked_against_the_window_first_and_needs_no_suggestion_past_it() -> None:
    with pytest.raises(CycleRuleError, match="future"):
        rules.check_chosen_close_date(date(2026, 11, 21), TODAY)  # a past Saturday: the window's message
    last = TODAY + timedelta(days=rules.MAX_OPEN_DAYS)  # 22 February 2027, a Monday
    rules.check_chosen_close_date(last, TODAY)
    with pytest.raises(CycleRuleError) as refused:  # the last day in the window a Saturday: no day to offer after it
        rules.check_chosen_close_date(date(2027, 2, 20), date(2026, 11, 22))
    assert refused.value.message == "20 February 2027 is a Saturday. Choose a working day."


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)), st.integers(1, rules.MAX_OPEN_DAYS))
def test_a_chosen_close_date_is_accepted_exactly_when_it_is_a_working_day_in_the_window(
        today: date, days: int) -> None:
    close_on = today + timedelta(days=days)
    refused = rules.refusal(lambda: rules.check_chosen_close_date(close_on, today))
    assert (refused is None) == rules.is_working_day(close_on)
    if refused and "such as" in refused:
        offered = rules.next_working_day(close_on)
        assert offered.strftime("%A %-d %B %Y") in refused and rules.is_working_day(offered)


@given(st.sampled_from(list(S)), st.booleans(), st.sets(st.sampled_from(rules.LATER_STEPS)))
def test_the_progress_never_shows_a_step_nobody_can_take(state: CycleState, early: bool, actions: set[str]) -> None:
    facts = RoundFacts(state, True, True, 3, finished_early=early and state is S.REPORT_READY,
                       owner_actions=frozenset(actions))
    keys = [step.key for step in rules.progress(facts)]
    if state is S.CANCELLED:
        assert all(step.status == "done" for step in rules.progress(facts))
    if facts.finished_early:
        assert not set(keys) & set(rules.LATER_STEPS)


def test_a_later_step_the_owner_can_take_is_theirs_to_do() -> None:
    facts = RoundFacts(S.SESSION_HELD, True, True, 3, owner_actions=frozenset({"summary"}))
    step = rules.next_step(facts)
    assert step is not None and (step.key, step.status) == ("summary", "to_do")


def test_a_round_cancelled_before_it_opened_shows_only_what_the_owner_did_and_no_invitations() -> None:
    facts = RoundFacts(S.CANCELLED, preparation_submitted=True, self_assessment_submitted=False, rater_count=3)
    assert [(step.key, step.status) for step in rules.progress(facts)] == [
        ("preparation", "done"), ("raters", "done")]


def test_a_round_cancelled_after_it_opened_still_shows_that_the_invitations_went() -> None:
    opened = RoundFacts(S.CANCELLED, True, True, 3, opened=True)
    assert [(step.key, step.status) for step in rules.progress(opened)] == [
        ("preparation", "done"), ("self", "done"), ("raters", "done"), ("open", "done")]
    assert rules.next_step(opened) is None  # nothing is offered on a cancelled round
