"""Steps that change accounts: flush, never commit (the view commits once)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from app.accounts import rules
from app.accounts.models import AccountLink
from app.accounts.rules import AccountRuleError, Purpose
from app.addresses import DOT_BLIND_DOMAINS, mailbox_domains, mailbox_key
from app.extensions import db
from app.mail import forget_mails, queue_mail
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password

NO_PASSWORD = ""  # not an Argon2 hash, so no password matches it: the account waits for its invitation link


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_set_password(user: User) -> bool:
    return user.password_hash != NO_PASSWORD


def accounts_at_mailbox(email: str) -> list[User]:
    """Every account, active or not, whose address reaches the same mailbox as `email` (app.addresses.mailbox_key):
    the accounts one person controls. Addresses are stored normalised (lower case), so the base local part, with or
    without a `+tag`, finds them; a dot-blind domain is read whole and compared key by key."""
    key = mailbox_key(email)
    base, _, domain = key.rpartition("@")
    if domain in DOT_BLIND_DOMAINS.values():
        where = sa.or_(*(User.email.like(f"%@{_escaped(d)}", escape="\\") for d in mailbox_domains(email)))
    else:
        where = sa.or_(User.email == key, User.email.like(f"{_escaped(base)}+%@{_escaped(domain)}", escape="\\"))
    return [u for u in db.session.scalars(sa.select(User).where(where)) if mailbox_key(u.email) == key]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def duties_problem(email: str, roles: frozenset[Role], account_id: int | None = None) -> str | None:
    """Why giving these roles to the account at `email` would let one person both assign and facilitate, across
    every active account reaching that mailbox (rules.mailbox_roles_conflict); None when it would not. A deactivated
    account cannot sign in, so it counts again only if reactivated, which asks this first."""
    others = [u.roles for u in accounts_at_mailbox(email) if u.id != account_id and u.is_active_account]
    return rules.mailbox_roles_conflict(roles, others)


def holds_duties_apart(user: User) -> bool:
    """Whether neither this account nor any other reaching its mailbox holds a role that would break separation of
    duties beside its own (an account that broke the rule before the rule existed reads nothing)."""
    return duties_problem(user.email, user.roles, user.id) is None


def may_facilitate(user: User) -> bool:
    """Whether this account may act as a facilitator now: it holds the role, and neither it nor any other account
    reaching its mailbox holds a role that assigns facilitators. Checked on every read a facilitator makes, so an
    account that broke the rule before the rule existed reads nothing (nothing is deleted: an administrator removes
    one of the roles). A deactivated account facilitates nobody, even where an assignment of its outlived it."""
    return user.is_active_account and Role.FACILITATOR in user.roles and holds_duties_apart(user)


class InvitationRefused(AccountRuleError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field  # the form field the message belongs beside


def invitation_problem(email: str, roles: frozenset[Role], inviter: User | None) -> tuple[str, str] | None:
    """Why this invitation may not go out, as (field, message), or None. Nobody invites a mailbox of their own in
    any spelling, and nobody gets a second account (lucy+fac@ beside lucy@): one person, one account, so the roles
    they hold together can be checked for separation of duties."""
    if not roles:
        return "roles", "Choose at least one role"
    if inviter is not None and mailbox_key(email) == mailbox_key(inviter.email):
        return "email", f"{email} reaches your own mailbox. You cannot invite yourself"
    existing = accounts_at_mailbox(email)
    if existing:
        same = existing[0].email == email
        return "email", "There is already an account with this email address" + \
            ("" if same else f" ({existing[0].email} reaches the same mailbox)")
    problem = rules.roles_conflict(roles)
    return ("roles", problem) if problem else None


def invite_person(org: Organisation, name: str, email: str, roles: frozenset[Role], inviter: User | None) -> User:
    """A new account with no password, and an email with a one-time link to set one. `email` is normalised and
    checked by the form (format, inside the organisation's domains); `inviter` is None only for the command line."""
    problem = invitation_problem(email, roles, inviter)
    if problem:
        raise InvitationRefused(*problem)
    user = User(organisation=org, name=name, email=email, password_hash=NO_PASSWORD,
                role_rows=[UserRole(role=r) for r in sorted(roles)])
    db.session.add(user)
    db.session.flush()
    _send_link(user, Purpose.INVITE)
    return user


def invite_again(user: User, now: datetime) -> None:
    """A fresh invitation link (the old ones stop working), for someone who has not yet set a password."""
    if has_set_password(user):
        raise AccountRuleError(f"{user.name} has already set a password. They can reset it from the sign-in page.")
    if not user.is_active_account:
        raise AccountRuleError("This account is deactivated. Reactivate it first.")
    _retire_links(user, now)
    _send_link(user, Purpose.INVITE)


def request_reset(email: str, now: datetime) -> None:
    """Email a reset link if an active account has this address; otherwise do nothing. Either way the person asking
    is told the same, so the page says nothing about who has an account. At most one email per account per
    window (rules.RESET_WINDOW)."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active_account:
        return
    link = AccountLink(user=user, purpose=Purpose.RESET, created_at=now)
    db.session.add(link)
    db.session.flush()
    if queue_mail("password_reset", link.id, f"password-reset:{user.id}:{rules.reset_window(now)}") is None:
        db.session.delete(link)  # this window's email has gone already
        db.session.flush()


def usable_link(token: str, now: datetime) -> AccountLink | None:
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == token_hash(token)))
    return link if link is not None and rules.link_is_usable(link.facts(), now) else None


def link_by_id(link_id: int | None, now: datetime) -> AccountLink | None:
    link = db.session.get(AccountLink, link_id) if link_id else None
    return link if link is not None and rules.link_is_usable(link.facts(), now) else None


def set_password(link: AccountLink, password: str, now: datetime) -> User:
    """Use the link (once), set the password, and stop every other link of this person working."""
    user = link.user
    problem = rules.password_problem(password, [user.name, user.email])
    if problem:
        raise AccountRuleError(problem)
    user.password_hash = hash_password(password)
    user.end_sessions()  # a session someone else opened with the old password ends
    _retire_links(user, now)
    return user


def change_roles(user: User, wanted: frozenset[Role], actor: User, now: datetime) -> None:
    """A role taken away ends what it did for others, as a deactivation does (a facilitator's owners are told)."""
    result = rules.new_roles(user.roles, wanted, rules.grantable_roles(actor.roles), is_self=user.id == actor.id)
    problem = duties_problem(user.email, result, user.id)
    if problem:
        raise AccountRuleError(problem + ".")
    for role in user.roles - result:
        for step in _role_removal_steps.get(role, []):
            step(user, now)
    for row in list(user.role_rows):
        if row.role not in result:
            user.role_rows.remove(row)
    for role in sorted(result - user.roles):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()


DeactivationStep = Callable[[User, datetime], None]
DescribeDeactivation = Callable[[User], list[str]]
_deactivation_steps: list[DeactivationStep] = []
_deactivation_describers: list[DescribeDeactivation] = []


def on_deactivation(step: DeactivationStep, describe: DescribeDeactivation | None = None) -> None:
    """`step` ends what a package lets the account do for others (a facilitator's assignments); it flushes, and
    queues any mail in the same transaction. `describe` gives the lines of the confirmation page that say so."""
    if step not in _deactivation_steps:
        _deactivation_steps.append(step)
    if describe is not None and describe not in _deactivation_describers:
        _deactivation_describers.append(describe)


_role_removal_steps: dict[Role, list[DeactivationStep]] = {}


def on_role_removal(role: Role, step: DeactivationStep) -> None:
    """`step` runs when `role` is taken from an account that keeps signing in (deactivation runs its own steps)."""
    steps = _role_removal_steps.setdefault(role, [])
    if step not in steps:
        steps.append(step)


def what_deactivation_does(user: User) -> list[str]:
    return [line for describe in _deactivation_describers for line in describe(user)]


def deactivate(user: User, actor: User, now: datetime) -> None:
    """A person on the people pages deactivates an account (confirmed first: what_deactivation_does)."""
    rules.check_deactivate(user.id == actor.id)
    if not rules.may_deactivate(actor.roles, user.roles):
        raise AccountRuleError(f"Only an administrator can deactivate {user.name}'s account.")
    end_account(user, now)


def end_account(user: User, now: datetime) -> None:
    """Every deactivation goes through here (the people pages and SCIM alike): the person can no longer sign in,
    every session of theirs ends at once, their links stop working, and each package's step runs (a facilitator's
    owners are told they have no facilitator). Nothing of theirs is deleted. An inactive account is left alone, so
    a repeated deprovisioning tells nobody twice."""
    if not user.is_active_account:
        return
    user.is_active_account = False
    user.end_sessions()
    _retire_links(user, now)
    for step in _deactivation_steps:
        step(user, now)
    db.session.flush()


def account_managers(user: User) -> list[User]:
    """The active people, other than the person, who may deactivate this account: the local leads of their
    organisation where every role of theirs is one a local lead gives, then administrators."""
    # Local leads of this organisation only, in the statement: a national service has thousands of them.
    found = db.session.scalars(sa.select(User).join(UserRole).where(
        User.is_active_account, User.id != user.id,
        sa.or_(UserRole.role == Role.ADMIN,
               sa.and_(UserRole.role == Role.LOCAL_LEAD, User.organisation_id == user.organisation_id)))
        .order_by(User.name)).unique().all()
    leads = [u for u in found if Role.LOCAL_LEAD in u.roles and u.organisation_id == user.organisation_id
             and rules.may_deactivate(u.roles, user.roles)]
    admins = [u for u in found if Role.ADMIN in u.roles and u not in leads]
    return leads + admins


def whom_to_ask(user: User) -> str:
    """Whom this person asks about their account (a role, closing it), by name: "your local lead (Lucy Lee) or an
    administrator"."""
    people = account_managers(user)
    leads = [u.name for u in people if Role.LOCAL_LEAD in u.roles]
    admins = [u.name for u in people if Role.LOCAL_LEAD not in u.roles]
    parts = []
    if leads:
        parts.append(f"your local lead{'' if len(leads) == 1 else 's'} ({_names(leads)})")
    if admins:
        some = "another administrator" if Role.ADMIN in user.roles else "an administrator"
        parts.append(f"{some} ({_names(admins)})" if not leads else some)
    if parts:
        return " or ".join(parts)
    return "another administrator (there is none yet)" if Role.ADMIN in user.roles else "an administrator"


def _names(names: list[str]) -> str:
    shown = names[:3] + (["another"] if len(names) > 3 else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def reactivate(user: User) -> None:
    problem = duties_problem(user.email, user.roles, user.id)
    if problem:
        raise AccountRuleError(problem + ". Remove one of the roles first.")
    user.is_active_account = True


def forget_link_mail(user: User) -> None:
    """Before the account is deleted: its links go by cascade, the outbox's claims for their mail here."""
    for link_id in list(db.session.scalars(sa.select(AccountLink.id).where(AccountLink.user_id == user.id))):
        forget_mails(("account_invite", "password_reset"), link_id)


def _send_link(user: User, purpose: str) -> None:
    link = AccountLink(user=user, purpose=purpose)
    db.session.add(link)
    db.session.flush()
    kind = "account_invite" if purpose == Purpose.INVITE else "password_reset"
    queue_mail(kind, link.id, f"account-link:{link.id}")


def _retire_links(user: User, now: datetime) -> None:
    db.session.execute(sa.update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
                       .values(used_at=now))
