"""Raters are real colleagues (PRODUCT §2.4): which addresses reach the same mailbox, and which an owner may invite.

The sock-puppet attack: an owner invites addresses of their own as Peers beside one real peer, answers as them, and
recovers the real peer's answers by subtraction. So the owner's own address is refused in any spelling that reaches
their mailbox, and two spellings of one mailbox count as one rater (a duplicate). Pure functions of strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.rules import address_in_domains

# Domains whose mail service ignores dots in the local part (j.o.smith@ is jsmith@), and their aliases.
DOT_BLIND_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(address: str) -> str:
    """One spelling for every address that reaches the same mailbox: lower case (mail systems match local parts
    without regard to case in practice), without a `+tag` (sub-addressing, which Exchange, NHSmail, Gmail and
    most others deliver to the base mailbox), and without dots where the domain ignores them."""
    local, _, domain = address.strip().lower().rpartition("@")
    if not local:
        return address.strip().lower()
    local = local.split("+", 1)[0] or local
    domain = domain.rstrip(".")
    if domain in DOT_BLIND_DOMAINS:
        domain = DOT_BLIND_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


@dataclass(frozen=True)
class RaterPolicy:
    """What the owner's organisation allows, and whose mailbox is the owner's."""

    owner_email: str | None = None
    domains: tuple[str, ...] = ()  # none listed: any address (an organisation not yet set up)
    allows_external: bool = True

    @property
    def owner_key(self) -> str | None:
        return mailbox_key(self.owner_email) if self.owner_email else None


def address_problem(email: str, policy: RaterPolicy) -> str | None:
    """What is wrong with inviting this (valid, normalised) address, or None. Duplicates are the caller's to find,
    by comparing `mailbox_key`s, since only it knows what is already on the list."""
    key = mailbox_key(email)
    if policy.owner_key is not None and key == policy.owner_key:
        if email == (policy.owner_email or "").strip().lower():
            return "you cannot invite yourself – your own ratings are your self-assessment"
        return f"{email} reaches your own mailbox – you cannot invite yourself; your own ratings are your " \
               "self-assessment"
    if not policy.allows_external and not address_in_domains(email, policy.domains):
        return f"{email} is not an address in your organisation – use an address ending " + \
               " or ".join(f"@{d}" for d in policy.domains)
    return None
