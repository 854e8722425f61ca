"""The mails of the facilitated session, rendered at send time. Every step of the summary tells the other person;
none carries any content of a report, preparation document or summary, only that something is waiting."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from app.accounts.operations import whom_to_ask
from app.extensions import db
from app.mail import Message, queue_mail, renderer
from app.models import Role, User
from facilitator import operations
from facilitator.models import FacilitatorAssignment, Summary, SummaryShare
from facilitator.rules import SummaryStatus
from reports.mails import shared_mail
from surveys.cycle import CycleState
from surveys.models import Cycle


def _note(person: User, subject: str, lines: list[str], link_text: str, endpoint: str, **values: object
          ) -> Message:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"person": person, "subject": subject, "lines": lines, "link_text": link_text,
                   "link": current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)}
        return Message(to=person.email, subject=subject,
                       text=render_template("facilitator/mail/note.txt", **context),
                       html=render_template("facilitator/mail/note.html", **context))


@renderer("assigned_owner")
def assigned_owner_mail(owner_id: int) -> Message | None:
    assignment = db.session.get(FacilitatorAssignment, owner_id)
    if assignment is None:
        return None
    return _note(assignment.owner, "Your facilitator", [
        f"{assignment.facilitator.name} will be your facilitator. They will go through your feedback report with "
        "you in a session and help you agree a development plan.",
        f"Once your report is ready, {assignment.facilitator.name} can read it and your preparation document. "
        "You can see every time they do."], "Go to your feedback round", "surveys.dashboard")


@renderer("assigned_facilitator")
def assigned_facilitator_mail(owner_id: int) -> Message | None:
    assignment = db.session.get(FacilitatorAssignment, owner_id)
    if assignment is None:
        return None
    return _note(assignment.facilitator, f"You are now {assignment.owner.name}'s facilitator", [
        f"You have been assigned as {assignment.owner.name}'s facilitator.",
        "Their round, its state and the next step are on your list of owners."],
        "See the owners assigned to you", "facilitator.portal")


@renderer("facilitator_ended_owner")
def facilitator_ended_owner_mail(owner_id: int) -> Message | None:
    """To an owner whose facilitator's account was deactivated. Not wanted once another facilitator is assigned:
    that assignment's own mail says who."""
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.is_active_account or db.session.get(FacilitatorAssignment, owner_id):
        return None
    return _note(owner, "You have no facilitator at the moment", [
        "Your facilitator's account has been deactivated, so they can no longer facilitate your round or read your "
        "report or Preparation Document.",
        f"Until {whom_to_ask(owner)} assigns you another facilitator, your round has none. We will email you when "
        "they do."], "Go to your feedback round", "surveys.dashboard")


@renderer("facilitator_ended_lead")
def facilitator_ended_lead_mail(person_id: int) -> Message | None:
    """To a local lead (or administrator) when a facilitator of their organisation was deactivated: which owners
    now have no facilitator (their names only, as on the Facilitators page)."""
    person = db.session.get(User, person_id)
    if person is None or not person.is_active_account:
        return None
    owners = [o for o in operations.people_with_role(person.organisation_id, Role.OWNER)
              if operations.facilitator_of(o.id) is None]
    if not owners:
        return None  # every one has been assigned again already
    return _note(person, f"Owners at {person.organisation.name} need a facilitator", [
        "A facilitator's account has been deactivated, so the owners they facilitated have no facilitator until "
        "you assign another.",
        f"Owners with no facilitator now: {', '.join(o.name for o in owners)}."],
        "Assign facilitators", "facilitator.assignments")


def _facilitator_of_round(cycle_id: int) -> tuple[Cycle, User] | None:
    cycle = db.session.get(Cycle, cycle_id)
    assignment = db.session.get(FacilitatorAssignment, cycle.owner_id) if cycle else None
    return (cycle, assignment.facilitator) if cycle is not None and assignment is not None else None


@renderer("no_responses_facilitator")
def no_responses_facilitator_mail(cycle_id: int) -> Message | None:
    """To the facilitator of a round that closed with no responses: there will be no report to go through."""
    found = _facilitator_of_round(cycle_id)
    if found is None or found[0].state is not CycleState.NO_RESPONSES:
        return None
    cycle, facilitator = found
    return _note(facilitator, f"{cycle.owner.name}'s round closed with no responses", [
        f"{cycle.owner.name}'s feedback round has closed. Nobody had responded by then, so there is no report "
        "and no session to hold for this round.",
        "They can start a new round; you will see it on your list of owners."],
        "See the owners assigned to you", "facilitator.portal")


@renderer("report_ready_facilitator")
def report_ready_facilitator_mail(cycle_id: int) -> Message | None:
    """To the facilitator when a report is built, in the words of the round's own setting: read it first and
    release it to the owner, or read it beside the owner, who already has it."""
    found = _facilitator_of_round(cycle_id)
    if found is None:
        return None
    cycle, facilitator = found
    name = cycle.owner.name
    if cycle.facilitator_releases_report:
        lines = [f"{name}'s feedback report is ready. Their organisation asks you to read it first: {name} cannot "
                 "read it until you release it to them.",
                 "Read it and their Preparation Document, then release the report at or before your session."]
        link_text = "Read the report and release it"
    else:
        lines = [f"{name}'s feedback report is ready. They can read it now, and so can you.",
                 "Read it and their Preparation Document, then hold the session with them and record it."]
        link_text = "Go to their round"
    return _note(facilitator, f"{name}'s feedback report is ready", lines, link_text, "facilitator.owner_round",
                 cycle_id=cycle.id)


