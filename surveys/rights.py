"""The owner's rights over their rounds (PRODUCT §7): what the export holds of them, deleting a round or all of an
owner's rounds, and the worker's purge and retention (rules in surveys/retention.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.accounts.rules import ROUND_INTERVAL_MONTHS_RANGE
from app.extensions import db
from app.mail import forget_mails, queue_mail
from app.models import Organisation, User
from app.owner_data import ExportPart, iso
from app.timeutil import today
from app.words import counted
from surveys import hooks, interval_holds, nominations, retention
from surveys.models import Cycle, Invitation, RaterDraft, RaterLink, RaterSession
from surveys.operations import INVITATION_MAIL_KINDS, counts_for_interval

STATE_WORDS = {"draft": "raters not asked yet", "open": "open to raters", "closed": "closed, report being prepared",
               "report_ready": "report ready", "session_held": "session held", "summary_agreed": "summary agreed",
               "evaluated": "finished", "cancelled": "cancelled",
               "no_responses": "closed with no responses, no report"}
CYCLE_MAIL_KINDS = ("round_closed", "report_ready", "retention_notice", "confirmation_requested", "list_confirmed",
                    "list_returned")


USAGE_AFTER_DELETION = ("Your organisation's usage figures will no longer count it, except in quarters already "
                        "published, which keep their counts: numbers only, never your name or anything you wrote.")


def owner_cycles(owner: User) -> list[Cycle]:
    return list(db.session.scalars(sa.select(Cycle).where(Cycle.owner_id == owner.id).order_by(Cycle.created_at)))


def describe(cycle: Cycle) -> str:
    words = "finished without a session" if cycle.finished_early_at else STATE_WORDS[cycle.state.value]
    return f"Round started {cycle.created_at:%-d %B %Y} ({words})"


def what_deleting_removes(cycle: Cycle) -> list[str]:
    """The confirmation's list: everything the round holds goes with it, each package saying what of its own."""
    held = [words for words, present in (("your preparation document", cycle.preparation is not None),
                                         ("your self-assessment", cycle.self_assessment is not None)) if present]
    lines = [" and ".join(held)] if held else []
    if cycle.invitations:
        lines.append(f"the {counted(len(cycle.invitations), 'rater')} you chose, with their names and email addresses")
    if cycle.opened_at is not None:
        lines.append("every answer and comment raters gave, and any unfinished drafts")
    return lines + hooks.what_round_deletion_removes(cycle)


def delete_round(cycle: Cycle) -> None:
    """Delete the round and everything in it, in any state. Answers, reports and what later packages keep go by
    their foreign keys' ON DELETE CASCADE; mail claims about it go too (a leftover claim would stop a new row that
    reuses the id from getting its own mail), each package forgetting its own (surveys.hooks)."""
    hooks.before_round_deletion(cycle)
    _remember_close(cycle)
    for invitation in cycle.invitations:
        forget_mails(INVITATION_MAIL_KINDS, invitation.id)
    forget_mails(CYCLE_MAIL_KINDS, cycle.id)
    db.session.delete(cycle)
    db.session.flush()


def _remember_close(cycle: Cycle) -> None:
    """Keep only when it closed (nothing else of it), so the minimum interval between rounds (PRODUCT §2.1) still
    counts from it: otherwise an owner could download a report, delete the round and start the next at once."""
    owner = cycle.owner
    if counts_for_interval(cycle) and (owner.deleted_round_closed_at is None
                                       or owner.deleted_round_closed_at < cycle.closed_at):
        owner.deleted_round_closed_at = cycle.closed_at


def delete_owner_rounds(owner: User) -> None:
    """The account's deletion: every round goes, and when the last of them closed is kept against the address
    while the minimum interval still runs (surveys/interval_holds.py)."""
    for cycle in owner_cycles(owner):
        delete_round(cycle)
    interval_holds.keep_interval(owner, today())


def what_account_deletion_keeps(owner: User) -> list[str]:
    until = interval_holds.kept_until(owner, today())
    if until is None:
        return []
    return [f"the date your last round closed and a scrambled form of your email address (not the address "
            f"itself), for up to {ROUND_INTERVAL_MONTHS_RANGE[1]} months after that date. A new account for you at "
            f"{owner.organisation.name} cannot start a feedback round before {until:%-d %B %Y}: two reports from "
            "nearly the same people, close together, could be compared to work out what one person said"]


def describe_account_deletion(owner: User) -> list[str]:
    count = len(owner_cycles(owner))
    if not count:
        return []
    return [f"your {count} feedback {'round' if count == 1 else 'rounds'}, with every preparation document, "
            "self-assessment, rater, answer, comment, report, summary and evaluation in them"]


