"""The facilitated session's steps. They flush, never commit: the view (or job) commits once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.accounts.operations import holds_duties_apart, may_facilitate
from app.addresses import mailbox_key
from app.db import read_once
from app.extensions import db
from app.mail import queue_mail
from app.models import Role, User, UserRole
from app.timeutil import utcnow
from app.words import counted
from facilitator import rules
from facilitator.models import (
    DocumentRead,
    Evaluation,
    FacilitatorAssignment,
    FacilitatorAverages,
    GoalProgress,
    ReportRelease,
    SessionRecord,
    Summary,
    SummaryShare,
)
from facilitator.rules import FacilitationError, GoalStatus, SessionMode, SummaryStatus
from reports import operations as reports
from reports import sharing
from reports.hooks import LogLine
from reports.models import Report
from surveys import cycle as cycle_rules
from surveys import nominations
from surveys import operations as rounds
from surveys.cycle import CycleState
from surveys.models import Cycle


class Problems(FacilitationError):
    """Several reasons at once, each (field, message), to map back onto a form."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][1])
        self.problems = problems


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise Problems(problems)


# --- Assignment -------------------------------------------------------------------------------------------------

def assignment_of(owner_id: int) -> FacilitatorAssignment | None:
    # Once a request: the round page and the raters page each ask two of their parts (none found is asked again).
    # By a statement built once: session.get built its own at each call, which cost more than running it.
    return read_once(("assignment", owner_id),
                     lambda: db.session.scalars(_ASSIGNMENT, {"owner_id": owner_id}).one_or_none())


_ASSIGNMENT = sa.select(FacilitatorAssignment).where(FacilitatorAssignment.owner_id == sa.bindparam("owner_id"))


def facilitator_of(owner_id: int) -> User | None:
    """The owner's facilitator, if that account may facilitate now (app.accounts.operations.may_facilitate): an
    account that also assigns facilitators, itself or through another address of its mailbox, is nobody's."""
    assignment = assignment_of(owner_id)
    return assignment.facilitator if assignment and may_facilitate(assignment.facilitator) else None


def owners_of(facilitator_id: int) -> list[int]:
    """The owners whose reports, Preparation Documents and summaries this facilitator reads: none, whatever was
    assigned, while the account may not facilitate (separation of duties, PRODUCT §1)."""
    facilitator = db.session.get(User, facilitator_id)
    if facilitator is None or not may_facilitate(facilitator):
        return []
    return list(db.session.scalars(sa.select(FacilitatorAssignment.owner_id)
                                   .where(FacilitatorAssignment.facilitator_id == facilitator_id)))


def people_with_role(organisation_id: int, role: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(UserRole).where(
        UserRole.role == role, User.organisation_id == organisation_id, User.is_active_account)
        .order_by(User.name)))


def assign(owner: User, facilitator: User, by: User) -> FacilitatorAssignment:
    if Role.FACILITATOR in facilitator.roles and not holds_duties_apart(facilitator):
        _raise([("facilitator", f"Choose someone else: {facilitator.name} also assigns facilitators, so cannot "
                                "facilitate (ask an administrator to remove one of their roles)")])
    _raise(rules.assignment_problems(
        by_id=by.id, by_roles=by.roles, owner_id=owner.id, owner_roles=owner.roles, facilitator_id=facilitator.id,
        facilitator_roles=facilitator.roles,
        same_organisation=owner.organisation_id == facilitator.organisation_id == by.organisation_id,
        same_mailbox=mailbox_key(owner.email) == mailbox_key(facilitator.email)))
    assignment = assignment_of(owner.id) or FacilitatorAssignment(owner_id=owner.id)
    unchanged = assignment.facilitator_id == facilitator.id
    assignment.facilitator_id, assignment.assigned_by_id, assignment.assigned_at = facilitator.id, by.id, utcnow()
    db.session.add(assignment)
    db.session.flush()
    if not unchanged:
        stamp = assignment.assigned_at.isoformat()
        for kind in ("assigned_owner", "assigned_facilitator"):
            queue_mail(kind, owner.id, f"{kind}:{owner.id}:{facilitator.id}:{stamp}")
    return assignment


