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


def may_request(facts: ListFacts, has_approver: bool) -> str | None:
    """Why the owner cannot ask for confirmation now, or None."""
    if not facts.requires_approval:
        return "Your organisation does not ask for your list to be confirmed."
    if not facts.unrequested:
        return "There is nobody on your list waiting to be put to your facilitator."
    if not has_approver:
        return ("You do not have a facilitator yet, and they are the one who confirms your list. Your local lead "
                "or an administrator assigns one.")
    return None


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
