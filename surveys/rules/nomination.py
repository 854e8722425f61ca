"""Nomination approval (PRODUCT §2.4): where the organisation requires it, someone other than the owner confirms the
rater list before any invitation goes out, and again for raters added later. The approver is the owner's
facilitator, whom a local lead assigns: the owner cannot choose who vouches for their own list (a sock puppet
could approve sock puppets). Pure functions of plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListFacts:
    requires_approval: bool
    listed: int  # raters on the list, withdrawn ones left out
    awaiting: int  # of them, not yet confirmed
    unrequested: int  # of those awaiting, not yet put to the approver


def may_invite(requires_approval: bool, is_confirmed: bool) -> bool:
    return not requires_approval or is_confirmed


def open_refusal(facts: ListFacts) -> str | None:
    """Why invitations cannot go out yet for approval's sake, or None."""
    if facts.requires_approval and facts.awaiting:
        return ("Your organisation asks your facilitator to confirm your list of raters before any invitation "
                "goes out. Ask them to confirm it from the page where you choose your raters.")
    return None


def may_request(facts: ListFacts, has_approver: bool, local_leads: str = "") -> str | None:
    """Why the owner cannot ask for confirmation now, or None. Without a facilitator, it says whom to ask for one
    (`local_leads`, their names): the owner is never left with nobody named."""
    if not facts.requires_approval:
        return "Your organisation does not ask for your list to be confirmed."
    if not facts.unrequested:
        return "There is nobody on your list waiting to be put to your facilitator."
    if not has_approver:
        who = f"{local_leads}, your organisation's local lead," if local_leads else "your organisation's local lead"
        return (f"Nobody can confirm your list until you have a facilitator: they are the one who confirms it. Ask "
                f"{who} to assign you one. They can see that your list is waiting.")
    return None


def asked_words(asked: int, approver: str, is_open: bool) -> str:
    """What happens next, once the owner has put `asked` raters to their facilitator."""
    people = "1 person" if asked == 1 else f"{asked} people"
    if is_open:
        return f"We have asked {approver} to confirm {people}. Their invitations go out as soon as {approver} does."
    return (f"We have asked {approver} to confirm {people}. We will email you when they have; then send the "
            "invitations from your round page.")


def step_status(facts: ListFacts) -> str | None:
    """The progress indicator's "Have your list confirmed" step, or None where the organisation has no such step:
    "done", "waiting" (asked, not yet confirmed), "to_do" (someone to ask about) or "not_yet" (nobody listed)."""
    if not facts.requires_approval:
        return None
    if not facts.listed:
        return "not_yet"
    if not facts.awaiting:
        return "done"
    return "to_do" if facts.unrequested else "waiting"