def _assignments_of(facilitator: User) -> list[FacilitatorAssignment]:
    return list(db.session.scalars(sa.select(FacilitatorAssignment)
                                   .where(FacilitatorAssignment.facilitator_id == facilitator.id)))


def end_assignments(facilitator: User, now: datetime) -> None:
    """When the facilitator's account is deactivated (app.accounts.operations.end_account), or loses the facilitator
    role: their assignments end, so a reactivation (or the role given back) restores none of them; each owner, and
    the organisation's local leads (or, with none, its administrators), are told by email, once each time."""
    ended = _assignments_of(facilitator)
    if not ended:
        return
    stamp = now.isoformat(timespec="seconds")
    for assignment in ended:
        if assignment.owner.is_active_account:
            queue_mail("facilitator_ended_owner", assignment.owner_id,
                       f"facilitator_ended_owner:{assignment.owner_id}:{facilitator.id}:{stamp}")
        db.session.delete(assignment)
    org_id = facilitator.organisation_id
    for person in people_with_role(org_id, Role.LOCAL_LEAD) or people_with_role(org_id, Role.ADMIN):
        queue_mail("facilitator_ended_lead", person.id, f"facilitator_ended_lead:{person.id}:{facilitator.id}:{stamp}")
    db.session.flush()


def what_ending_assignments_does(facilitator: User) -> list[str]:
    """The confirmation page's words before a deactivation."""
    owners = sum(1 for a in _assignments_of(facilitator) if a.owner.is_active_account)
    if not owners:
        return []
    return [f"{facilitator.name} facilitates {counted(owners, 'owner')}. Their rounds will have no facilitator "
            "until you assign another on the Facilitators page.",
            "We will email each of them, and the organisation's local leads, to say so."]


# --- The portal -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortalRow:
    owner: User
    cycle: Cycle | None
    next_step: str


def latest_cycle(owner: User) -> Cycle | None:
    return rounds.current_cycle(owner)


def portal(facilitator: User) -> list[PortalRow]:
    owners = db.session.scalars(sa.select(User).where(User.id.in_(owners_of(facilitator.id))).order_by(User.name))
    rows = []
    for owner in owners:
        cycle = latest_cycle(owner)
        rows.append(PortalRow(owner, cycle, rules.next_step(owner_facts(cycle))))
    return rows


def owner_facts(cycle: Cycle | None) -> rules.OwnerFacts:
    if cycle is None:
        return rules.OwnerFacts(None)
    latest = latest_summary(cycle)
    return rules.OwnerFacts(cycle.state, cycle.finished_early_at is not None, held_cycle(cycle),
                            latest.status if latest else None, list_step=_list_step(cycle))


def _list_step(cycle: Cycle) -> str | None:
    """Where the rater list stands with this facilitator, where the round asks them to confirm it."""
    if not (nominations.requires_approval(cycle) and cycle_rules.raters_editable(cycle.state)):
        return None
    if nominations.to_confirm(cycle):
        return "to_confirm"
    return "sent_back" if nominations.returned_note(cycle) and cycle.list_facts().unrequested else None


def assigned_cycle(facilitator: User, cycle_id: int) -> Cycle | None:
    """The round, if its owner is assigned to this facilitator (else None: the view answers 404)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.owner_id not in owners_of(facilitator.id):
        return None
    return cycle


def report_of(cycle: Cycle) -> Report | None:
    return reports.report_for(cycle.id)


def report_ready_on(cycle: Cycle) -> date | None:
    """The day the round's report was built: the earliest its session can have been held."""
    report = report_of(cycle)
    return None if report is None else report.built_at.date()


