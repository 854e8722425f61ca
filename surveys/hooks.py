"""Links other packages add to the owner's round page (for example "Read your report"), without this package
importing them."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.models import User
from surveys.models import Cycle

CycleLinks = Callable[[Cycle], list[tuple[str, str]]]
_providers: list[CycleLinks] = []


def provide_cycle_links(provider: CycleLinks) -> CycleLinks:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cycle_links(cycle: Cycle) -> list[tuple[str, str]]:
    """(text, href) pairs for this round from every package that offers one."""
    return [link for provider in _providers for link in provider(cycle)]


# Steps after the report (session, summary, evaluation) are done in other packages. Each offers, for a round, the
# steps that are the owner's to do now and where to do them ({"summary": "/…"}), and short notes for the round page
# ("Your facilitator is …").
StepLinks = Callable[[Cycle], dict[str, str]]
RoundNotes = Callable[[Cycle], list[str]]
_step_providers: list[StepLinks] = []
_note_providers: list[RoundNotes] = []


def provide_step_links(provider: StepLinks) -> StepLinks:
    if provider not in _step_providers:
        _step_providers.append(provider)
    return provider


def step_links(cycle: Cycle) -> dict[str, str]:
    return {key: href for provider in _step_providers for key, href in provider(cycle).items()}


# Whether the round's report waits for the facilitator to release it to the owner (the facilitator package knows
# whether it has been released); with nobody to say so, it does not.
ReportHeld = Callable[[Cycle], bool]
_held_providers: list[ReportHeld] = []


def provide_report_held(provider: ReportHeld) -> ReportHeld:
    if provider not in _held_providers:
        _held_providers.append(provider)
    return provider


def report_held(cycle: Cycle) -> bool:
    return any(provider(cycle) for provider in _held_providers)


def provide_round_notes(provider: RoundNotes) -> RoundNotes:
    if provider not in _note_providers:
        _note_providers.append(provider)
    return provider


def round_notes(cycle: Cycle) -> list[str]:
    return [note for provider in _note_providers for note in provider(cycle)]


# Deleting a round (surveys.rights.delete_round): what other packages keep about it goes by ON DELETE CASCADE, but
# no foreign key reaches their claims in the outbox, so each package forgets those in a step run just before; and
# each says, for the confirmation page, what of theirs the round holds ("your conversation summary, 2 versions").
RoundStep = Callable[[Cycle], object]
RoundDescribe = Callable[[Cycle], list[str]]
_deletion_steps: list[RoundStep] = []
_deletion_describers: list[RoundDescribe] = []


def on_round_deletion(step: RoundStep, describe: RoundDescribe | None = None) -> None:
    if step not in _deletion_steps:
        _deletion_steps.append(step)
    if describe is not None and describe not in _deletion_describers:
        _deletion_describers.append(describe)


def before_round_deletion(cycle: Cycle) -> None:
    for step in _deletion_steps:
        step(cycle)


def what_round_deletion_removes(cycle: Cycle) -> list[str]:
    return [line for describe in _deletion_describers for line in describe(cycle)]


# The owner's assigned facilitator, offered by the facilitator package: who confirms their rater list where the
# organisation asks for nomination approval (surveys/rules/nomination.py), and who releases their report where the
# organisation holds it for them (none yet: a local lead has still to assign one, surveys.operations.round_facts).
Approvers = Callable[[Cycle], list[User]]
_approver_providers: list[Approvers] = []


def provide_approvers(provider: Approvers) -> Approvers:
    if provider not in _approver_providers:
        _approver_providers.append(provider)
    return provider


def approvers(cycle: Cycle) -> list[User]:
    return [person for provider in _approver_providers for person in provider(cycle)]


# What the owner's Preparation Document opens with, from packages above (followup: the goals agreed last time and
# what became of them), as read-only HTML above the form.
PreparationContext = Callable[[Cycle], list[Markup]]
_context_providers: list[PreparationContext] = []


def provide_preparation_context(provider: PreparationContext) -> PreparationContext:
    if provider not in _context_providers:
        _context_providers.append(provider)
    return provider


def preparation_context(cycle: Cycle) -> list[Markup]:
    return [block for provider in _context_providers for block in provider(cycle)]
