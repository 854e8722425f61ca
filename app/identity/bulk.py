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


def preview(text: str, org: Organisation, actor_roles: frozenset[Role]) -> list[import_rules.Line]:
    return import_rules.check(import_rules.read_lines(text), directory(org, actor_roles))


def add_people(lines: list[import_rules.Line], org: Organisation) -> tuple[int, bool]:
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
            accounts.invite_person(org, line.name, line.email, line.roles)
    db.session.flush()
    return len(good), not by_sso