def report_is_ready(cycle: Cycle) -> bool:
    return cycle.state in {CycleState.REPORT_READY, CycleState.SESSION_HELD, CycleState.SUMMARY_AGREED,
                           CycleState.EVALUATED} and report_of(cycle) is not None


# --- Release and reads ------------------------------------------------------------------------------------------

def organisation_releases(cycle: Cycle) -> bool:
    """As the organisation's setting was when the round started (a later change is for later rounds)."""
    return cycle.facilitator_releases_report


def release_of(cycle: Cycle) -> ReportRelease | None:
    return db.session.get(ReportRelease, cycle.id)


def held_cycle(cycle: Cycle) -> bool:
    if not organisation_releases(cycle):
        return False  # nothing is held, so no release to look for (a statement on every owner's round page)
    return rules.held_from_owner(True, release_of(cycle) is not None)


def release(cycle: Cycle, by: User) -> ReportRelease:
    rules.check_release(cycle.state, organisation_releases(cycle), release_of(cycle) is not None)
    record = ReportRelease(cycle_id=cycle.id, released_by_id=by.id, released_by_name=by.name)
    db.session.add(record)
    db.session.flush()
    queue_mail("report_released", cycle.id, f"report_released:{cycle.id}")
    return record


def record_read(cycle: Cycle, reader: User, document: str, capacity: str = "facilitator") -> None:
    db.session.add(DocumentRead(cycle_id=cycle.id, document=document, reader_id=reader.id, reader_name=reader.name,
                                capacity=capacity))


_READ_WORDS = {"preparation": "Read your Preparation Document", "summary": "Read your conversation summary",
               "plan_pdf": "Downloaded your development plan"}


def read_log(cycle_id: int) -> list[LogLine]:
    reads = db.session.scalars(sa.select(DocumentRead).where(DocumentRead.cycle_id == cycle_id)).all()
    lines = [LogLine(r.read_at, r.reader_name + (" (facilitator)" if r.capacity == "facilitator" else ""),
                     _READ_WORDS.get(r.document, r.document)) for r in reads]
    released = db.session.get(ReportRelease, cycle_id)
    if released:
        lines.append(LogLine(released.released_at, f"{released.released_by_name} (facilitator)",
                             "Released your report to you"))
    return sorted(lines, key=lambda line: line.at, reverse=True)


class ReportPeople:
    """What reports asks of this package (reports.hooks.ReportPeople)."""

    def facilitator_of(self, owner_id: int) -> User | None:
        return facilitator_of(owner_id)

    def owners_of(self, facilitator_id: int) -> Collection[int]:
        return owners_of(facilitator_id)

    def held_from_owner(self, report: Report) -> bool:
        return held_cycle(report.cycle)

    def read_log(self, report: Report) -> list[LogLine]:
        return read_log(report.cycle_id)


# --- The session ------------------------------------------------------------------------------------------------

def session_of(cycle: Cycle) -> SessionRecord | None:
    return db.session.get(SessionRecord, cycle.id)


def record_session(cycle: Cycle, held_on: date, mode: SessionMode, by: User, today: date) -> SessionRecord:
    rules.check_record_session(cycle.state, cycle.finished_early_at is not None, held_cycle(cycle), held_on,
                               report_ready_on(cycle) or today, today)
    cycle.state = cycle_rules.record_session(cycle.state)
    record = SessionRecord(cycle_id=cycle.id, held_on=held_on, mode=mode, facilitator_id=by.id)
    db.session.add(record)
    db.session.flush()
    return record


# --- The conversation summary -----------------------------------------------------------------------------------

def summaries(cycle: Cycle) -> list[Summary]:
    """Every version, newest first: each proposal, whatever became of it. Never the facilitator's draft."""
    return list(read_once(("summaries", cycle.id), lambda: tuple(db.session.scalars(
        sa.select(Summary).where(Summary.cycle_id == cycle.id, Summary.status != SummaryStatus.DRAFT)
        .order_by(Summary.version.desc())))))


