"""The rules about accounts, as pure functions: passwords, one-time links, who may grant which role, and the
email domains an organisation lists. No database, no request, no clock (callers pass `now`, naive UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.errors import DomainError
from app.models import Role, normalised_domain

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200  # Argon2 takes any length; a cap keeps one request from costing seconds
# zxcvbn's 0–4 score; 3 is "safely unguessable: moderate protection from an offline attack" (about 10^8 guesses).
MIN_PASSWORD_SCORE = 3
# The 30 000 most common passwords from leaked sets, as the zxcvbn project keeps them (not a hand-typed list).
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])

INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
# One reset email per account in this window, however often it is asked for: a flood of requests for someone
# else's address cannot fill their inbox.
RESET_WINDOW = timedelta(minutes=15)


class AccountRuleError(DomainError):
    pass


class Purpose:
    INVITE = "invite"
    RESET = "reset"


def lifetime(purpose: str) -> timedelta:
    return INVITATION_LIFETIME if purpose == Purpose.INVITE else RESET_LIFETIME


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why this password will not do, in words for the person choosing it; None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Your password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    # The list holds passwords as people type them: lower case, and often with digits or symbols added at the end.
    bare = re.sub(r"[\d\W_]+$", "", password.lower())
    if password.lower() in COMMON_PASSWORDS or (len(bare) >= 4 and bare in COMMON_PASSWORDS):
        return "That password is one of the most commonly used, so it is easy to guess. Choose another"
    if _is_own_address(password, personal):
        return "Your password cannot be your email address, or the part of it before the @. Choose another"
    words = [w for text in personal for w in re.split(r"[\W_]+", text.lower()) if len(w) >= 3]
    if _only_words(re.sub(r"[^a-z]", "", password.lower()), words) or \
            zxcvbn(password, user_inputs=words)["score"] < MIN_PASSWORD_SCORE:
        return ("That password would be easy to guess. Use three or four random words, or a longer mix, "
                "and avoid your name or email address")
    return None


def _is_own_address(password: str, personal: Iterable[str]) -> bool:
    """Whether the password is the person's own email address, or its part before the @, in any case and with
    spaces around (zxcvbn scores "zara.new@demo.open360.test" as strong: it does not know it is the address)."""
    typed = password.strip().lower()
    for text in personal:
        address = text.strip().lower()
        local, at, _ = address.rpartition("@")
        if at and typed in {address, local, local.split("+")[0]}:
            return True
    return False


def _only_words(letters: str, words: list[str]) -> bool:
    """Whether the letters are nothing but the person's own name and address parts run together (zxcvbn scores
    "olivia.okafor1" as strong)."""
    if not letters or not words:
        return False
    ends = {0}
    for i in range(1, len(letters) + 1):
        if any(i - len(w) in ends and letters[i - len(w):i] == w for w in words):
            ends.add(i)
    return len(letters) in ends


@dataclass(frozen=True)
class LinkFacts:
    purpose: str
    created_at: datetime
    used_at: datetime | None
    is_account_active: bool


def link_is_usable(link: LinkFacts, now: datetime) -> bool:
    """Single use, expiring, and never for a deactivated account."""
    return (link.used_at is None and link.is_account_active
            and link.created_at <= now < link.created_at + lifetime(link.purpose))


def reset_window(now: datetime) -> int:
    """The number of the RESET_WINDOW this moment falls in: one reset email per account per window."""
    return int(now.timestamp() // RESET_WINDOW.total_seconds())


def grantable_roles(actor_roles: frozenset[Role]) -> frozenset[Role]:
    """Administrators grant any role; local leads manage their organisation's facilitators and invite owners."""
    if Role.ADMIN in actor_roles:
        return frozenset(Role)
    if Role.LOCAL_LEAD in actor_roles:
        return frozenset({Role.OWNER, Role.FACILITATOR})
    return frozenset()


def may_manage_organisation(actor_roles: frozenset[Role], actor_org_id: int, org_id: int) -> bool:
    return Role.ADMIN in actor_roles or (Role.LOCAL_LEAD in actor_roles and actor_org_id == org_id)


# Separation of duties (PRODUCT §1): whoever can assign facilitators cannot also facilitate in that organisation, nor
# be a manager an owner shares with: a local lead or administrator must never read a report, a summary or a plan.
ASSIGNING_ROLES = frozenset({Role.LOCAL_LEAD, Role.ADMIN})
READING_ROLES = {Role.FACILITATOR: "they assign facilitators, so they could read any owner's report. Ask another "
                                   "person to facilitate",
                 Role.MANAGER: "a manager reads what owners share with them, and a local lead or administrator must "
                               "never read a report, summary or plan. Give the manager role to another account"}


def roles_conflict(roles: frozenset[Role]) -> str | None:
    """Why one person holding these roles (in one account, or across accounts reaching one mailbox) would break
    separation of duties, in plain English; None when they may hold them together. A local lead or administrator
    assigns facilitators, so if they could facilitate they could assign themselves any owner's report; and if they
    were a manager, an owner could share a report with them."""
    holding = roles & ASSIGNING_ROLES
    if not holding:
        return None
    names = " or ".join(sorted(r.label.lower() for r in holding))
    for role, why in READING_ROLES.items():
        if role in roles:
            return f"{'An' if names[0] in 'aeiou' else 'A'} {names} cannot also be a {role.label.lower()}: {why}"
    return None


