"""Email addresses as every form takes them: valid, normalised, lower case, so Jo@ and jo@ are one person; and which
spellings reach one mailbox.

Addresses at `.test` are accepted: RFC 6761 reserves that name for testing, mail to it reaches nobody, and every
person in the demo data has one (`@demo.open360.test`), so an owner trying the demo can type one as a rater.
Other special-use names (`.localhost`, `.invalid`, `.local`, `.onion`) stay refused.

Route tricks are refused everywhere (PRODUCT §2.4): `%` and `!` in the local part ask some mail servers to relay to
another host (`jo%evil.example@trust.nhs.uk`), so an address that looks inside a domain can land outside it. Quoted
local parts and IP literals are refused by email_validator's defaults, which are kept.

Only ASCII addresses are taken. A fullwidth or Cyrillic letter that looks like a Latin one makes another mailbox
(`оlivia@` with a Cyrillic о is not `olivia@`), so an owner could otherwise list one colleague twice, or a withdrawn
rater again, under a look-alike spelling. NHS and council mail systems give out ASCII addresses only.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from markupsafe import Markup, escape

ROUTE_CHARACTERS = frozenset("%!")
# Domains whose mail service ignores dots in the local part (j.o.smith@ is jsmith@), and their aliases.
DOT_BLIND_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalised_email(text: str | None) -> str | None:
    try:
        address = validate_email((text or "").strip(), check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        return None
    local = address.rpartition("@")[0]
    if ROUTE_CHARACTERS & set(local) or not address.isascii():
        return None
    return address.lower()


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


def mailbox_domains(address: str) -> tuple[str, ...]:
    """Every domain an address reaching this mailbox can be written with (gmail.com and googlemail.com are one)."""
    domain = mailbox_key(address).rpartition("@")[2]
    aliases = tuple(d for d, canonical in DOT_BLIND_DOMAINS.items() if canonical == domain)
    return aliases or (domain,)


def breakable(address: str) -> Markup:
    """An address for a narrow column: escaped, with a line-break opportunity after its "@" and before each dot, so
    a phone wraps `amy@demo.open360.test` as `amy@` / `demo.open360.test`, never inside a word."""
    parts = [str(escape(part)) for part in re.split(r"(?=\.)|(?<=@)", address)]
    return Markup("<wbr>".join(parts))
