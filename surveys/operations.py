"""Steps the owner takes that change several rows. They flush, never commit: the view commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.db import read_once
from app.extensions import db
from app.mail import forget_mails, queue_mail
from app.models import Organisation, OrganisationDomain, User
from app.timeutil import utcnow
from app.vacuum import vacuum_after_commit
from surveys import cycle as rules
from surveys import hooks, links, nominations, reminder_claims, reminders, responses
from surveys.cycle import CycleRuleError, CycleState
from surveys.models import (
    Cycle,
    Invitation,
    InvitationStatus,
    OrgStatement,
    PreparationDocument,
    Response,
    SelfAssessment,
)
from surveys.questionnaire_store import chosen_version
from surveys.rater_list import RaterEntry
from surveys.rules import daily_counts, nomination
from surveys.rules.addresses import RaterPolicy, address_problem
from surveys.signals import round_closed

INVITATION_MAIL_KINDS = ("invitation", reminder_claims.MAIL_KIND)  # the mails whose ref_id is an invitation's


def _owner_rounds(owner: User) -> tuple[Cycle, ...]:
    """The owner's rounds, newest first, read once a request (app.db.read_once): the round page asks for its round
    and whether a new one may start, and each asked the database again."""
    return read_once(("owner_rounds", owner.id), lambda: tuple(db.session.scalars(
        _owner_rounds_statement(), {"owner_id": owner.id})))


@cache
def _owner_rounds_statement() -> sa.Select[tuple[Cycle]]:
    # Built once: building it (its loader option above all) cost more than running it.
    # Their owner is `owner`, already loaded: joined again, the owner's roles were read a second time.
    return (sa.select(Cycle).where(Cycle.owner_id == sa.bindparam("owner_id")).options(so.lazyload(Cycle.owner))
            .order_by(Cycle.created_at.desc(), Cycle.id.desc()))


def current_cycle(owner: User) -> Cycle | None:
    """The owner's active round, or else their most recent one."""
    cycles = _owner_rounds(owner)
    active = [c for c in cycles if c.is_active]
    return active[0] if active else (cycles[0] if cycles else None)


def _states(owner: User) -> list[CycleState]:
    """The states of the owner's rounds that could still be active (a round finished early is not)."""
    return [c.state for c in _owner_rounds(owner) if c.finished_early_at is None]


# A round that ended in one of these made no report, so there is nothing to compare a new one with.
_NO_REPORT = (CycleState.CANCELLED, CycleState.NO_RESPONSES)


def counts_for_interval(cycle: Cycle) -> bool:
    """Whether the minimum interval between rounds counts from this round's close: it opened and closed, and was not
    cancelled nor closed with nobody's response."""
    return cycle.opened_at is not None and cycle.closed_at is not None and cycle.state not in _NO_REPORT


def last_closed_on(owner: User) -> date | None:
    """When the owner's latest round that counts for the interval closed, deleted rounds included."""
    kept = max((c.closed_at for c in _owner_rounds(owner) if counts_for_interval(c)), default=None)
    moments = [m for m in (kept, owner.deleted_round_closed_at) if m is not None]
    return max(moments).date() if moments else None


def _check_start(owner: User, today: date) -> None:
    rules.check_can_start(_states(owner))
    rules.check_interval(last_closed_on(owner), owner.organisation.min_round_interval_months, today)


def start_refusal(owner: User, today: date) -> str | None:
    """Why this owner cannot start a round now, or None: shown before they try."""
    return rules.refusal(lambda: _check_start(owner, today))


def start_cycle(owner: User, close_on: date, today: date) -> Cycle:
    _check_start(owner, today)
    rules.check_close_date(close_on, today)
    statements = db.session.scalars(
        sa.select(OrgStatement).where(OrgStatement.organisation_id == owner.organisation_id,
                                      OrgStatement.is_active).order_by(OrgStatement.id)).all()
    org = owner.organisation
    cycle = Cycle(owner=owner, close_on=close_on, state=CycleState.DRAFT,
                  questionnaire_version=chosen_version("questionnaire"),
                  org_statements=[[s.key, s.self_text, s.rater_text] for s in statements],
                  requires_nomination_approval=bool(org.requires_nomination_approval),
                  facilitator_releases_report=bool(org.facilitator_releases_report))
    db.session.add(cycle)
    db.session.flush()
    return cycle


