"""Bulk import: what the checks need from the database, and adding the good lines. Flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import operations as accounts
from app.accounts.rules import grantable_roles
from app.extensions import db
from app.identity import import_rules
from app.identity.operations import enabled_settings
from app.models import Organisation, Role, User, UserRole


def directory(org: Organisation, actor_roles: frozenset[Role]) -> import_rules.Directory:
    return import_rules.Directory(
        domains=tuple(org.email_domains or ()),
        taken_emails=frozenset(db.session.scalars(sa.select(User.email))),
        members=frozenset(db.session.scalars(sa.select(User.email).where(User.organisation_id == org.id))),
        grantable=grantable_roles(actor_roles))


def preview(text: str, org: Organisation, actor: User) -> list[import_rules.Line]:
    """Every line with its problems: the file's own (import_rules), then what an invitation checks against the
    accounts held (the actor's own mailbox in any spelling, a second account at one mailbox, separation of duties
    across the accounts reaching it), so a line the preview passes is one that can be added."""
    lines = import_rules.check(import_rules.read_lines(text), directory(org, actor.roles))
    for line in lines:
        if not line.problems:
            problem = accounts.invitation_problem(line.email, line.roles, actor)
            if problem is None:
                problem = ("roles", accounts.duties_problem(line.email, line.roles) or "")
            if problem[1]:
                line.problems.append(problem[1])
    return lines


def add_people(lines: list[import_rules.Line], org: Organisation, actor: User) -> tuple[int, bool]:
    """Add every good line's person: with an emailed invitation to choose a password, or, where the organisation
    signs in with its provider, an account that waits for their first sign-in there (linked by their verified
    address). The manager column is checked but not kept: the product has no standing manager relation (an owner
    chooses whom to share with). Returns how many were added, and whether invitations went."""
    by_sso = enabled_settings(org.id) is not None
    good = [line for line in lines if not line.problems]
    for line in good:
        if by_sso:
            db.session.add(User(organisation=org, name=line.name, email=line.email,
                                password_hash=accounts.NO_PASSWORD,
                                role_rows=[UserRole(role=r) for r in sorted(line.roles)]))
        else:
            accounts.invite_person(org, line.name, line.email, line.roles, actor)
    db.session.flush()
    return len(good), not by_sso