def draft_of(cycle: Cycle) -> Summary | None:
    """The facilitator's saved draft of the next version, if any: theirs alone until they propose it."""
    return db.session.scalar(sa.select(Summary).where(Summary.cycle_id == cycle.id,
                                                      Summary.status == SummaryStatus.DRAFT))


def _next_version(cycle: Cycle) -> Summary:
    """The draft, to become the next version, or a new row for it."""
    draft = draft_of(cycle)
    if draft is not None:
        return draft
    latest = latest_summary(cycle)
    summary = Summary(cycle_id=cycle.id, version=(latest.version + 1) if latest else 1, content={},
                      status=SummaryStatus.DRAFT)
    db.session.add(summary)
    return summary


def save_draft(cycle: Cycle, texts: Mapping[str, str], goals: list[Mapping[str, Any]], by: User) -> Summary:
    """Keep what the facilitator has written so far, complete or not; the owner is not told and cannot see it."""
    rules.check_propose(cycle.state, latest.status if (latest := latest_summary(cycle)) else None,
                        finished_early=cycle.finished_early_at is not None)
    summary = _next_version(cycle)
    summary.content = {**{name: (texts.get(name) or "").strip() for name in rules.SUMMARY_TEXTS},
                       "goals": [_draft_goal(goal) for goal in goals]}
    summary.facilitator_id, summary.proposed_at = by.id, utcnow()
    db.session.flush()
    return summary


def _draft_goal(goal: Mapping[str, Any]) -> dict[str, Any]:
    """A goal as typed, its date as three boxes when they do not make a date yet."""
    target = goal.get("target_on")
    return {"key": _goal_key(goal.get("key")), "term": goal.get("term") or "short",
            **{part: str(goal.get(part) or "").strip() for part in rules.GOAL_FIELDS},
            "target_on": target.isoformat() if isinstance(target, date) else None,
            "target_parts": [str(p or "") for p in goal.get("target_parts", ("", "", ""))]}


def latest_summary(cycle: Cycle) -> Summary | None:
    found = summaries(cycle)
    return found[0] if found else None


def agreed_summary(cycle: Cycle) -> Summary | None:
    """The version in force: the newest agreed one."""
    return next((s for s in summaries(cycle) if s.status is SummaryStatus.AGREED), None)


def _goal_key(given: object) -> str:
    text = str(given or "")
    return text if re.fullmatch(r"[0-9a-f]{32}", text) else uuid.uuid4().hex


def _clean_goals(goals: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": _goal_key(goal.get("key")), "term": goal["term"],
             **{part: str(goal[part]).strip() for part in rules.GOAL_FIELDS},
             "target_on": goal["target_on"].isoformat()} for goal in goals]


def propose(cycle: Cycle, texts: Mapping[str, str], goals: list[Mapping[str, Any]], by: User, today: date
            ) -> Summary:
    latest = latest_summary(cycle)
    how = rules.check_propose(cycle.state, latest.status if latest else None,
                              finished_early=cycle.finished_early_at is not None)
    _raise(rules.summary_problems(texts, goals, today))
    content = {**{name: (texts.get(name) or "").strip() for name in rules.SUMMARY_TEXTS},
               "goals": _clean_goals(goals)}
    if how == "revise" and latest is not None and latest.status is SummaryStatus.PROPOSED:
        # Revised before the owner answered: the proposal they have not answered is no longer on the table.
        latest.status = SummaryStatus.WITHDRAWN
    summary = _next_version(cycle)  # every proposal a version of its own: the earlier ones stay readable
    summary.content = content
    summary.status, summary.facilitator_id, summary.proposed_at = SummaryStatus.PROPOSED, by.id, utcnow()
    db.session.flush()
    queue_mail("summary_proposed", cycle.id, f"summary_proposed:{summary.id}:{summary.revision}")
    return summary


