"""What the owner's export holds of the facilitated session (PRODUCT §5-§7), and what goes when a round or an account
is deleted.

The rows themselves go with their round by ON DELETE CASCADE (every table here hangs on `cycles.id`, and the
assignment on the owner's `users.id`); what no foreign key ties to them is the outbox's claims for the mail they
caused, which the steps below forget.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.mail import forget_mails
from app.models import User
from app.owner_data import ExportPart, iso
from facilitator import jobs
from facilitator.models import (
    DocumentRead,
    Evaluation,
    FacilitatorAssignment,
    GoalProgress,
    ReportRelease,
    SessionRecord,
    Summary,
    SummaryShare,
)
from facilitator.rules import EVALUATION_QUESTIONS, GOAL_FIELDS, SUMMARY_TEXTS
from reports.models import ReportRead, ReportShare
from surveys.models import Cycle

# Mail about a round, each claimed with the round's id as its ref (facilitator.operations, facilitator.jobs).
ROUND_MAIL_KINDS = ("report_released", "report_ready_facilitator", "no_responses_facilitator", "summary_proposed",
                    "summary_changes", "summary_agreed", "evaluation_request", jobs.REMINDER_KIND)
# Mail about the owner's assignment, claimed with the owner's id.
OWNER_MAIL_KINDS = ("assigned_owner", "assigned_facilitator", "facilitator_ended_owner")
# Mail to a local lead about owners needing a facilitator, claimed with the lead's id.
PERSON_MAIL_KINDS = ("facilitator_ended_lead",)


def forget_round_mail(cycle: Cycle) -> None:
    forget_mails(ROUND_MAIL_KINDS, cycle.id)
    # Mail about sharing the plan is claimed with the share's id; the shares go by cascade.
    for share_id in db.session.scalars(sa.select(SummaryShare.id).where(SummaryShare.cycle_id == cycle.id)):
        forget_mails(("summary_shared",), share_id)


def forget_owner_mail(owner: User) -> None:
    forget_mails(OWNER_MAIL_KINDS + PERSON_MAIL_KINDS, owner.id)


def _count(column: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count(column)).where(*where)) or 0


def held_by_name(user: User) -> list[tuple[str, int]]:
    """What carries this person's name because of what they did for others (their "Your information" page): only
    counts of their own acts, never what any owner's report or document says. Reads appear in each owner's read
    log, so the owner sees them too."""
    return [
        ("Facilitated sessions you recorded", _count(SessionRecord.cycle_id, SessionRecord.facilitator_id == user.id)),
        ("Versions of conversation summaries you wrote", _count(Summary.id, Summary.facilitator_id == user.id)),
        ("Reports you released to their owners",
         _count(ReportRelease.cycle_id, ReportRelease.released_by_id == user.id)),
        ("Reads of owners' reports (each owner sees them in their read log)",
         _count(ReportRead.id, ReportRead.reader_id == user.id, ReportRead.capacity != "owner")),
        ("Reads of owners' Preparation Documents, summaries and plans (each owner sees them in their read log)",
         _count(DocumentRead.id, DocumentRead.reader_id == user.id, DocumentRead.capacity != "owner")),
        ("Owners assigned to you as their facilitator",
         _count(FacilitatorAssignment.owner_id, FacilitatorAssignment.facilitator_id == user.id)),
        ("Facilitator assignments you made",
         _count(FacilitatorAssignment.owner_id, FacilitatorAssignment.assigned_by_id == user.id)),
        ("Reports shared with you now", _count(ReportShare.id, ReportShare.user_id == user.id,
                                               ReportShare.revoked_at.is_(None))),
        ("Development plans shared with you now", _count(SummaryShare.id, SummaryShare.user_id == user.id,
                                                         SummaryShare.revoked_at.is_(None))),
    ]


def what_round_deletion_removes(cycle: Cycle) -> list[str]:
    """The lines of the round's deletion page for what this package holds of it, only what is there."""
    record = _round(cycle)
    versions = len(record["summaries"])
    return [words for words, present in (
        ("the record of your facilitated session", record["session"] is not None),
        (f"your conversation summary ({versions} {'version' if versions == 1 else 'versions'}) and its goals",
         versions > 0),
        ("the progress you recorded on your goals", bool(record["goal_progress"])),
        ("who you shared your development plan with", bool(record["summary_shared_with"])),
        ("the record of who read your Preparation Document and summary", bool(record["document_reads"])),
        ("your evaluation of the session", record["evaluation"] is not None)) if present]


def what_account_deletion_removes(owner: User) -> list[str]:
    assignment = db.session.get(FacilitatorAssignment, owner.id)
    return [f"that {assignment.facilitator.name} is your facilitator"] if assignment else []


def _name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


def _rows(model: type, cycle_id: int, *order: Any) -> list[Any]:
    return list(db.session.scalars(sa.select(model).where(model.cycle_id == cycle_id).order_by(*order)))


