"""The mails the round sends, rendered at send time so the rater's link is never stored."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, url_for

from app.extensions import db
from app.mail import Message, renderer
from app.timeutil import today
from surveys import links
from surveys.cycle import CycleState, accepts_responses
from surveys.models import Cycle, Invitation


def rater_link(invitation: Invitation) -> str:
    """A fresh link for this one email. Its hash is committed with the mail's `sent` mark, so a failed attempt
    leaves nothing behind; the one case no SMTP client can rule out (the server took the mail, then the worker
    died) leaves that mail's link dead, and the rater's next reminder carries a working one."""
    token = links.issue(invitation)
    db.session.flush()
    return current_app.config["PUBLIC_URL"] + url_for("surveys.rater_link", token=token)


@renderer("invitation")
def invitation_mail(invitation_id: int) -> Message | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not invitation.is_outstanding:
        return None  # removed, withdrawn or answered before the mail went out
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"invitation": invitation, "owner": invitation.cycle.owner, "link": rater_link(invitation),
                   "close_on": invitation.cycle.close_on}
        return Message(
            to=invitation.email,
            subject=f"{invitation.cycle.owner.name} would value your feedback",
            text=render_template("surveys/mail/invitation.txt", **context),
            html=render_template("surveys/mail/invitation.html", **context),
        )


def closes_phrase(close_on: date, on: date) -> str:
    days = (close_on - on).days
    when = close_on.strftime("%-d %B %Y")
    return "at the end of today" if days == 0 else (f"tomorrow, {when}" if days == 1 else f"on {when}")


@renderer("reminder")
def reminder_mail(invitation_id: int) -> Message | None:
    """Every kind of reminder (periodic, last, the owner's "remind all") reads the same, with the time left.

    It carries nothing that could help tie the rater to their answers, even for someone who reads it on the way:
    no category (a lone manager would be one), no progress or draft, no count of who else has replied, no
    reference beyond the rater's own link."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not invitation.is_outstanding:
        return None  # removed, withdrawn, answered or declined before the reminder went out
    cycle = invitation.cycle
    if not accepts_responses(cycle.state, cycle.close_on, today()):
        return None  # the round closed, or was cancelled, while the reminder waited (SMTP down, say)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"invitation": invitation, "owner": cycle.owner, "link": rater_link(invitation),
                   "closes": closes_phrase(cycle.close_on, today())}
        return Message(
            to=invitation.email,
            subject=f"Reminder: {cycle.owner.name} would value your feedback",
            text=render_template("surveys/mail/reminder.txt", **context),
            html=render_template("surveys/mail/reminder.html", **context),
        )


def _owner_note(cycle_id: int, subject: str, lines: list[str], link_text: str = "Go to your feedback round",
                endpoint: str = "surveys.dashboard", anchor: str | None = None) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"owner": cycle.owner, "subject": subject, "lines": lines, "link_text": link_text,
                   "link": current_app.config["PUBLIC_URL"] + url_for(endpoint, _anchor=anchor)}
        return Message(to=cycle.owner.email, subject=subject,
                       text=render_template("surveys/mail/owner_note.txt", **context),
                       html=render_template("surveys/mail/owner_note.html", **context))


@renderer("round_closed")
def round_closed_mail(cycle_id: int) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is not None and cycle.state is CycleState.NO_RESPONSES:
        return _owner_note(cycle_id, "Your feedback round has closed with no responses", [
            "Your feedback round has closed, so no more responses will be accepted.",
            "Nobody had responded by then, so there is no report. You can start a new round and invite people "
            "again."])
    return _owner_note(cycle_id, "Your feedback round has closed", [
        "Your feedback round has closed, so no more responses will be accepted.",
        "Your report is being prepared. We will email you again when it is ready."])


@renderer("report_ready")
def report_ready_mail(cycle_id: int) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is not None and cycle.facilitator_releases_report:  # the owner is told again when it is released
        return _owner_note(cycle_id, "Your feedback report has been made", [
            "Your feedback report has been made. In your organisation your facilitator reads it first, and will "
            "release it to you at or before your session, so you can go through it together.",
            "We will email you when it is released. Only you and your facilitator can read it, unless you choose "
            "to share it."])
    return _owner_note(cycle_id, "Your feedback report is ready", [
        "Your feedback report is ready. Only you and your facilitator can read it, unless you choose to share it.",
        "Sign in to read it or download it as a PDF."])


@renderer("retention_notice")
def retention_notice_mail(cycle_id: int) -> Message | None:
    from surveys.retention import deletion_date

    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.closed_at is None or cycle.deletion_notified_at is None:
        return None
    when = deletion_date(cycle.closed_at, cycle.deletion_notified_at, cycle.owner.organisation.retention_days)
    return _owner_note(cycle_id, "Your feedback round will be deleted in 30 days", [
        f"Your organisation keeps finished feedback rounds for a set time. The round you started on "
        f"{cycle.created_at:%-d %B %Y} will be deleted on {when:%-d %B %Y}, with its report and everything in it.",
        "To keep a copy, sign in and download your information before then: go to Your information."])


@renderer("list_confirmed")
def list_confirmed_mail(cycle_id: int) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    # In the words of the round as the mail goes: open, the confirmation invited them; not yet open, the owner
    # sends the invitations (nothing goes out by itself).
    return _owner_note(cycle_id, "Your list of raters has been confirmed", [
        "Your facilitator has confirmed the people you chose to ask for feedback.",
        "Their invitations are on their way." if cycle.state is CycleState.OPEN
        else "Nothing has been sent to them yet: send the invitations from your round page when you are ready."])


@renderer("list_returned")
def list_returned_mail(cycle_id: int) -> Message | None:
    """The note itself stays on the raters page, as a comment on a summary stays with the summary: a mail cannot
    be deleted once it is sent, and the note is deleted once it no longer serves (surveys/models.ReturnedList)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.returned_list is None:
        return None  # confirmed, closed or deleted while the mail waited
    return _owner_note(cycle_id, "Your facilitator has sent your list of raters back", [
        "Your facilitator has sent your list of raters back to you, with a note that says what to change. The people "
        "it is about have not been invited.",
        "Read the note on the page where you choose your raters, change your list, then ask your facilitator to "
        "confirm it again."], "Read the note and change your list", "surveys.raters", "confirmation")