def _require_owner_answers_editable(cycle: Cycle) -> None:
    if not rules.owner_answers_editable(cycle.state):
        raise CycleRuleError("This round has closed, so your answers can no longer be changed.")


def save_preparation(cycle: Cycle, texts: dict[str, str], ratings: dict[str, int],
                     position: str | None, submit: bool) -> PreparationDocument:
    _require_owner_answers_editable(cycle)
    document = cycle.preparation or PreparationDocument(cycle_id=cycle.id)
    if document.submitted_at:
        raise CycleRuleError("You have already submitted your preparation document.")
    document.texts, document.ratings, document.position = texts, ratings, position
    if submit:
        document.submitted_at = utcnow()
    cycle.preparation = document
    db.session.flush()
    return document


def save_self_answers(cycle: Cycle, answers: dict[str, Any]) -> SelfAssessment:
    _require_owner_answers_editable(cycle)
    assessment = cycle.self_assessment or SelfAssessment(cycle_id=cycle.id, answers={})
    if assessment.submitted_at:
        raise CycleRuleError("You have already submitted your self-assessment.")
    assessment.answers = {**(assessment.answers or {}), **answers}
    cycle.self_assessment = assessment
    db.session.flush()
    return assessment


def submit_self_assessment(cycle: Cycle) -> None:
    from surveys.answers import first_incomplete_area

    assessment = save_self_answers(cycle, {})
    if first_incomplete_area(cycle.questionnaire(), assessment.answers) is not None:
        raise CycleRuleError("Answer every statement before you submit your self-assessment.")
    assessment.submitted_at = utcnow()


def invite(invitation: Invitation) -> None:
    invitation.status = InvitationStatus.INVITED
    invitation.invited_at = utcnow()
    queue_mail("invitation", invitation.id, f"invitation:{invitation.id}:v{invitation.link_version}")


def _require_raters_editable(cycle: Cycle) -> None:
    if not rules.raters_editable(cycle.state):
        raise CycleRuleError("Raters can only be changed while the round is being set up or is open.")


def add_raters(cycle: Cycle, entries: list[RaterEntry]) -> list[Invitation]:
    _require_raters_editable(cycle)
    added = []
    for entry in entries:
        invitation = Invitation(cycle=cycle, name=entry.name, email=entry.email, category=entry.category)
        db.session.add(invitation)
        added.append(invitation)
    db.session.flush()
    if cycle.state is CycleState.OPEN:
        for invitation in added:
            if nominations.may_invite_now(invitation):  # else once the facilitator confirms them
                invite(invitation)
    return added


NOT_SET_UP_TO_OPEN = ("Invitations cannot go out yet: your organisation has not listed its email domains, so nobody "
                      "can tell who is a colleague. Ask your organisation's administrator to add them.")


def rater_policy(owner: User) -> RaterPolicy:
    """Whom this owner may invite (PRODUCT §2.4): their organisation's domains, and never themselves. One Core
    statement (the organisation and its domains were two ORM loads), once a request (app.db.read_once)."""
    rows = read_once(("rater_policy", owner.organisation_id), lambda: db.session.execute(
        _policy_statement(), {"organisation_id": owner.organisation_id}).all())
    return RaterPolicy(owner.email, tuple(row.domain for row in rows if row.domain is not None),
                       bool(rows and rows[0].allows_external_raters))


@cache
def _policy_statement() -> sa.Select[Any]:
    """The organisation's rule on external raters with its domains, in order (the tables' columns: no ORM)."""
    organisations, domains = Organisation.__table__.c, OrganisationDomain.__table__.c
    return (sa.select(organisations.allows_external_raters, domains.domain)
            .outerjoin(OrganisationDomain.__table__, domains.organisation_id == organisations.id)
            .where(organisations.id == sa.bindparam("organisation_id")).order_by(domains.position))