def _summary(summary: Summary) -> dict[str, Any]:
    return {"version": summary.version, "status": summary.status.value,
            **{name: summary.content.get(name, "") for name in SUMMARY_TEXTS},
            "goals": summary.goals, "change_request": summary.change_request,
            "facilitator": _name(summary.facilitator_id), "proposed_at": iso(summary.proposed_at),
            "agreed_at": iso(summary.agreed_at)}


def _round(cycle: Cycle) -> dict[str, Any]:
    session = db.session.get(SessionRecord, cycle.id)
    release = db.session.get(ReportRelease, cycle.id)
    evaluation = db.session.get(Evaluation, cycle.id)
    return {
        "round_id": cycle.id,
        "session": None if session is None else {
            "held_on": session.held_on.isoformat(), "mode": session.mode.value,
            "facilitator": _name(session.facilitator_id), "recorded_at": iso(session.recorded_at)},
        "report_released": None if release is None else {"by": release.released_by_name,
                                                         "released_at": iso(release.released_at)},
        "summaries": [_summary(s) for s in _rows(Summary, cycle.id, Summary.version)],
        "goal_progress": [{"goal_key": p.goal_key, "status": p.status.value, "note": p.note,
                           "completed_on": p.completed_on.isoformat() if p.completed_on else None,
                           "updated_at": iso(p.updated_at)}
                          for p in _rows(GoalProgress, cycle.id, GoalProgress.goal_key)],
        "summary_shared_with": [{"name": s.user.name, "shared_at": iso(s.shared_at), "revoked_at": iso(s.revoked_at)}
                                for s in _rows(SummaryShare, cycle.id, SummaryShare.shared_at, SummaryShare.id)],
        "document_reads": [{"reader": r.reader_name, "as": r.capacity, "document": r.document,
                            "read_at": iso(r.read_at)}
                           for r in _rows(DocumentRead, cycle.id, DocumentRead.read_at, DocumentRead.id)],
        "evaluation": None if evaluation is None else {
            "ratings": evaluation.ratings, "comment": evaluation.comment,
            "facilitator": _name(evaluation.facilitator_id), "submitted_at": iso(evaluation.submitted_at)},
    }


def _has_anything(record: dict[str, Any]) -> bool:
    return any(value for key, value in record.items() if key != "round_id")


def _rounds(owner: User) -> list[dict[str, Any]]:
    cycles = db.session.scalars(sa.select(Cycle).where(Cycle.owner_id == owner.id).order_by(Cycle.created_at,
                                                                                             Cycle.id))
    return [record for cycle in cycles if _has_anything(record := _round(cycle))]


def _assignment(owner: User) -> dict[str, Any] | None:
    assignment = db.session.get(FacilitatorAssignment, owner.id)
    if assignment is None:
        return None
    return {"facilitator": assignment.facilitator.name, "assigned_by": _name(assignment.assigned_by_id),
            "assigned_at": iso(assignment.assigned_at)}


_GOAL_WORDS = ", ".join(f"{key} ({words})" for key, words in GOAL_FIELDS.items())

ASSIGNMENT = ExportPart(
    key="facilitator", description="who facilitates your rounds (empty if nobody has been assigned)",
    fields={"facilitator": "your facilitator's name", "assigned_by": "who assigned them (empty if that account "
            "has gone)", "assigned_at": "when"},
    collect=_assignment)

SESSIONS = ExportPart(
    key="facilitated_sessions", description="what happened after each report, one record per round that has any",
    fields={
        "round_id": "the round (see rounds)",
        "session": "the session your facilitator recorded: held_on (a date), mode (in_person, video or phone), "
                   "facilitator, recorded_at",
        "report_released": "where your organisation has the facilitator read the report first: by whom and "
                           "released_at",
        "summaries": "every version of your conversation summary, oldest first: version, status (proposed, "
                     "changes_requested, agreed, superseded), " + ", ".join(SUMMARY_TEXTS) + ", goals, "
                     "change_request (your comment when you last asked for changes), facilitator, proposed_at, "
                     "agreed_at",
        "summaries.goals": f"each goal: key, term (short or long), {_GOAL_WORDS}, target_on (a date)",
        "goal_progress": "what you recorded for each goal, by goal_key (see summaries.goals): status (not_started, "
                         "on_track, met, exceeded, not_met), note, completed_on, updated_at",
        "summary_shared_with": "people you shared your development plan with: name, shared_at, revoked_at "
                               "(empty while still shared)",
        "document_reads": "every time someone else read your Preparation Document or summary: reader, as "
                          "(facilitator or shared), document (preparation, summary or plan_pdf), read_at",
        "evaluation": "your evaluation of the session: ratings (1-5) by question ("
                      + ", ".join(f"{key}: {words}" for key, words in EVALUATION_QUESTIONS.items())
                      + "), comment, facilitator, submitted_at",
    },
    collect=_rounds)
