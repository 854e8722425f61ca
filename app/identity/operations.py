"""Steps of single sign-on that touch the database: the account a verified sign-in reaches, and the settings.
Flush, never commit (the view commits once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from app.extensions import db
from app.identity import rules
from app.identity.models import SsoIdentity, SsoSettings
from app.identity.rules import TokenRefused
from app.models import Organisation, Role, User, UserRole


def enabled_settings(org_id: int) -> SsoSettings | None:
    found = db.session.get(SsoSettings, org_id)
    return found if found is not None and found.is_enabled else None


def sign_in_buttons() -> list[tuple[int, str]]:
    """(organisation id, provider name) of every organisation that signs in with its provider, for the sign-in page."""
    return [(row.organisation_id, row.provider_name) for row in db.session.scalars(
        sa.select(SsoSettings).where(SsoSettings.is_enabled).order_by(SsoSettings.provider_name))]


def account_for(org: Organisation, claims: Mapping[str, Any]) -> User | None:
    """The account of `org` these verified claims sign in to, linking it on the first sign-in; None when the
    organisation has not provisioned this person. An identity linked in another organisation never reaches this one."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    linked = db.session.scalar(sa.select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                                            SsoIdentity.subject == subject))
    if linked is not None:
        if linked.user.organisation_id != org.id:
            raise TokenRefused(f"identity {issuer} {subject} belongs to another organisation's account")
        return linked.user
    email = rules.verified_email(claims)
    if not rules.may_link_by_email(email, org.email_domains or []):
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email, User.organisation_id == org.id))
    if user is None:
        return None
    db.session.add(SsoIdentity(user=user, issuer=issuer, subject=subject))
    db.session.flush()
    return user


def people_to_ask(org: Organisation) -> list[str]:
    """The names of the organisation's local leads, who add people to the service."""
    return list(db.session.scalars(
        sa.select(User.name).join(UserRole).where(User.organisation_id == org.id, UserRole.role == Role.LOCAL_LEAD,
                                                  User.is_active_account).order_by(User.name)))


def provider_only(user: User) -> str | None:
    """The name of the provider this person must sign in with, when their organisation has switched password sign-in
    off; None when a password works for them."""
    found = db.session.get(SsoSettings, user.organisation_id)
    if found is None or not found.is_enabled or found.allows_password_sign_in:
        return None
    return found.provider_name


def password_sign_in_allowed(user: User) -> bool:
    return provider_only(user) is None


def private_key_problem(pem: str) -> str | None:
    """Why this text is not a private key usable for private_key_jwt (RSA or EC, PEM); None when it is."""
    for kind in (RSAKey, ECKey):
        try:
            key = kind.import_key(pem)
        except (JoseError, ValueError, TypeError):
            continue
        return None if key.is_private else "Enter the private key, not the public one"
    return "Enter a private key in PEM form (it starts -----BEGIN PRIVATE KEY-----)"
