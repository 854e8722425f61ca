"""Nomination approval (PRODUCT §2.4): where the organisation requires it, someone other than the owner confirms the
rater list before any invitation goes out, and again for raters added later. The approver is the owner's
facilitator, whom a local lead assigns: the owner cannot choose who vouches for their own list (a sock puppet
could approve sock puppets). Pure functions of plain values."""

from __future__ import annotations

from dataclasses import dataclass

NOTE_LIMIT = 2000  # characters: a note says what to change, it is not a letter


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


def answer_refusal(send_back: bool, note: str, owner: str = "the owner") -> str | None:
    """Why the facilitator's answer about a list cannot be taken, or None: confirming needs nothing more; sending
    the list back needs a note that says what to change, or the owner would not know what to do."""
    if not send_back:
        return None  # a note typed and then confirmed is not kept: nothing to check
    if not note.strip():
        return f"Say what {owner} should change"
    if len(note) > NOTE_LIMIT:
        return f"Write your note in {NOTE_LIMIT} characters or fewer"
    return None


def note_serves(facts: ListFacts) -> bool:
    """A note sent with a list serves while someone on the list still waits for confirmation: it says what to
    change. Once nobody waits (confirmed, or the people it was about removed), it is kept no longer."""
    return facts.requires_approval and facts.awaiting > 0


def returned_words(returned: int, owner: str) -> str:
    """What the facilitator is told once they have sent a list back: what happens next, and who takes the step."""
    people = "1 person" if returned == 1 else f"{returned} people"
    return (f"You have sent {owner}'s list back, with your note about the {people} you were asked to confirm. We "
            f"have emailed {owner}. Once they have changed it and asked again, it comes back to you here.")


def owner_returned_words(approver: str, unrequested: int) -> str:
    """What the owner reads above the note: who sent the list back, and the step that is theirs to take now."""
    if unrequested:
        return (f"{approver} has sent your list back with a note. Change or remove the people it is about, add "
                f"anyone else you want to ask, then ask {approver} to confirm your list again.")
    return f"{approver} sent your list back with this note. You have asked them to confirm it again."


def confirmed_words(confirmed: int, owner: str, is_open: bool) -> str:
    """What the facilitator is told once they have confirmed: in an open round the confirmation invites them; before
    it opens, the owner still sends the invitations (nothing goes out by itself)."""
    people = "1 person" if confirmed == 1 else f"{confirmed} people"
    then = ("Their invitations are on their way." if is_open
            else f"Nothing has been sent to them yet: {owner} sends the invitations when their round is ready.")
    return f"You have confirmed {people} for {owner}. We have emailed {owner} to say so. {then}"
