"""Raters are real colleagues (PRODUCT §2.4): which addresses reach the same mailbox, and which an owner may invite.

The sock-puppet attack: an owner invites addresses of their own as Peers beside one real peer, answers as them, and
recovers the real peer's answers by subtraction. So the owner's own address is refused in any spelling that reaches
their mailbox, and two spellings of one mailbox count as one rater (a duplicate). Pure functions of strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.rules import address_in_domains, knows_its_colleagues
from app.addresses import mailbox_key

NOT_SET_UP = ("your organisation has not yet listed its email domains, so nobody can be invited – ask your "
              "organisation's administrator to add them")


@dataclass(frozen=True)
class RaterPolicy:
    """What the owner's organisation allows, and whose mailbox is the owner's."""

    owner_email: str | None = None
    domains: tuple[str, ...] = ()
    allows_external: bool = True

    @property
    def is_set_up(self) -> bool:
        """An organisation that lists no domains and has not chosen external raters has said nothing about who its
        colleagues are: nobody can be invited, and no round opens, until its administrator does one or the other."""
        return knows_its_colleagues(self.domains, self.allows_external)

    @property
    def owner_key(self) -> str | None:
        return mailbox_key(self.owner_email) if self.owner_email else None


OWN_RATINGS = "your own ratings are your self-assessment"


def address_problem(email: str, policy: RaterPolicy, own_view: str = OWN_RATINGS) -> str | None:
    """What is wrong with inviting this (valid, normalised) address, or None. Duplicates are the caller's to find,
    by comparing `mailbox_key`s, since only it knows what is already on the list. `own_view` says where the owner's
    own view goes instead: their self-assessment in a round, their goal progress in a check-in."""
    key = mailbox_key(email)
    if policy.owner_key is not None and key == policy.owner_key:
        if email == (policy.owner_email or "").strip().lower():
            return f"you cannot invite yourself – {own_view}"
        return f"{email} reaches your own mailbox – you cannot invite yourself; {own_view}"
    if not policy.is_set_up:
        return NOT_SET_UP
    if not policy.allows_external and not address_in_domains(email, policy.domains):
        return f"{email} is not an address in your organisation – use an address ending " + \
               " or ".join(f"@{d}" for d in policy.domains)
    return None
