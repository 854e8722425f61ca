"""The facilitated session's rules (PRODUCT §5, §6) as pure functions of plain values: no database, no request, no
clock (`today`/`now` are passed in). A refused step raises FacilitationError, whose message is shown as it is;
checks with many possible reasons return every problem at once, as (field, message) pairs.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.errors import DomainError
from app.models import Role
from surveys.cycle import CycleState

S = CycleState


class FacilitationError(DomainError):
    pass


class SessionMode(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "video": "Video call", "phone": "Phone call"}[self.value]


class SummaryStatus(enum.StrEnum):
    DRAFT = "draft"  # the facilitator's, not yet proposed: nobody else sees it, and it is not a version
    PROPOSED = "proposed"  # the facilitator has proposed it; the owner's turn
    CHANGES_REQUESTED = "changes_requested"  # the owner asked for changes; the facilitator's turn
    AGREED = "agreed"  # both agreed: locked
    SUPERSEDED = "superseded"  # an agreed version replaced by a later agreed one; still readable
    WITHDRAWN = "withdrawn"  # a proposal the facilitator revised before the owner answered it; still readable


class GoalStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    MET = "met"
    EXCEEDED = "exceeded"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# --- Assignment -------------------------------------------------------------------------------------------------

def assignment_problems(*, by_id: int, by_roles: Collection[Role], owner_id: int, owner_roles: Collection[Role],
                        facilitator_id: int, facilitator_roles: Collection[Role], same_organisation: bool,
                        same_mailbox: bool) -> list[tuple[str, str]]:
    """Why this assignment may not be made (PRODUCT §5): nobody facilitates their own round (nor through a second
    account whose address reaches the owner's mailbox, `same_mailbox`), and a person who holds the facilitator
    role beside another role cannot assign themselves."""
    problems: list[tuple[str, str]] = []
    if not set(by_roles) & {Role.ADMIN, Role.LOCAL_LEAD}:
        problems.append(("owner", "Only an administrator or local lead can assign facilitators"))
    if not same_organisation:
        problems.append(("owner", "Choose an owner and a facilitator from your organisation"))
    if Role.OWNER not in owner_roles:
        problems.append(("owner", "Choose an owner from the list"))
    if Role.FACILITATOR not in facilitator_roles:
        problems.append(("facilitator", "Choose a facilitator from the list"))
    if owner_id == facilitator_id or same_mailbox:
        problems.append(("facilitator", "Choose someone else: nobody can facilitate their own round"))
    elif by_id == facilitator_id:
        problems.append(("facilitator", "Choose someone else: you cannot assign yourself as a facilitator. "
                                        "Ask another local lead or an administrator"))
    return problems


# --- Report release ---------------------------------------------------------------------------------------------

def held_from_owner(organisation_releases: bool, released: bool) -> bool:
    """Whether the owner must wait for the facilitator to release the report."""
    return organisation_releases and not released


def check_release(state: CycleState, organisation_releases: bool, released: bool) -> None:
    if not organisation_releases:
        raise FacilitationError("The owner can already read their report: your organisation does not ask "
                                "facilitators to release it.")
    if released:
        raise FacilitationError("You have already released this report.")
    if state not in {S.REPORT_READY, S.SESSION_HELD, S.SUMMARY_AGREED, S.EVALUATED}:
        raise FacilitationError("The report is not ready yet.")


# --- The portal -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnerFacts:
    """What the portal needs to know about one assigned owner's latest round."""

    state: CycleState | None  # None: no round yet
    finished_early: bool = False
    held: bool = False  # the report waits for this facilitator to release it
    summary: SummaryStatus | None = None  # the latest version's status
    # Nomination approval (surveys/rules/nomination.py): "to_confirm" (their list waits for this facilitator),
    # "sent_back" (sent back with a note, not yet changed and asked again), or None.
    list_step: str | None = None


def next_step(facts: OwnerFacts) -> str:
    """The next step in the owner's round, in the facilitator's words."""
    state = facts.state
    if state is None:
        return "Waiting for them to start a feedback round"
    if state is S.CANCELLED:
        return "Their round was cancelled: nothing to do until they start another"
    if state is S.NO_RESPONSES:
        return "Their round closed with no responses, so there is no report: nothing to do until they start another"
    if facts.finished_early:
        return ("They finished the round without a session: read the report, then release it to them"
                if facts.held and state is S.REPORT_READY else
                "They finished the round after the report, without a session")
    if facts.list_step == "to_confirm":
        return "Confirm their list of raters, or send it back with a note"
    if facts.list_step == "sent_back":
        return "You sent their list of raters back: waiting for them to change it and ask you again"
    waiting = {S.DRAFT: "Waiting for them to set up their round and invite raters",
               S.OPEN: "Waiting for raters to respond",
               S.CLOSED: "Waiting for the report to be made"}
    if state in waiting:
        return waiting[state]
    if state is S.REPORT_READY:
        return ("Read the report, then release it to them" if facts.held
                else "Read the report and Preparation Document, then hold the session and record it")
    if state is S.SESSION_HELD:
        return {None: "Write the conversation summary and propose it",
                SummaryStatus.PROPOSED: "Waiting for them to agree the summary or ask for changes",
                SummaryStatus.CHANGES_REQUESTED: "Revise the summary: they asked for changes"}.get(
            facts.summary, "Write the conversation summary and propose it")
    if state is S.SUMMARY_AGREED:
        if facts.summary is SummaryStatus.PROPOSED:
            return "Waiting for them to agree the new version of the summary"
        if facts.summary is SummaryStatus.CHANGES_REQUESTED:
            return "Revise the new version of the summary: they asked for changes"
        return "Summary agreed: waiting for their evaluation"
    return "Finished: summary agreed and evaluated"


def session_date_problem(held_on: date, report_ready_on: date, today: date) -> str | None:
    """What is wrong with the date a session was held, or None.

    The earliest is the day the report was ready, not the day the round closed: the session is the conversation
    about the report (PRODUCT §5: from `report_ready` on the facilitator reads it and records the session), and
    between closing and the report's build there is nothing yet to talk through. Usage counts a session in the
    quarter it was recorded (`recorded_at`, usage/queries.py), never by this date, so no date typed here moves a
    published quarter; this bound keeps the record true to what happened. The report's day is a firmer floor than
    the "within the last year" this replaced, which let a session predate the round itself."""
    if held_on > today:
        return "The date of the session must be today or in the past"
    if held_on < report_ready_on:
        return (f"The date of the session must be on or after {report_ready_on:%-d %B %Y}, the day the report "
                "was ready")
    return None


def check_record_session(state: CycleState, finished_early: bool, held: bool, held_on: date,
                         report_ready_on: date, today: date) -> None:
    if finished_early:
        raise FacilitationError("They finished this round without a session.")
    if state is not S.REPORT_READY:
        raise FacilitationError("The session can be recorded once the report is ready, and only once.")
    if held:
        raise FacilitationError("Release the report to them before you record the session.")
    problem = session_date_problem(held_on, report_ready_on, today)
    if problem:
        raise FacilitationError(problem)


# --- The conversation summary -----------------------------------------------------------------------------------

MAX_GOALS = 8
TERMS = {"short": "Short term (1 to 3 months)", "long": "Longer term (4 to 12 months)"}
GOAL_FIELDS = {"what": "what the goal is", "measure": "how success will be measured",
               "support": "the support needed", "values": "the values or behaviours it calls on"}
SUMMARY_TEXTS = {"key_points": "Key points", "strengths": "Strengths", "development_areas": "Development areas"}
TEXT_LIMIT = 3000
GOAL_TEXT_LIMIT = 600


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 January + 1 = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_window(term: str, start: date) -> tuple[date, date]:
    """The target dates a goal of this term may have: short term up to 3 months ahead, longer term 4 to 12."""
    if term == "short":
        return start + timedelta(days=1), add_months(start, 3)
    return add_months(start, 3) + timedelta(days=1), add_months(start, 12)


def goal_problems(goals: Sequence[Mapping[str, Any]], today: date) -> list[tuple[str, str]]:
    """Every problem with the goals, as (field, message); field names are `goals-{n}-{part}` (n from 0)."""
    problems: list[tuple[str, str]] = []
    if len(goals) > MAX_GOALS:
        problems.append(("goals", f"Agree at most {MAX_GOALS} goals, not {len(goals)}"))
    for n, goal in enumerate(goals):
        label = f"Goal {n + 1}"
        if goal.get("term") not in TERMS:
            problems.append((f"goals-{n}-term", f"{label}: choose short term or longer term"))
        for part, words in GOAL_FIELDS.items():
            text = str(goal.get(part) or "").strip()
            if not text:
                problems.append((f"goals-{n}-{part}", f"{label}: enter {words}"))
            elif len(text) > GOAL_TEXT_LIMIT:
                problems.append((f"goals-{n}-{part}", f"{label}: {words} must be {GOAL_TEXT_LIMIT} characters "
                                                      "or fewer"))
        target = goal.get("target_on")
        if not isinstance(target, date):
            problems.append((f"goals-{n}-target_on", f"{label}: enter a real target date, for example "
                                                     f"{add_months(today, 2).strftime('%-d %-m %Y')}"))
        elif goal.get("term") in TERMS:
            first, last = term_window(goal["term"], today)
            if not first <= target <= last:
                problems.append((f"goals-{n}-target_on",
                                 f"{label}: a {'short' if goal['term'] == 'short' else 'longer'} term goal's target "
                                 f"date must be between {first.strftime('%-d %B %Y')} and "
                                 f"{last.strftime('%-d %B %Y')}"))
    return problems


def summary_problems(texts: Mapping[str, str], goals: Sequence[Mapping[str, Any]], today: date
                     ) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for name, label in SUMMARY_TEXTS.items():
        text = (texts.get(name) or "").strip()
        if not text:
            problems.append((name, f"Enter the {label.lower()}"))
        elif len(text) > TEXT_LIMIT:
            problems.append((name, f"{label} must be {TEXT_LIMIT} characters or fewer"))
    if not goals:
        problems.append(("goals-0-what", "Add at least one development goal"))
    return problems + goal_problems(goals, today)


def check_propose(state: CycleState, latest: SummaryStatus | None, *, finished_early: bool) -> str:
    """Whether the facilitator may propose now, and how: "new" (a first version, or a change to an agreed one) or
    "revise" (a summary still being worked out). Either way a proposal is a version of its own, kept."""
    if finished_early:  # no session will be recorded, so asking for one would be a step nobody can take
        raise FacilitationError("They finished this round without a session, so there is no conversation summary "
                                "to write.")
    if state not in {S.SESSION_HELD, S.SUMMARY_AGREED, S.EVALUATED}:
        raise FacilitationError("Record the session before you write the conversation summary.")
    if latest in {SummaryStatus.PROPOSED, SummaryStatus.CHANGES_REQUESTED}:
        return "revise"
    if latest is None and state is not S.SESSION_HELD:
        raise FacilitationError("This round has no summary to change.")
    return "new"


def check_owner_answer(status: SummaryStatus, agree: bool, comment: str) -> None:
    """The owner agrees to a proposed summary, or asks for changes with a comment."""
    if status is not SummaryStatus.PROPOSED:
        raise FacilitationError("There is no proposed summary waiting for your answer.")
    if not agree and not comment.strip():
        raise FacilitationError("Say what you would like changed")
    if len(comment) > TEXT_LIMIT:
        raise FacilitationError(f"Your comment must be {TEXT_LIMIT} characters or fewer")


def moves_round_to_agreed(state: CycleState) -> bool:
    """A first agreement moves the round on; a later version agreed leaves it where it is."""
    return state is S.SESSION_HELD


# --- The development profile ------------------------------------------------------------------------------------

REVIEW_MONTHS = (3, 6, 9, 12)
NOTE_LIMIT = 500


def review_dates(agreed_on: date, months: Iterable[int] = REVIEW_MONTHS) -> list[date]:
    return [add_months(agreed_on, m) for m in months]


def progress_problems(status: str, note: str, completed_on: date | None, agreed_on: date, today: date
                      ) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if status not in {s.value for s in GoalStatus}:
        problems.append(("status", "Choose how the goal is going"))
    if len(note) > NOTE_LIMIT:
        problems.append(("note", f"The note must be {NOTE_LIMIT} characters or fewer"))
    if completed_on is not None:
        if status not in {GoalStatus.MET, GoalStatus.EXCEEDED, GoalStatus.NOT_MET}:
            problems.append(("completed_on", "Leave the completion date empty until the goal is met, exceeded or "
                                             "not met, or choose how it went"))
        elif not agreed_on <= completed_on <= today:
            problems.append(("completed_on", "The completion date must be between the day the summary was "
                                             f"agreed ({agreed_on.strftime('%-d %B %Y')}) and today"))
    return problems


# --- The evaluation ---------------------------------------------------------------------------------------------

REMINDER_DAYS = {"day-3": 3, "day-10": 10}
MIN_FOR_AVERAGES = 3


def evaluation_reminder_due(agreed_at: datetime, now: datetime, sent: Collection[str]) -> str | None:
    """Which evaluation reminder is due now, if any: after 3 days and after 10, each at most once. After a long
    outage only the later one goes, never two together."""
    if "day-10" not in sent and now >= agreed_at + timedelta(days=REMINDER_DAYS["day-10"]):
        return "day-10"
    if not sent and now >= agreed_at + timedelta(days=REMINDER_DAYS["day-3"]):
        return "day-3"
    return None


def check_evaluation(state: CycleState, ratings: Mapping[str, int | None], keys: Sequence[str], comment: str
                     ) -> list[tuple[str, str]]:
    if state is not S.SUMMARY_AGREED:
        raise FacilitationError("The evaluation comes once the summary is agreed, and only once.")
    # Each message names its question: five alike in the error summary would not say which is which.
    problems = [(key, f"Choose a rating from 1 to 5 for “{EVALUATION_QUESTIONS.get(key, key)}”") for key in keys
                if ratings.get(key) not in {1, 2, 3, 4, 5}]
    if len(comment) > TEXT_LIMIT:
        problems.append(("comment", f"Your comment must be {TEXT_LIMIT} characters or fewer"))
    return problems


@dataclass(frozen=True)
class PublishedAverages:
    """What a facilitator's averages rest on: the number of evaluations published so far and each question's sum
    over them. Kept apart from the evaluations (PRODUCT §6, §7): deleting a round deletes its evaluation but never
    takes it out of these sums, since a published figure that moved back would give that evaluation away."""

    count: int = 0
    sums: Mapping[str, int] | None = None


def publish(published: PublishedAverages, pending: Sequence[Mapping[str, int]], keys: Sequence[str]
            ) -> tuple[PublishedAverages, int]:
    """Add the earliest whole blocks of MIN_FOR_AVERAGES of the evaluations not yet published; returns the new
    sums and how many of `pending` went in (the rest wait for a block of their own).

    Averages that moved with every evaluation would give the newest owner's ratings away to a facilitator who
    compares two visits (the new mean times n minus the old one times n - 1). Here two visits differ by whole
    blocks of 3 or not at all: an evaluation deleted before its block is published was never shown, and one
    deleted after stays in the sums, so no deletion moves a figure either (the earlier rule, the earliest 3k of the
    evaluations that remain, slid by one owner's ratings whenever a round was deleted)."""
    taken = len(pending) - len(pending) % MIN_FOR_AVERAGES
    sums = dict(published.sums or {})
    for key in keys:
        sums[key] = sums.get(key, 0) + sum(int(r[key]) for r in pending[:taken])
    return PublishedAverages(published.count + taken, sums), taken


def averages(published: PublishedAverages, keys: Sequence[str]) -> dict[str, float] | None:
    """Mean rating per question, or None below MIN_FOR_AVERAGES evaluations: a facilitator must not be able to
    work out one owner's answers from their own averages."""
    if published.count < MIN_FOR_AVERAGES:
        return None
    return {key: round((published.sums or {}).get(key, 0) / published.count, 1) for key in keys}


EVALUATION_QUESTIONS = {
    "understood": "The session helped me make sense of my feedback",
    "listened": "My facilitator listened to me and took my views seriously",
    "goals": "The goals we agreed matter to me",
    "next": "I know what I will do next",
    "overall": "Overall, taking part was worth my time",
}