def answer(summary: Summary, agree: bool, comment: str, now: datetime) -> None:
    """The owner agrees to the proposed summary, or asks for changes."""
    rules.check_owner_answer(summary.status, agree, comment)
    cycle = summary.cycle
    if not agree:
        summary.status, summary.change_request = SummaryStatus.CHANGES_REQUESTED, comment.strip()
        db.session.flush()
        queue_mail("summary_changes", cycle.id, f"summary_changes:{summary.id}:{summary.revision}")
        return
    for earlier in summaries(cycle):
        if earlier.status is SummaryStatus.AGREED:
            earlier.status = SummaryStatus.SUPERSEDED
    summary.status, summary.agreed_at = SummaryStatus.AGREED, now
    if rules.moves_round_to_agreed(cycle.state):
        cycle.state = cycle_rules.agree_summary(cycle.state)
        queue_mail("evaluation_request", cycle.id, f"evaluation:{cycle.id}:ask")
    db.session.flush()
    queue_mail("summary_agreed", cycle.id, f"summary_agreed:{summary.id}")


def first_agreed_at(cycle: Cycle) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.min(Summary.agreed_at)).where(Summary.cycle_id == cycle.id))


# --- The development profile ------------------------------------------------------------------------------------

def agreed_rounds(owner: User) -> list[tuple[Cycle, Summary]]:
    """The owner's agreed summaries across rounds, newest round first."""
    cycles = db.session.scalars(sa.select(Cycle).where(Cycle.owner_id == owner.id)
                                .order_by(Cycle.created_at.desc(), Cycle.id.desc())).all()
    return [(c, s) for c in cycles if (s := agreed_summary(c)) is not None]


def progress_of(cycle: Cycle) -> dict[str, GoalProgress]:
    rows = db.session.scalars(sa.select(GoalProgress).where(GoalProgress.cycle_id == cycle.id)).all()
    return {row.goal_key: row for row in rows}


def record_progress(cycle: Cycle, goal_key: str, status: str, note: str, completed_on: date | None,
                    today: date) -> GoalProgress:
    summary = agreed_summary(cycle)
    if summary is None or goal_key not in {g["key"] for g in summary.goals}:
        raise FacilitationError("That goal is not in an agreed summary.")
    agreed_on = (summary.agreed_at or utcnow()).date()
    _raise(rules.progress_problems(status, note, completed_on, agreed_on, today))
    row = progress_of(cycle).get(goal_key) or GoalProgress(cycle_id=cycle.id, goal_key=goal_key)
    row.status, row.note, row.completed_on, row.updated_at = GoalStatus(status), note.strip() or None, \
        completed_on, utcnow()
    db.session.add(row)
    db.session.flush()
    return row


def summary_shares(cycle: Cycle) -> list[SummaryShare]:
    return list(db.session.scalars(sa.select(SummaryShare).where(SummaryShare.cycle_id == cycle.id,
                                                                 SummaryShare.revoked_at.is_(None))))


SUMMARY_SHARED = "summary_shared"  # the mail to a manager, claimed with the share's id


def _plan_readers(cycle: Cycle) -> sa.Select[tuple[int]]:
    return sa.select(SummaryShare.user_id).where(SummaryShare.cycle_id == cycle.id, SummaryShare.revoked_at.is_(None))


def shareable_manager(owner: User, cycle: Cycle, person_id: str) -> User | None:
    return sharing.pick(owner, _plan_readers(cycle), person_id)


def find_managers(owner: User, cycle: Cycle, query: str) -> list[User]:
    return sharing.find(owner, _plan_readers(cycle), query)


def has_shareable_managers(owner: User, cycle: Cycle) -> bool:
    return sharing.any_left(owner, _plan_readers(cycle))


def share_summary(cycle: Cycle, person: User) -> SummaryShare:
    """The owner shares their development plan (the agreed summary and their progress); the manager is emailed."""
    if agreed_summary(cycle) is None:
        raise FacilitationError("You can share your summary once it is agreed.")
    return sharing.share(SummaryShare, {"cycle_id": cycle.id}, person, SUMMARY_SHARED)


def revoke_summary_share(share: SummaryShare) -> None:
    sharing.revoke(share)
    db.session.flush()


