"""Nomination approval, the steps (PRODUCT §2.4; the rules are in surveys/rules/nomination.py): the owner puts the
raters waiting on their list to their facilitator, who confirms them; only then are they invited. They flush, never
commit: the view commits once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.mail import queue_mail
from app.models import Role, User, UserRole
from surveys import cycle as cycle_rules
from surveys.cycle import CycleRuleError, CycleState
from surveys.hooks import approvers
from surveys.models import Cycle, Invitation, ReturnedList
from surveys.rules import nomination


def requires_approval(cycle: Cycle) -> bool:
    """As the organisation's setting was when the round started (a later change is for later rounds)."""
    return cycle.requires_nomination_approval


def may_invite_now(invitation: Invitation) -> bool:
    return nomination.may_invite(requires_approval(invitation.cycle), invitation.confirmed_at is not None)


def request_refusal(cycle: Cycle, facts: nomination.ListFacts | None = None) -> str | None:
    """`facts`: the list's, when the caller has them already (surveys.rater_rows.list_facts)."""
    if not cycle_rules.raters_editable(cycle.state):
        return "Your list can only be confirmed while your round is being set up or is open."
    facts = facts or cycle.list_facts()
    # The local leads are named only where the answer names them: an owner with a facilitator never reads them.
    has_approver = bool(approvers(cycle))
    return nomination.may_request(facts, has_approver, "" if has_approver or not facts.requires_approval
                                  or not facts.unrequested else local_lead_names(cycle.owner))


def local_lead_names(owner: User) -> str:
    """Who, at the owner's organisation, assigns facilitators: named, so an owner without one knows whom to ask."""
    leads = db.session.scalars(sa.select(User.name).join(UserRole).where(
        UserRole.role == Role.LOCAL_LEAD, User.organisation_id == owner.organisation_id, User.is_active_account,
        User.id != owner.id).order_by(User.name)).all()
    return " or ".join(leads)


def approver_name(cycle: Cycle) -> str | None:
    found = approvers(cycle)
    return found[0].name if found else None


def owners_awaiting_approver(organisation_id: int) -> set[int]:
    """Owners at the organisation whose rater list waits for confirmation and who have nobody to confirm it (no
    facilitator yet): the local lead's to sort out."""
    cycles = db.session.scalars(sa.select(Cycle).join(User, User.id == Cycle.owner_id).where(
        User.organisation_id == organisation_id, Cycle.state.in_([CycleState.DRAFT, CycleState.OPEN]))).all()
    return {c.owner_id for c in cycles if requires_approval(c) and _awaiting(c) and not approvers(c)}


def request_confirmation(cycle: Cycle, now: datetime) -> int:
    """Put every rater waiting and not yet asked about to the approver, who is emailed. Returns how many."""
    refused = request_refusal(cycle)
    if refused:
        raise CycleRuleError(refused)
    asked = [i for i in _awaiting(cycle) if i.confirmation_requested_at is None]
    for invitation in asked:
        invitation.confirmation_requested_at = now
    queue_mail("confirmation_requested", cycle.id, f"confirmation_requested:{cycle.id}:{now.isoformat()}")
    db.session.flush()
    return len(asked)


def _awaiting(cycle: Cycle) -> list[Invitation]:
    return [i for i in cycle.invitations if i.withdrawn_at is None and not i.is_sent and i.confirmed_at is None]


def to_confirm(cycle: Cycle) -> list[Invitation]:
    """The raters the approver is asked about now."""
    return [i for i in _awaiting(cycle) if i.confirmation_requested_at is not None]


def is_approver(cycle: Cycle, person: User) -> bool:
    return requires_approval(cycle) and any(a.id == person.id for a in approvers(cycle))


def confirm(cycle: Cycle, approver: User, invitation_ids: Collection[int], now: datetime) -> list[Invitation]:
    """Confirm the raters the approver was shown (a rater added since then waits for its own look). In an open
    round they are invited at once; the owner is emailed."""
    if not is_approver(cycle, approver):
        raise DomainError("Only the owner's facilitator can confirm this list.")
    if not cycle_rules.raters_editable(cycle.state):
        raise CycleRuleError("This round no longer takes new raters.")
    confirmed = [i for i in to_confirm(cycle) if i.id in set(invitation_ids)]
    if not confirmed:
        raise CycleRuleError("There is nobody on this list waiting to be confirmed.")
    for invitation in confirmed:
        invitation.confirmed_at = now
    forget_note(cycle)  # it asked for changes: the list it was about is confirmed now
    queue_mail("list_confirmed", cycle.id, f"list_confirmed:{cycle.id}:{now.isoformat()}")
    db.session.flush()
    if cycle.state is CycleState.OPEN:
        from surveys.operations import invite

        for invitation in confirmed:
            invite(invitation)
    return confirmed


def send_back(cycle: Cycle, approver: User, invitation_ids: Collection[int], note: str, now: datetime) -> int:
    """Send the raters the approver was shown back to the owner with a note saying what to change: they wait,
    unconfirmed and not yet asked about, until the owner asks again. The owner is emailed. Returns how many."""
    if not is_approver(cycle, approver):
        raise DomainError("Only the owner's facilitator can send this list back.")
    if not cycle_rules.raters_editable(cycle.state):
        raise CycleRuleError("This round no longer takes new raters.")
    refused = nomination.answer_refusal(True, note)
    if refused:
        raise DomainError(refused)
    returned = [i for i in to_confirm(cycle) if i.id in set(invitation_ids)]
    if not returned:
        raise CycleRuleError("There is nobody on this list waiting to be confirmed.")
    for invitation in returned:
        invitation.confirmation_requested_at = None
    if cycle.returned_list is None:
        cycle.returned_list = ReturnedList(note=note.strip(), returned_at=now)
    else:
        cycle.returned_list.note, cycle.returned_list.returned_at = note.strip(), now
    queue_mail("list_returned", cycle.id, f"list_returned:{cycle.id}:{now.isoformat()}")
    db.session.flush()
    return len(returned)


def returned_note(cycle: Cycle, facts: nomination.ListFacts | None = None) -> ReturnedList | None:
    """The note the facilitator sent the list back with, while it still serves."""
    note = cycle.returned_list
    return note if note is not None and nomination.note_serves(facts or cycle.list_facts()) else None


def forget_note(cycle: Cycle) -> None:
    """Delete the note: the list was confirmed, or the round takes no more raters (closed, cancelled, purged)."""
    db.session.execute(sa.delete(ReturnedList).where(ReturnedList.cycle_id == cycle.id))
    db.session.expire(cycle, ["returned_list"])


def waiting_for(approver: User) -> list[Cycle]:
    """Rounds whose owners have put raters to this approver who are not yet confirmed."""
    # IN (subquery), not DISTINCT: PostgreSQL cannot compare the JSON columns of a cycle row.
    asked = sa.select(Invitation.cycle_id).where(
        Invitation.withdrawn_at.is_(None), Invitation.confirmation_requested_at.is_not(None),
        Invitation.confirmed_at.is_(None))
    cycles = db.session.scalars(sa.select(Cycle).where(
        Cycle.state.in_([CycleState.DRAFT, CycleState.OPEN]), Cycle.id.in_(asked)).order_by(Cycle.id)).all()
    return [c for c in cycles if to_confirm(c) and is_approver(c, approver)]
