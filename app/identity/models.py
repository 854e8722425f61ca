"""Single sign-on settings per organisation, the provider identities linked to accounts, and SCIM tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.encrypted import EncryptedText
from app.extensions import db
from app.models import Organisation, User
from app.timeutil import utcnow


class SsoSettings(db.Model):
    """An organisation's OpenID Connect provider. One per organisation (its id is the organisation's)."""

    __tablename__ = "sso_settings"

    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    # What the button says: "Sign in with <provider_name>".
    provider_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    # As configured: Entra's multi-tenant issuer ("…/organizations/v2.0") publishes an issuer with "{tenantid}" in it,
    # which each token's own tenant fills (and that tenant must be in `tenant_ids`).
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(200))
    # "client_secret_basic" (Entra) or "private_key_jwt" (NHS CIS2).
    auth_method: so.Mapped[str] = so.mapped_column(sa.String(30), server_default="client_secret_basic")
    # The client secret, or the PEM private key for private_key_jwt: encrypted at rest, bound to this row.
    credential: so.Mapped[str | None] = so.mapped_column(EncryptedText("sso_settings.credential"))
    tenant_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list, server_default="[]")
    acr: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    allows_password_sign_in: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    organisation: so.Mapped[Organisation] = so.relationship()


class SsoIdentity(db.Model):
    """An account's identity at a provider: the issuer that signed the token (per tenant) and its stable subject."""

    __tablename__ = "sso_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    linked_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    user: so.Mapped[User] = so.relationship()


class ScimToken(db.Model):
    """A bearer token an identity provider uses to provision an organisation's people over SCIM. Only its SHA-256
    is kept: the token itself is shown once, to the administrator who made it."""

    __tablename__ = "scim_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                                                       index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column()


class ScimAccount(db.Model):
    """What an identity provider calls an account it provisioned: its userName (often the sign-in name, not the
    email) and its own id for it (externalId), kept so both read back as the provider wrote them."""

    __tablename__ = "scim_accounts"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    user_name: so.Mapped[str] = so.mapped_column(sa.String(320))
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(255))