def check_changeable(invitation: Invitation) -> None:
    """Refuses a change to, or the removal of, a rater who was invited or whose round no longer takes raters."""
    _require_raters_editable(invitation.cycle)
    if invitation.is_sent:
        # The same words whatever the rater has done since: answered, declined or neither.
        raise CycleRuleError(f"{invitation.name} has been invited, so they can no longer be changed or removed. "
                             "You can withdraw them instead.")


def update_rater(invitation: Invitation, entry: RaterEntry) -> None:
    """Before invitations go out, anyone on the list can be edited (PRODUCT §2.4)."""
    check_changeable(invitation)
    if (invitation.email, invitation.category) != (entry.email, entry.category):
        # A confirmed rater changed is someone the facilitator has not seen: they confirm again.
        invitation.confirmation_requested_at = invitation.confirmed_at = None
    invitation.name, invitation.email, invitation.category = entry.name, entry.email, entry.category
    db.session.flush()


def remove_rater(invitation: Invitation) -> None:
    check_changeable(invitation)
    forget_mails(INVITATION_MAIL_KINDS, invitation.id)
    db.session.delete(invitation)
    db.session.flush()


def check_withdrawable(invitation: Invitation) -> None:
    if invitation.withdrawn_at is not None:
        raise CycleRuleError(f"{invitation.name} has already been withdrawn.")
    if not rules.raters_editable(invitation.cycle.state):
        raise CycleRuleError("People can only be withdrawn while the round is open.")
    if not invitation.is_sent:
        raise CycleRuleError(f"{invitation.name} has not been invited yet, so you can change or remove them "
                             "instead.")


def withdraw_rater(invitation: Invitation, now: datetime) -> None:
    """Once invited, a rater can only be withdrawn (PRODUCT §2.4): every link and session of theirs stops
    working, a draft is deleted, and no reminder follows. The invitation row and its status stay, so neither the
    counts nor any page says whether they had answered; an answer already given stays in the report."""
    check_withdrawable(invitation)
    invitation.withdrawn_at = now
    responses.end_rater_access(invitation)


def _check_open(cycle: Cycle, today: date) -> CycleState:
    state = rules.open_round(cycle.state, len(cycle.invitations), cycle.close_on, today)
    if not rater_policy(cycle.owner).is_set_up:
        raise CycleRuleError(NOT_SET_UP_TO_OPEN)
    refused = nomination.open_refusal(cycle.list_facts())
    if refused:
        raise CycleRuleError(refused)
    _check_list_against_policy(cycle)
    return state


def _check_list_against_policy(cycle: Cycle) -> None:
    """The list was checked as each rater was added, but the organisation may have changed its rules since (stopped
    allowing raters from outside, say): every rater about to be invited is checked again, and all are named."""
    policy = rater_policy(cycle.owner)
    problems = [f"{i.name}: {problem}" for i in cycle.invitations if i.status is InvitationStatus.NOT_SENT
                and (problem := address_problem(i.email, policy)) is not None]
    if problems:
        raise CycleRuleError("Your organisation's rules for raters have changed since you added some of them, so "
                             "these cannot be invited. Change or remove them on your raters page, then send the "
                             "invitations. " + "; ".join(problems) + ".")


def open_round(cycle: Cycle, today: date) -> None:
    cycle.state = _check_open(cycle, today)
    cycle.opened_at = utcnow()
    for invitation in cycle.invitations:
        if invitation.status is InvitationStatus.NOT_SENT:
            invite(invitation)
    db.session.flush()
    update_counts(cycle, cycle.opened_at)  # everyone invited, nobody has answered: nothing to time


def response_count(cycle: Cycle) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Response)
                             .where(Response.cycle_id == cycle.id)) or 0


