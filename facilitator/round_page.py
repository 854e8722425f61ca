"""What this package adds to the owner's round page (through surveys.hooks): who their facilitator is, whether the
report waits for release, and the later steps that are the owner's to do now."""

from __future__ import annotations

from flask import url_for

from app.accounts.operations import whom_to_ask
from app.models import User
from app.words import sentence_start
from facilitator import operations
from facilitator.rules import SummaryStatus
from surveys.cycle import BEFORE_REPORT, REVISION_WAITING, CycleState
from surveys.models import Cycle
from surveys.nominations import local_lead_names


def steps_for(cycle: Cycle) -> dict[str, str]:
    """The later steps that are the owner's to do now, with where to do them; an agreed summary's link too."""
    links: dict[str, str] = {}
    if cycle.state in BEFORE_REPORT:
        return links  # no summary yet, nor an evaluation: nothing to ask the database
    latest = operations.latest_summary(cycle)
    if latest is not None and latest.status is SummaryStatus.PROPOSED:
        links["summary"] = url_for("facilitator.owner_summary", cycle_id=cycle.id)
        if operations.agreed_summary(cycle) is not None:  # a new version of an agreed summary waits for the owner
            links[REVISION_WAITING] = links["summary"]
    elif operations.agreed_summary(cycle) is not None:
        links["summary"] = url_for("facilitator.profile")
    if cycle.state is CycleState.SUMMARY_AGREED:
        links["evaluation"] = url_for("facilitator.evaluation", cycle_id=cycle.id)
    return links


def plan_links_for(cycle: Cycle) -> list[tuple[str, str]]:
    """The round's agreed summary and plan, wherever the owner's rounds are listed."""
    if cycle.state in BEFORE_REPORT or operations.agreed_summary(cycle) is None:
        return []
    return [("Read your conversation summary and development plan",
             url_for("facilitator.plan_page", cycle_id=cycle.id))]


def approvers_for(cycle: Cycle) -> list[User]:
    """Who confirms this owner's rater list (surveys/rules/nomination.py): their facilitator, assigned by a local
    lead, so never someone the owner picked."""
    facilitator = operations.facilitator_of(cycle.owner_id)
    return [facilitator] if facilitator is not None else []


def notes_for(cycle: Cycle) -> list[str]:
    facilitator = operations.facilitator_of(cycle.owner_id)
    if cycle.state in {CycleState.CANCELLED, CycleState.NO_RESPONSES} or cycle.finished_early_at:
        return []  # nothing to come: no report to go through
    if facilitator is None:
        notes = [_no_facilitator_note(cycle)]
    else:
        notes = [f"Your facilitator is {facilitator.name}.", *_release_notes(cycle, facilitator.name)]
    if cycle.state in BEFORE_REPORT:
        return notes  # no session nor summary yet (surveys.cycle.BEFORE_REPORT): two statements not sent
    session = operations.session_of(cycle)
    if session is not None:
        notes.append(f"Your session was held on {session.held_on.strftime('%-d %B %Y')} "
                     f"({session.mode.label.lower()}).")
    latest = operations.latest_summary(cycle)
    if latest is not None and latest.status is SummaryStatus.CHANGES_REQUESTED:
        notes.append(f"You asked for changes to your conversation summary. "
                     f"{facilitator.name if facilitator else 'Your facilitator'} is revising it.")
    return notes


def _no_facilitator_note(cycle: Cycle) -> str:
    """Nobody can release a held report until a facilitator is assigned: the owner is told whom to ask (named, as
    for a rater list waiting for confirmation), never "your facilitator releases it" with nobody there to."""
    if not operations.held_cycle(cycle):
        if cycle.state in {CycleState.DRAFT, CycleState.OPEN}:
            # Facilitators are mostly assigned while the round runs: nobody to name yet, and no statement to name them
            return ("You have no facilitator yet. Your local lead or an administrator will assign you one, who will "
                    "go through your report with you.")
        return (f"You have no facilitator yet. {sentence_start(whom_to_ask(cycle.owner))} will assign you one, who "
                "will go through your report with you.")
    leads = local_lead_names(cycle.owner)
    who = f"{leads}, your organisation's local lead," if leads else "your organisation's local lead"
    return (f"You do not have a facilitator yet. In your organisation a facilitator reads your report first and "
            f"releases it to you, so ask {who} to assign you one.")


def _release_notes(cycle: Cycle, who: str) -> list[str]:
    """Where the organisation asks the facilitator to read the report first and release it (PRODUCT §5)."""
    if not operations.organisation_releases(cycle):
        return []
    if operations.held_cycle(cycle) and operations.report_is_ready(cycle):
        return [f"Your report is ready. In your organisation {who} reads it first and releases it to you at or "
                "before your session."]
    if cycle.state in {CycleState.DRAFT, CycleState.OPEN, CycleState.CLOSED}:
        return [f"When your report is ready, {who} reads it first and releases it to you at or before your "
                "session, so you can go through it together."]
    return []