def summary_capacity(user: User, cycle: Cycle) -> str | None:
    """In what capacity this person may read the round's summary: owner, facilitator, shared, or None."""
    if user.id == cycle.owner_id:
        return "owner"
    if cycle.owner_id in owners_of(user.id):
        return "facilitator"
    if any(share.user_id == user.id for share in summary_shares(cycle)) and holds_duties_apart(user):
        return "shared"
    return None


def shared_with(user: User) -> list[SummaryShare]:
    return list(db.session.scalars(sa.select(SummaryShare).where(SummaryShare.user_id == user.id,
                                                                 SummaryShare.revoked_at.is_(None))
                                   .order_by(SummaryShare.shared_at.desc())))


# --- The evaluation ---------------------------------------------------------------------------------------------

def evaluation_of(cycle: Cycle) -> Evaluation | None:
    return db.session.get(Evaluation, cycle.id)


def evaluate(cycle: Cycle, ratings: Mapping[str, int | None], comment: str) -> Evaluation:
    keys = list(rules.EVALUATION_QUESTIONS)
    _raise(rules.check_evaluation(cycle.state, ratings, keys, comment))
    cycle.state = cycle_rules.record_evaluation(cycle.state)
    agreed = agreed_summary(cycle)
    evaluation = Evaluation(cycle_id=cycle.id, ratings={k: int(ratings[k]) for k in keys},  # type: ignore[arg-type]
                            comment=comment.strip() or None,
                            facilitator_id=agreed.facilitator_id if agreed else None)
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def all_evaluations() -> list[Evaluation]:
    return list(db.session.scalars(sa.select(Evaluation).order_by(Evaluation.submitted_at.desc())))


def facilitator_averages(facilitator_id: int) -> tuple[int, dict[str, float] | None]:
    """A facilitator's own averages, as published (`publish_averages` first adds any whole new block of 3)."""
    published = publish_averages(facilitator_id)
    return published.count, rules.averages(published, list(rules.EVALUATION_QUESTIONS))


def publish_averages(facilitator_id: int) -> rules.PublishedAverages:
    """Add the facilitator's unpublished evaluations, earliest first, in whole blocks of 3 (`rules.publish`). The
    evaluations are marked by a guarded UPDATE, so two visits at once cannot both add the same block."""
    row = db.session.get(FacilitatorAverages, facilitator_id)
    published = rules.PublishedAverages(row.count, row.sums) if row else rules.PublishedAverages()
    pending = db.session.execute(sa.select(Evaluation.cycle_id, Evaluation.ratings).where(
        Evaluation.facilitator_id == facilitator_id, Evaluation.is_published.is_(False))
        .order_by(Evaluation.submitted_at, Evaluation.cycle_id)).all()
    keys = list(rules.EVALUATION_QUESTIONS)
    after, taken = rules.publish(published, [ratings for _, ratings in pending], keys)
    if not taken:
        return published
    ids = [cycle_id for cycle_id, _ in pending[:taken]]
    marked = db.session.scalars(sa.update(Evaluation).where(Evaluation.cycle_id.in_(ids),
                                                            Evaluation.is_published.is_(False))
                                .values(is_published=True).returning(Evaluation.cycle_id)
                                .execution_options(synchronize_session=False)).all()
    if len(marked) != taken:  # another visit published some of them a moment ago: undo ours, show what it stored
        db.session.execute(sa.update(Evaluation).where(Evaluation.cycle_id.in_(marked))
                           .values(is_published=False).execution_options(synchronize_session=False))
        db.session.expire_all()
        stored = db.session.get(FacilitatorAverages, facilitator_id)
        return rules.PublishedAverages(stored.count, stored.sums) if stored else published
    if row is None:
        row = FacilitatorAverages(facilitator_id=facilitator_id)
        db.session.add(row)
    row.count, row.sums = after.count, dict(after.sums or {})
    db.session.flush()
    return after