def close_round_early(cycle: Cycle) -> None:
    """Never refused on a count: with no response the round ends without a report, which the owner learns only
    once it has closed for good (as the report would tell them its counts)."""
    cycle.state = rules.close_early(cycle.state, response_count(cycle))
    _closed(cycle)


def close_round_on_date(cycle: Cycle, today: date) -> None:
    """The clock closes a round whose close date has passed."""
    cycle.state = rules.close_on_date(cycle.state, cycle.close_on, today, response_count(cycle))
    _closed(cycle)


def _end_rater_access(cycle: Cycle) -> None:
    """A round that stops taking responses leaves no working token or session behind. Its counts stay as the last
    daily update took them: a fresh count at the close would let an owner who closes (or cancels) a minute after a
    conversation time that rater's answer or decline (PRODUCT §2.6, §2.7); the report gives the numbers of
    responses anyway. Then every invitation sent says only DONE: a rater still outstanding at the close would
    otherwise stand out."""
    # The statuses first: a rater's save holds their invitation's row, then writes their draft and session
    # (surveys.responses), so taking the invitations before anything else of theirs keeps the two from deadlocking;
    # a save that came first has committed its draft before the drafts are deleted, and one after finds them DONE.
    db.session.flush()
    collapse_statuses([cycle.id])
    links.end_all([i.id for i in cycle.invitations])
    # A reminder goes only to a rater still outstanding, so its row would tell, after the close, who never
    # answered: no outbox row about a named rater outlives the close (PRODUCT §3.3); the purge takes one in flight.
    forget_mails(INVITATION_MAIL_KINDS, *(i.id for i in cycle.invitations), in_flight=False)
    nominations.forget_note(cycle)  # the list can no longer change: a note about what to change serves no more
    responses.delete_drafts(cycle)
    db.session.flush()
    for invitation in cycle.invitations:
        db.session.expire(invitation, ["status"])


def collapse_statuses(cycle_ids: list[int]) -> None:
    """Every sent invitation of these rounds becomes DONE (PRODUCT §3.3: once a round closes, no row says whether a
    named rater responded or declined, nor that they did neither)."""
    db.session.execute(sa.update(Invitation).where(Invitation.cycle_id.in_(cycle_ids),
                                                   Invitation.status != InvitationStatus.NOT_SENT)
                       .values(status=InvitationStatus.DONE).execution_options(synchronize_session=False))


def _closed(cycle: Cycle) -> None:
    _end_rater_access(cycle)
    cycle.closed_at = utcnow()
    queue_mail("round_closed", cycle.id, f"round_closed:{cycle.id}")
    db.session.flush()
    vacuum_after_commit()  # the old versions of its raters' rows would say who answered (app/vacuum.py)
    round_closed.send(cycle)


def round_facts(cycle: Cycle, owner_actions: Iterable[str] = ()) -> rules.RoundFacts:
    """The round's facts with what the packages above know of it: the later steps that are the owner's to do now,
    whether its report waits for a facilitator to release it, and whether anyone is assigned to (asked only then)."""
    held = hooks.report_held(cycle)
    return replace(cycle.facts(), owner_actions=frozenset(owner_actions), report_held=held,
                   awaiting_facilitator=held and not hooks.approvers(cycle))


def _check_finish(cycle: Cycle) -> None:
    rules.finish_without_session(cycle.state, cycle.finished_early_at is not None,
                                 cycle.state is CycleState.REPORT_READY and hooks.report_held(cycle))


def finish_without_session(cycle: Cycle) -> None:
    _check_finish(cycle)
    cycle.finished_early_at = utcnow()
    db.session.flush()


def cancel_round(cycle: Cycle) -> None:
    cycle.state = rules.cancel(cycle.state)
    _end_rater_access(cycle)
    cycle.cancelled_at = utcnow()
    cycle.closed_at = cycle.closed_at or cycle.cancelled_at  # it gathers nothing more: purge and retention count


