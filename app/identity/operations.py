"""Steps of single sign-on that touch the database: the account a verified sign-in reaches, and the settings.
Flush, never commit (the view commits once)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
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
    """(organisation id, provider name) of every organisation that signs in with its provider, for the sign-in page.
    Those two columns only: loading the rows decrypted every provider's credential on every sign-in page."""
    return [(org_id, name) for org_id, name in db.session.execute(
        sa.select(SsoSettings.organisation_id, SsoSettings.provider_name).where(SsoSettings.is_enabled)
        .order_by(SsoSettings.provider_name))]


# How long a process shows the buttons it read before it reads them again: the longest another process can show a
# button for a provider just switched off (its link refuses already: `enabled_settings`) or miss one just switched on.
BUTTONS_SECONDS = 10.0
_SETTINGS_CHANGED = "open360_sso_settings_changed"


class SignInButtons:
    """The sign-in page's buttons, read once every BUTTONS_SECONDS in each process rather than once a request (the
    read was a fifth of the page, and the page sent no other statement). Nothing secret is kept: an organisation's id
    and its provider's name, which the page shows to anyone. This process forgets them the moment a change to any
    organisation's settings commits (`forget_buttons_after_commit`); other processes within BUTTONS_SECONDS."""

    def __init__(self, read: Callable[[], list[tuple[int, str]]] = sign_in_buttons, seconds: float = BUTTONS_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read, self._seconds, self._clock = read, seconds, clock
        self._found: tuple[float, list[tuple[int, str]]] | None = None
        self._generation = 0  # a read that a change overtook is not kept

    def __call__(self) -> list[tuple[int, str]]:
        now, found = self._clock(), self._found
        if found is not None and now - found[0] < self._seconds:
            return found[1]
        generation = self._generation
        buttons = self._read()
        if generation == self._generation:
            self._found = (now, buttons)
        return buttons

    def forget(self) -> None:
        self._generation += 1
        self._found = None


def _settings_written(_mapper: Any, _connection: Any, target: SsoSettings) -> None:
    session = so.object_session(target)
    if session is not None:
        session.info[_SETTINGS_CHANGED] = True


def _forget_buttons_after_commit(session: so.Session) -> None:
    if session.info.pop(_SETTINGS_CHANGED, False) and has_app_context():
        current_app.extensions["open360_sign_in_buttons"].forget()


def _drop_change(session: so.Session, *_args: Any) -> None:
    session.info.pop(_SETTINGS_CHANGED, None)


def forget_buttons_after_commit() -> None:
    """Any settings row inserted, updated or deleted through the ORM: this process's buttons are read again once the
    change commits (installed once, by `app.identity.init_app`)."""
    if sa.event.contains(SsoSettings, "after_update", _settings_written):
        return
    for name in ("after_insert", "after_update", "after_delete"):
        sa.event.listen(SsoSettings, name, _settings_written)
    sa.event.listen(so.Session, "after_commit", _forget_buttons_after_commit)
    sa.event.listen(so.Session, "after_rollback", _drop_change)


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