def tell_facilitator_of_no_responses(cycle: Cycle) -> None:
    """Receiver of surveys.signals.round_closed."""
    if cycle.state is CycleState.NO_RESPONSES and db.session.get(FacilitatorAssignment, cycle.owner_id):
        queue_mail("no_responses_facilitator", cycle.id, f"no_responses_facilitator:{cycle.id}")


@renderer("report_released")
def report_released_mail(cycle_id: int) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    return _note(cycle.owner, "Your feedback report has been released to you", [
        "Your facilitator has released your feedback report to you. You can read it now.",
        "Only you and your facilitator can read it, unless you choose to share it."],
        "Go to your feedback round", "surveys.dashboard")


def _summary(cycle_id: int, wanted: SummaryStatus) -> Summary | None:
    """The round's latest summary version, if it is still at the step the mail is about. (Mail refers to rows by
    an integer id: the round's.) Moved on before the mail went out (revised again, say): the newer step's own mail
    says what is current."""
    summary = db.session.scalar(sa.select(Summary).where(Summary.cycle_id == cycle_id,
                                                         Summary.status != SummaryStatus.DRAFT)
                                .order_by(Summary.version.desc()).limit(1))
    return summary if summary is not None and summary.status is wanted else None


def _facilitator(summary: Summary) -> User | None:
    return db.session.get(User, summary.facilitator_id) if summary.facilitator_id else None


@renderer("summary_proposed")
def summary_proposed_mail(cycle_id: int) -> Message | None:
    summary = _summary(cycle_id, SummaryStatus.PROPOSED)
    facilitator = _facilitator(summary) if summary else None
    if summary is None or facilitator is None:
        return None
    what = "revised" if summary.revision > 1 else "proposed"
    version = f" (version {summary.version})" if summary.version > 1 else ""
    return _note(summary.cycle.owner, f"Your conversation summary is ready for you to check{version}", [
        f"{facilitator.name} has {what} your conversation summary{version}.",
        "Read it, then agree it or ask for changes."], "Read your conversation summary",
        "facilitator.owner_summary", cycle_id=summary.cycle_id)


@renderer("summary_changes")
def summary_changes_mail(cycle_id: int) -> Message | None:
    summary = _summary(cycle_id, SummaryStatus.CHANGES_REQUESTED)
    facilitator = _facilitator(summary) if summary else None
    if summary is None or facilitator is None:
        return None
    return _note(facilitator, f"{summary.cycle.owner.name} asked for changes to their summary", [
        f"{summary.cycle.owner.name} has asked for changes to their conversation summary.",
        "Their comment is with the summary. Revise it and propose it again."], "Revise the summary",
        "facilitator.summary_form", cycle_id=summary.cycle_id)


@renderer("summary_agreed")
def summary_agreed_mail(cycle_id: int) -> Message | None:
    summary = _summary(cycle_id, SummaryStatus.AGREED)
    facilitator = _facilitator(summary) if summary else None
    if summary is None or facilitator is None:
        return None
    return _note(facilitator, f"{summary.cycle.owner.name} agreed their conversation summary", [
        f"{summary.cycle.owner.name} has agreed their conversation summary (version {summary.version}).",
        "It is now locked and sits in their development profile."], "See your owners", "facilitator.portal")


def _evaluation_mail(cycle_id: int, reminder: bool) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.state is not CycleState.SUMMARY_AGREED:
        return None  # evaluated (or deleted) while the mail waited
    first = "A reminder: please" if reminder else "Please"
    return _note(cycle.owner, "How did your facilitated session go?" if not reminder
                 else "Reminder: how did your facilitated session go?", [
        f"{first} tell us how your facilitated session went. It takes about two minutes: five ratings and a "
        "comment if you want to add one.",
        "The central team reads what you say, with your name, to keep improving the sessions."],
        "Tell us how it went", "facilitator.evaluation", cycle_id=cycle.id)


@renderer("evaluation_request")
def evaluation_request_mail(cycle_id: int) -> Message | None:
    return _evaluation_mail(cycle_id, reminder=False)


@renderer("evaluation_reminder")
def evaluation_reminder_mail(cycle_id: int) -> Message | None:
    return _evaluation_mail(cycle_id, reminder=True)


@renderer("confirmation_requested")
def confirmation_requested_mail(cycle_id: int) -> Message | None:
    """To the owner's facilitator, who confirms the rater list where the organisation asks for it (PRODUCT §2.4)."""
    cycle = db.session.get(Cycle, cycle_id)
    assignment = db.session.get(FacilitatorAssignment, cycle.owner_id) if cycle else None
    if cycle is None or assignment is None:
        return None
    facilitator = assignment.facilitator
    return _note(facilitator, f"Please confirm {cycle.owner.name}'s raters", [
        f"{cycle.owner.name} has chosen people to ask for feedback. Your organisation asks you to confirm them "
        "before their invitations go out.",
        "Check that each is a real colleague who knows their work."],
        "Confirm the list", "surveys.confirm_list", cycle_id=cycle.id)


@renderer("summary_shared")
def summary_shared_mail(share_id: int) -> Message | None:
    """To a manager an owner has shared their development plan with: the same mail as for a report."""
    share = db.session.get(SummaryShare, share_id)
    if share is None or share.revoked_at is not None:
        return None  # sharing was stopped before the mail went out
    owner = db.session.get(Cycle, share.cycle_id).owner  # type: ignore[union-attr]
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        link = current_app.config["PUBLIC_URL"] + url_for("facilitator.plan_page", cycle_id=share.cycle_id)
        return shared_mail(share.user, owner, "development plan", "personal development plan (their agreed "
                           "conversation summary and goals)", link)