def account_rows(owner: User) -> list[tuple[str, str, str]]:
    return [(describe(c), "Delete this round", url_for("surveys.delete_round", cycle_id=c.id))
            for c in owner_cycles(owner)]


ROUND_FIELDS = {
    "id": "the round's number", "state": "where the round is (draft, open, closed, report_ready, session_held, "
    "summary_agreed, evaluated, cancelled)", "questionnaire_version": "the questionnaire it used",
    "close_on": "its close date", "created_at": "when you started it", "opened_at": "when it opened to raters",
    "closed_at": "when it closed (or was cancelled)", "cancelled_at": "when you cancelled it, if you did",
    "raters": "the people you asked: name, email and group (removed 30 days or so after the round closes; never "
    "whether they answered)",
    "preparation": "your preparation document: texts, ratings (1-5), position, submitted_at",
    "self_assessment": "your own ratings of each statement (1-5), by statement key, and submitted_at",
    "list_sent_back": "where your facilitator sent your list of raters back: their note and when (kept only until "
    "they confirm your list or the round closes)",
}


def _round(cycle: Cycle) -> dict[str, Any]:
    prep, saq = cycle.preparation, cycle.self_assessment
    return {
        "id": cycle.id, "state": cycle.state.value, "questionnaire_version": cycle.questionnaire_version,
        "close_on": cycle.close_on.isoformat(), "created_at": iso(cycle.created_at), "opened_at": iso(cycle.opened_at),
        "closed_at": iso(cycle.closed_at), "cancelled_at": iso(cycle.cancelled_at),
        "raters": [{"name": i.name, "email": i.email, "group": i.category.value}
                   for i in cycle.invitations] if cycle.raters_purged_at is None else
                  [{"group": i.category.value} for i in cycle.invitations],
        "preparation": None if prep is None else {"texts": prep.texts, "ratings": prep.ratings,
                                                  "position": prep.position.value if prep.position else None,
                                                  "submitted_at": iso(prep.submitted_at)},
        "self_assessment": None if saq is None else {"answers": saq.answers, "submitted_at": iso(saq.submitted_at)},
        "list_sent_back": None if cycle.returned_list is None else {
            "note": cycle.returned_list.note, "returned_at": iso(cycle.returned_list.returned_at)},
    }


EXPORT = ExportPart(key="rounds", description="your feedback rounds, oldest first", fields=ROUND_FIELDS,
                    collect=lambda owner: [_round(c) for c in owner_cycles(owner)])


# --- the worker: purge rater details, tell owners, delete after the retention period ------------------------------

def purge_and_retain(now: datetime) -> str:
    """One pass, safe to run twice or at once: purging is idempotent, the notice is claimed once in the outbox, and
    a round already deleted is simply not found."""
    purged = notified = deleted = 0
    rows = db.session.execute(sa.select(Cycle, Organisation).join(User, Cycle.owner_id == User.id)
                              .join(Organisation, User.organisation_id == Organisation.id)
                              .where(Cycle.closed_at.is_not(None)).order_by(Cycle.id)).all()
    for cycle, organisation in rows:
        if retention.raters_due_for_purge(cycle.closed_at, cycle.raters_purged_at, organisation.rater_purge_days,
                                          now):
            purge_raters(cycle, now)
            purged += 1
        step = retention.retention_step(cycle.closed_at, cycle.deletion_notified_at, organisation.retention_days, now)
        if step is retention.RetentionStep.NOTIFY:
            if queue_mail("retention_notice", cycle.id, f"retention_notice:{cycle.id}") is not None:
                notified += 1
            cycle.deletion_notified_at = now
        elif step is retention.RetentionStep.DELETE:
            delete_round(cycle)
            deleted += 1
    ended = interval_holds.forget_passed_holds(now.date())
    return (f"{purged} rounds' raters purged, {notified} owners told of deletion, {deleted} rounds deleted, "
            f"{ended} deleted accounts' intervals ended")


def purge_raters(cycle: Cycle, now: datetime) -> None:
    """Invitations keep only their category (and whether answered, which the counts need): no name or address, and
    no token hash, session or draft is left (those went when the round closed; this makes sure)."""
    invitation_ids = sa.select(Invitation.id).where(Invitation.cycle_id == cycle.id)
    forget_mails(INVITATION_MAIL_KINDS, *db.session.scalars(invitation_ids))
    for model in (RaterDraft, RaterLink, RaterSession):
        db.session.execute(sa.delete(model).where(model.invitation_id.in_(invitation_ids)))
    placeholder = sa.literal("purged:") + sa.cast(Invitation.id, sa.String)
    db.session.execute(sa.update(Invitation).where(Invitation.cycle_id == cycle.id).values(name="", email=placeholder))
    nominations.forget_note(cycle)  # gone at the close already; a note is about named raters, so make sure
    cycle.raters_purged_at = now
    db.session.flush()