def mailbox_roles_conflict(roles: frozenset[Role], others: Iterable[frozenset[Role]]) -> str | None:
    """`roles_conflict` over every account one person controls: `roles` for the account being made or changed, and
    `others` for the other accounts whose address reaches the same mailbox (lucy+fac@ is lucy@)."""
    held = frozenset(roles).union(*others)
    problem = roles_conflict(held)
    if problem and not roles_conflict(frozenset(roles)):
        return problem + " (an account with an address reaching the same mailbox already holds the other role)"
    return problem


def new_roles(current: frozenset[Role], wanted: frozenset[Role], grantable: frozenset[Role], *,
              is_self: bool) -> frozenset[Role]:
    """The roles a person ends with when someone who may grant `grantable` asks for `wanted`: roles outside
    `grantable` stay as they are. Refuses an empty set, and an administrator taking their own role away (someone
    must always be able to manage the service)."""
    result = (current - grantable) | (wanted & grantable)
    if not result:
        raise AccountRuleError("A person needs at least one role. To stop someone signing in, deactivate the "
                               "account instead.")
    if is_self and Role.ADMIN in current and Role.ADMIN not in result:
        raise AccountRuleError("You cannot remove your own administrator role. Ask another administrator.")
    problem = roles_conflict(result)
    if problem:
        raise AccountRuleError(problem + ".")
    return result


def may_deactivate(actor_roles: frozenset[Role], target_roles: frozenset[Role]) -> bool:
    """Administrators deactivate anyone; a local lead deactivates only people whose every role she could have
    given (owners and facilitators), never another local lead, a manager or an administrator."""
    return Role.ADMIN in actor_roles or (Role.LOCAL_LEAD in actor_roles
                                         and target_roles <= grantable_roles(frozenset({Role.LOCAL_LEAD})))


def check_deactivate(is_self: bool) -> None:
    if is_self:
        raise AccountRuleError("You cannot deactivate your own account. Ask another administrator.")


_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def parse_domains(text: str) -> tuple[list[str], list[str]]:
    """An organisation's email domains typed one a line (or separated by commas or spaces): the domains, lower case,
    in order without repeats, and the entries that are not domains. A leading `@` is forgiven.

    An entry is a line (or what a comma or semicolon separates); spaces separate domains only when every word of it
    is one, so a refused entry is quoted as it was typed ("not a domain!"), not as its first word ("not")."""
    domains: list[str] = []
    bad: list[str] = []
    for entry in (e.strip() for e in re.split(r"[\r\n,;]+", text)):
        words = [normalised_domain(word) for word in entry.split()]
        if not all(_is_domain(word) for word in words):
            bad.append(entry)
            continue
        domains += [word for word in words if word not in domains]
    return domains, bad


def _is_domain(text: str) -> bool:
    return bool(_DOMAIN.match(text)) and not text.rsplit(".", 1)[-1].isdigit()


def domain_clash(domains: Iterable[str], others: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """Why these domains cannot be this organisation's, or None: one of them (or a part of one, since a domain covers
    its subdomains) is already another organisation's, and an address must say which organisation its person is in.
    `others`: (name, domains) of every other organisation."""
    def overlap(a: str, b: str) -> bool:
        return a == b or a.endswith("." + b) or b.endswith("." + a)

    for name, held in others:
        for domain in domains:
            for theirs in held or ():
                if overlap(domain, theirs):
                    same = "" if domain == theirs else f" ({theirs} covers it)" if domain.endswith(theirs) \
                        else f" (it covers {theirs})"
                    return (f"{domain} is already an email domain of {name}{same}. An email domain can belong to "
                            "one organisation only")
    return None


def address_in_domains(email: str, domains: Iterable[str]) -> bool:
    """Whether an address belongs to one of the domains exactly: a subdomain is not its parent domain
    (`x@mail.nhs.net` is not at `nhs.net`: whoever runs a subdomain may not be the organisation). No domains, no
    address (PRODUCT §2.4: raters are real colleagues by default)."""
    host = email.rpartition("@")[2].lower().rstrip(".")
    return host in {d.lower() for d in domains}


def knows_its_colleagues(domains: Iterable[str], allows_external: bool) -> bool:
    """Whether an organisation has said who its raters may be: it lists its email domains, or it has chosen to allow
    raters from outside. Until it does one or the other nobody can be invited and no round opens (PRODUCT §2.4):
    the default is closed, not open to any address."""
    return bool(list(domains)) or allows_external


NOT_SET_UP = ("Owners at {name} cannot invite raters or open feedback rounds until the organisation lists its email "
              "domains or allows raters from outside them")

MAX_DOMAINS = 50
PURGE_DAYS_RANGE = (1, 365)  # rater names and addresses, and link hashes, after a round closes
RETENTION_DAYS_RANGE = (30, 3650)  # finished rounds
# Between one round's close and the owner's next start (PRODUCT §2.1): below 3 months two reports would share
# almost every rater, and subtracting them gives one rater's answers away.
ROUND_INTERVAL_MONTHS_RANGE = (3, 24)
