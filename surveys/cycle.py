"""The feedback round's life (PRODUCT §2): states, the moves between them and what the owner should do next.

Pure functions of plain values, so each rule can be read and tested on its own. A refused move raises
CycleRuleError, whose message is shown to the owner as it is.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from app.errors import DomainError

DEFAULT_OPEN_DAYS = 21
MAX_OPEN_DAYS = 90


class CycleState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REPORT_READY = "report_ready"
    SESSION_HELD = "session_held"
    SUMMARY_AGREED = "summary_agreed"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"
    # Closed with no rater's response: there is nothing to report, so the round ends there (PRODUCT §2.7).
    NO_RESPONSES = "no_responses"


class CycleRuleError(DomainError):
    pass


S = CycleState
ORDER = (S.DRAFT, S.OPEN, S.CLOSED, S.REPORT_READY, S.SESSION_HELD, S.SUMMARY_AGREED, S.EVALUATED)
# A round stops being the owner's active round once its summary is agreed (the evaluation may still be pending),
# once it is cancelled, or when the owner finishes it after the report without a session (PRODUCT §2).
FINISHED = frozenset({S.SUMMARY_AGREED, S.EVALUATED, S.CANCELLED, S.NO_RESPONSES})
CANCELLABLE = frozenset({S.DRAFT, S.OPEN, S.CLOSED})
LATER_STEPS = ("session", "summary", "evaluation")
# Before its report a round has no session and no summary: a session is recorded once the report is ready
# (record_session), and a summary written after it; the two states that end a round without a report never have them.
BEFORE_REPORT = frozenset({S.DRAFT, S.OPEN, S.CLOSED, S.CANCELLED, S.NO_RESPONSES})
# Offered beside "summary" (surveys.hooks.step_links) when a new version of an agreed summary waits for the owner.
REVISION_WAITING = "summary_revision"


def is_active(state: CycleState, finished_early: bool = False) -> bool:
    return state not in FINISHED and not finished_early


def check_can_start(existing: Iterable[CycleState]) -> None:
    if any(is_active(state) for state in existing):
        raise CycleRuleError("You already have a feedback round in progress. Finish or cancel it before you "
                             "start another.")


# Every UK nation's bank holidays, not one organisation's: a round's raters often work across the border (a
# trust's staff in England and Wales beside a Scottish or Northern Irish partner), and a close date that is a
# holiday anywhere in the UK is one fewer working day for some of them. Wales keeps England's bank holidays.
UK_NATIONS = ("ENG", "SCT", "NIR")


@cache
def uk_bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales, Scotland and Northern Ireland in `year` (PyPI `holidays`)."""
    days: set[date] = set()
    for nation in UK_NATIONS:
        days.update(holidays.country_holidays("GB", subdiv=nation, years=year))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in uk_bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day (31 August + 6 months is 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_next_start(last_closed_on: date | None, interval_months: int) -> date | None:
    """The first day a new round may start: the organisation's minimum interval after the owner's previous round
    closed (PRODUCT §2.1), or None when no round of theirs has closed."""
    return None if last_closed_on is None else months_after(last_closed_on, interval_months)


def check_interval(last_closed_on: date | None, interval_months: int, today: date) -> None:
    """Two reports from nearly the same raters, close together, subtract to one rater's answers: a new round waits."""
    earliest = earliest_next_start(last_closed_on, interval_months)
    if earliest is not None and today < earliest:
        raise CycleRuleError(
            f"You can start your next feedback round on or after {earliest:%-d %B %Y}. Your organisation asks for "
            f"{interval_months} months between the close of one round and the start of the next, so that two "
            "reports from nearly the same raters cannot be compared to work out one person's answers.")


def default_close_date(today: date, days: int = DEFAULT_OPEN_DAYS) -> date:
    """`days` after today, moved on to the next working day: never a weekend or a UK bank holiday (PRODUCT §2.1)."""
    return next_working_day(today + timedelta(days=days))


def check_close_date(close_on: date, today: date) -> None:
    if close_on <= today:
        raise CycleRuleError("The close date must be in the future.")
    if close_on > today + timedelta(days=MAX_OPEN_DAYS):
        raise CycleRuleError(f"The close date must be within {MAX_OPEN_DAYS} days of today.")


def check_chosen_close_date(close_on: date, today: date) -> None:
    """A close date the owner types: in the window, and a working day, as the default is (PRODUCT §2.1). A round
    closing on a weekend or bank holiday loses its raters' last day; the message offers the next working day."""
    check_close_date(close_on, today)
    if is_working_day(close_on):
        return
    what = close_on.strftime("a %A") if close_on.weekday() >= 5 else "a bank holiday in the UK"
    suggestion = next_working_day(close_on)
    message = f"{close_on:%-d %B %Y} is {what}. Choose a working day"
    if suggestion <= today + timedelta(days=MAX_OPEN_DAYS):
        message += f", such as {suggestion:%A %-d %B %Y}"
    raise CycleRuleError(message + ".")


def _require(state: CycleState, allowed: Iterable[CycleState], message: str) -> None:
    if state not in set(allowed):
        raise CycleRuleError(message)


def open_round(state: CycleState, rater_count: int, close_on: date, today: date) -> CycleState:
    _require(state, {S.DRAFT}, "This round has already been opened.")
    if rater_count < 1:
        raise CycleRuleError("Add at least one rater before you send invitations.")
    check_close_date(close_on, today)
    return S.OPEN


def _closed(response_count: int) -> CycleState:
    """Where a round goes when it stops taking responses: to its report, or, with no rater's response to report,
    to its end. Never a refusal: the owner's page shows no live count, so it cannot say why closing would wait."""
    return S.CLOSED if response_count > 0 else S.NO_RESPONSES


def close_early(state: CycleState, response_count: int) -> CycleState:
    """The owner closes the round before its close date, whatever the count (PRODUCT §2.7)."""
    _require(state, {S.OPEN}, "Only an open round can be closed.")
    return _closed(response_count)


def close_on_date(state: CycleState, close_on: date, today: date, response_count: int) -> CycleState:
    """The clock closes the round once its close date has passed."""
    _require(state, {S.OPEN}, "Only an open round can be closed.")
    if today <= close_on:
        raise CycleRuleError("The round is open until the end of its close date.")
    return _closed(response_count)


def end_without_report(state: CycleState) -> CycleState:
    """A closed round found with no rater's response when its report is built (closed before this rule): it ends
    as a round closed with none does."""
    _require(state, {S.CLOSED}, "Only a closed round can end without a report.")
    return S.NO_RESPONSES


def mark_report_ready(state: CycleState) -> CycleState:
    _require(state, {S.CLOSED}, "A report can only be made for a closed round.")
    return S.REPORT_READY


def record_session(state: CycleState) -> CycleState:
    _require(state, {S.REPORT_READY}, "The session can be recorded once the report is ready.")
    return S.SESSION_HELD


def agree_summary(state: CycleState) -> CycleState:
    _require(state, {S.SESSION_HELD}, "The summary can be agreed after the session.")
    return S.SUMMARY_AGREED


def record_evaluation(state: CycleState) -> CycleState:
    _require(state, {S.SUMMARY_AGREED}, "The evaluation comes after the summary is agreed.")
    return S.EVALUATED


def finish_without_session(state: CycleState, finished_early: bool, report_held: bool) -> None:
    """The owner ends the round after the report, with no facilitated session; the report stays theirs. Where the
    facilitator reads the report first and releases it (PRODUCT §5), not before it is released: the owner would
    end the round, and start the wait for the next, without having read what it was for."""
    if finished_early:
        raise CycleRuleError("You have already finished this round.")
    _require(state, {S.REPORT_READY}, "A round can be finished this way once its report is ready and before a "
                                      "session is recorded.")
    if report_held:
        raise CycleRuleError("You can finish this round without a session once your report has been released to "
                             "you. In your organisation a facilitator reads the report first and then releases it "
                             "to you.")


def cancel(state: CycleState) -> CycleState:
    _require(state, CANCELLABLE, "A round cannot be cancelled once its report is ready.")
    return S.CANCELLED


def refusal(move: Callable[[], object]) -> str | None:
    """Why a move would be refused now, or None when it may go ahead. Pages ask the moves themselves, so a
    confirmation is offered exactly when its step can be taken, and the reason shown is the one the move gives."""
    try:
        move()
    except CycleRuleError as error:
        return error.message
    return None


_STATE_PHRASES = {
    S.DRAFT: "has not opened yet",
    S.OPEN: "is open",
    S.CLOSED: "has closed",
    S.REPORT_READY: "has closed and your report is ready",
    S.SESSION_HELD: "has closed and your session has taken place",
    S.SUMMARY_AGREED: "has closed and your conversation summary is agreed",
    S.EVALUATED: "is finished",
    S.CANCELLED: "was cancelled",
    S.NO_RESPONSES: "has closed with no responses, so there is no report",
}


def state_phrase(state: CycleState) -> str:
    """Where the round is, in words for the owner ("Your round has closed"), never the state's own name."""
    return f"Your round {_STATE_PHRASES[state]}"


def accepts_responses(state: CycleState, close_on: date, today: date) -> bool:
    return state is S.OPEN and today <= close_on


def raters_editable(state: CycleState) -> bool:
    return state in {S.DRAFT, S.OPEN}


def owner_answers_editable(state: CycleState) -> bool:
    """The preparation document and self-assessment can be worked on until the round closes."""
    return state in {S.DRAFT, S.OPEN}


class OwnerDocument(enum.StrEnum):
    """Where the owner's preparation document or self-assessment stands."""

    OPEN = "open"  # can still be written and changed
    SUBMITTED = "submitted"
    MISSED = "missed"  # the round closed (or was cancelled) before it was submitted: it can no longer be written


def owner_document(submitted: bool, state: CycleState) -> OwnerDocument:
    if submitted:
        return OwnerDocument.SUBMITTED
    return OwnerDocument.OPEN if owner_answers_editable(state) else OwnerDocument.MISSED


def ended_words(state: CycleState) -> str:
    """How the round stopped taking the owner's answers, for "Your round … before you submitted it"."""
    return "was cancelled" if state is S.CANCELLED else "closed"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    # "done" | "in_progress" | "to_do" | "waiting" | "not_yet" | "not_done" (the owner's own task, which the round
    # has moved past: it can no longer be done)
    status: str


@dataclass(frozen=True)
class RoundFacts:
    state: CycleState
    preparation_submitted: bool
    self_assessment_submitted: bool
    rater_count: int
    # Saved but not submitted: the task list says "In progress", not "To do".
    preparation_started: bool = False
    self_assessment_started: bool = False
    finished_early: bool = False
    # The "Have your list confirmed" step where the organisation asks for nomination approval, else None.
    approval: str | None = None
    # Later steps (session, summary, evaluation) that are the owner's to do now, as other packages know them:
    # for example "summary" while a proposed summary waits for the owner's answer.
    owner_actions: frozenset[str] = frozenset()
    # Whether the round ever opened: a cancelled round's state no longer says whether its invitations went. (Not
    # whether it closed: cancelling sets the closing time too, so nothing stored tells.)
    opened: bool = False
    # The round's report waits for the facilitator to read it first and release it (a setting the round took when
    # it started), and they have not released it yet: it is not the owner's to receive until they do.
    report_held: bool = False
    # The report is held for a facilitator and none is assigned yet: a local lead assigns one, who releases it.
    awaiting_facilitator: bool = False


def _reached(facts: RoundFacts) -> int:
    """How far along ORDER the round has come; a cancelled round, as far as its invitations."""
    if facts.state in ORDER:
        return ORDER.index(facts.state)
    if facts.state is S.NO_RESPONSES:
        return ORDER.index(S.CLOSED)
    return ORDER.index(S.OPEN) if facts.opened else -1


def progress(facts: RoundFacts) -> list[Step]:
    """The steps of the round and where the owner is. Steps before opening can be done in any order."""
    state = facts.state
    reached = _reached(facts)
    editable = owner_answers_editable(state)

    def owner_task(done: bool, started: bool = False) -> str:
        if done:
            return "done"
        if not editable:
            return "not_done"
        return "in_progress" if started else "to_do"

    def milestone(at: CycleState, key: str = "") -> str:
        index = ORDER.index(at)
        if reached >= index:
            return "done"
        if reached != index - 1:
            return "not_yet"
        # A later step another package offers is the owner's to do only once the round has reached the step
        # before it: an offer for any other state would be a link to a move the rules refuse.
        return "to_do" if key in facts.owner_actions else "waiting"

    # Once the list can no longer change (the round has closed), nobody can be asked about or confirm a rater added
    # late: the list that went out was confirmed when the round opened, so the step is done.
    confirm_status = ("done" if reached >= 1 and (facts.approval == "done" or not raters_editable(state))
                      else facts.approval)
    steps = [
        Step("preparation", "Write your preparation document",
             owner_task(facts.preparation_submitted, facts.preparation_started)),
        Step("self", "Rate yourself", owner_task(facts.self_assessment_submitted, facts.self_assessment_started)),
        Step("raters", "Choose who to ask for feedback", "done" if facts.rater_count else owner_task(False)),
        *([Step("confirm", "Have your list confirmed by your facilitator", confirm_status)] if facts.approval else []),
        Step("open", "Send invitations", "done" if reached >= 1 else
             ("to_do" if facts.rater_count and facts.approval in (None, "done") else "not_yet")),
        Step("closed", "Collect responses until the round closes", milestone(S.CLOSED)),
        Step("report", _report_title(facts),
             "waiting" if facts.report_held and reached >= ORDER.index(S.REPORT_READY) else milestone(S.REPORT_READY)),
        # A session is recorded only once a held report is released (facilitator.rules.check_record_session).
        Step("session", "Talk it through with your facilitator",
             "not_yet" if facts.report_held else milestone(S.SESSION_HELD, "session")),
        Step("summary", "Agree your conversation summary", milestone(S.SUMMARY_AGREED, "summary"))
        if REVISION_WAITING not in facts.owner_actions else
        Step("summary", "Agree the new version of your conversation summary", "to_do"),
        Step("evaluation", "Tell us how it went", milestone(S.EVALUATED, "evaluation")),
    ]
    # Never promise a step nobody can take: a cancelled round shows only what was done, and a round finished
    # without a session has no session, summary or evaluation to come.
    if state in {S.CANCELLED, S.NO_RESPONSES}:  # a round closed with no response ends there: no report to come
        return [step for step in steps if step.status == "done"]
    if facts.finished_early:
        return [step for step in steps if step.key not in LATER_STEPS]
    return steps


def _report_title(facts: RoundFacts) -> str:
    """The report step, saying who releases a held report: never a release nobody is there to make."""
    if not facts.report_held:
        return "Receive your report"
    if facts.awaiting_facilitator:
        return ("Receive your report: your local lead assigns you a facilitator, who reads it first and releases it "
                "to you")
    if facts.finished_early:  # no session to come (a round finished before this rule refused it)
        return "Receive your report when your facilitator releases it"
    return "Receive your report when your facilitator releases it, at or before your session"


def next_step(facts: RoundFacts) -> Step | None:
    """The first step that is the owner's to do (or to finish), else the one being waited on."""
    steps = progress(facts)
    for wanted in ({"in_progress", "to_do"}, {"waiting"}):
        for step in steps:
            if step.status in wanted:
                return step
    return None