def action_refusal(cycle: Cycle, action: str, today: date) -> str | None:
    """Why the owner cannot open, close or cancel their round now, or None: the same moves the steps above make,
    tried on the round as it is."""
    moves = {
        "open": lambda: _check_open(cycle, today),
        # No count of any kind: the confirmation must read the same whether anyone has answered or not.
        "close": lambda: rules.close_early(cycle.state, 0),
        "cancel": lambda: rules.cancel(cycle.state),
        "finish": lambda: _check_finish(cycle),
    }
    return rules.refusal(moves[action])


def remind_all_offer(cycle: Cycle, today: date) -> reminders.RemindAllOffer | None:
    # From the daily counts, not live: a live number of people yet to reply would time each answer.
    outstanding = daily_counts.not_replied(daily_counts.from_stored(cycle.counts))
    return reminders.remind_all_offer(cycle.state is CycleState.OPEN, cycle.close_on, cycle.reminded_all_on,
                                      outstanding, today)


def _not_invited_today(cycle: Cycle, today: date) -> int:
    """Invited raters, not withdrawn, whose invitation came before today, whatever they have done since: whether
    "remind all" can reach anyone is judged on this, never on who is still outstanding (which would say, live,
    that the last of them has just answered)."""
    return sum(1 for i in cycle.invitations if i.is_sent and i.withdrawn_at is None
               and i.invited_at is not None and i.invited_at.date() < today)


def remind_all_outstanding(cycle: Cycle, now: datetime) -> int:
    """The owner's "remind all outstanding", at most once a day (PRODUCT §2.5). Returns how many were reminded,
    which the owner is never told: a live number of people yet to reply would time each answer."""
    today = now.date()
    raters = reminder_claims.load(now, cycle_id=cycle.id)
    reachable = [r for r in raters if reminders.may_remind_by_hand(r.facts, r.close_on, now)]
    reminders.check_remind_all(remind_all_offer(cycle, today), _not_invited_today(cycle, today))
    # The day is claimed by a guarded UPDATE, so a double click or two tabs cannot both send.
    claimed = db.session.execute(
        sa.update(Cycle).where(Cycle.id == cycle.id, sa.or_(Cycle.reminded_all_on.is_(None),
                                                            Cycle.reminded_all_on != today))
        .values(reminded_all_on=today)).rowcount
    if claimed != 1:  # sent from another tab a moment ago: refuse with the same words as above
        db.session.refresh(cycle)
        reminders.check_remind_all(remind_all_offer(cycle, today), _not_invited_today(cycle, today))
        raise CycleRuleError("You have already sent a reminder today.")
    kind = reminders.by_hand_kind(today)
    return len(reminder_claims.claim(reachable, [kind] * len(reachable), now))


def update_counts(cycle: Cycle, now: datetime) -> None:
    """Take the owner's completion counts now (at the daily update, at opening and at the end): responses per group
    come from the responses, as no invitation says whether its rater answered or declined."""
    rows = db.session.execute(sa.select(Invitation.category, Invitation.status)
                              .where(Invitation.cycle_id == cycle.id)).all()
    answered = [r.category for r in db.session.scalars(sa.select(Response).where(Response.cycle_id == cycle.id))]
    cycle.counts = daily_counts.to_stored(daily_counts.tally(((c, s.value) for c, s in rows), answered))
    cycle.counts_updated_at = now


def update_due_counts(now: datetime) -> int:
    """The clock's part: every open round whose counts predate today's update time gets new ones."""
    due = db.session.scalars(sa.select(Cycle).where(
        Cycle.state == CycleState.OPEN,
        sa.or_(Cycle.counts_updated_at.is_(None),
               Cycle.counts_updated_at < daily_counts.latest_update_moment(now)))).all()
    for cycle in due:
        update_counts(cycle, now)
    db.session.flush()
    return len(due)


def completion_counts(cycle: Cycle) -> tuple[daily_counts.CategoryCounts, ...]:
    """Per category: invited, responded, declined, as of `cycle.counts_updated_at` (PRODUCT §2.6). Never who."""
    return daily_counts.from_stored(cycle.counts)
