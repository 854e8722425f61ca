"""SCIM 2.0 provisioning of an organisation's people (Users only; roles are not mapped to Groups), served by
scim2-server's protocol handler over a storage of our accounts. A leaver's `active: false` deactivates the account
and ends every session at once; DELETE does the same (nothing of theirs is deleted, as in the people pages)."""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask import g
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ETag,
    Filter,
    InvalidValueException,
    Meta,
    NotFoundException,
    Patch,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    UniquenessException,
)
from scim2_models import Email as ScimEmail
from scim2_models import ResourceType as ScimResourceType
from scim2_models import User as ScimUser
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import load_default_resource_types, load_default_schemas

from app.accounts import operations as accounts
from app.accounts.rules import AccountRuleError, address_in_domains
from app.addresses import normalised_email
from app.extensions import db
from app.identity.models import ScimAccount
from app.models import Organisation, Role, User, UserRole
from app.timeutil import utcnow

MAX_RESULTS = 200
KEPT_ATTRIBUTES = ("userName", "displayName", "active", "emails")


def _version(user: User) -> str:
    seen = f"{user.name}|{user.email}|{user.is_active_account}".encode()
    return f'W/"{hashlib.sha256(seen).hexdigest()[:16]}"'


def _account(user: User) -> ScimAccount | None:
    return db.session.get(ScimAccount, user.id) if user.id else None


def to_scim(user: User, resource_type: ScimResourceType) -> Any:
    created = user.created_at.replace(tzinfo=UTC)
    account = _account(user)
    return ScimUser(id=str(user.id), user_name=account.user_name if account else user.email,
                    external_id=account.external_id if account else None,
                    display_name=None if user.name == user.email else user.name,
                    active=user.is_active_account, emails=[ScimEmail(value=user.email)],
                    meta=Meta(resource_type=resource_type.name, created=created, last_modified=created,
                              version=_version(user)))


def _visible(user: User) -> bool:
    """SCIM sees every active account (so a provider can match people added by hand) and every account it
    provisioned; an account it deleted, deactivated and no longer provisioned, it sees no more."""
    return user.is_active_account or _account(user) is not None


def _organisation() -> Organisation:
    return db.session.get(Organisation, g.scim_organisation_id)  # type: ignore[return-value]


class AccountStorage(ScimStorage):
    """The organisation's accounts (the one whose token the request carried) as SCIM Users."""

    def _user(self, resource_id: str | None) -> User:
        user = db.session.get(User, int(resource_id)) if resource_id and resource_id.isdigit() \
            and len(resource_id) <= 9 else None
        if user is None or user.organisation_id != g.scim_organisation_id or not _visible(user):
            raise NotFoundException(detail=f"User {resource_id!r} not found")
        return user

    def get(self, resource_type: ScimResourceType, resource_id: str, *, response_parameters: Any = None) -> Any:
        return to_scim(self._user(resource_id), resource_type)

    def search(self, resource_types: list[ScimResourceType], search_request: Any, *, position: Any = None
               ) -> SearchPage:
        resource_type = resource_types[0]
        users = db.session.scalars(sa.select(User).where(User.organisation_id == g.scim_organisation_id)
                                   .order_by(User.id))
        found = [r for r in (to_scim(u, resource_type) for u in users if _visible(u))
                 if search_request.filter is None or search_request.filter.match(r)]
        start = max(search_request.start_index or 1, 1) - 1
        count = search_request.count if search_request.count is not None else MAX_RESULTS
        return SearchPage(total=len(found), resources=found[start:start + max(count, 0)])

    def _apply(self, user: User, resource: Any) -> None:
        """Copy a SCIM User onto the account. The address is the primary email (else the first, else userName)."""
        emails = [e for e in resource.emails or [] if getattr(e, "value", None)]
        email = normalised_email(emails[0].value if emails else resource.user_name)
        if email is None or not resource.user_name:
            raise InvalidValueException(detail="A user needs a userName and an email address")
        domains = _organisation().email_domains or []
        if domains and not address_in_domains(email, domains):  # as an invitation: no domains, any address
            raise InvalidValueException(detail="The email address is outside the organisation's email domains")
        taken = db.session.scalar(sa.select(User.id).where(User.email == email))
        if taken is not None and taken != user.id:
            raise UniquenessException(detail="Another account has this userName")
        name = resource.display_name or email  # with no name given, the address stands for it (and reads back none)
        user.email, user.name = email, name[:200]
        db.session.flush()
        account = _account(user) or ScimAccount(user_id=user.id, user_name="")
        account.user_name, account.external_id = resource.user_name[:320], resource.external_id
        db.session.add(account)
        active = resource.active is not False
        if user.is_active_account and not active:
            accounts.end_account(user, utcnow())  # as on the people pages: sessions end, a facilitator's owners told
        elif active and not user.is_active_account:
            try:
                accounts.reactivate(user)  # separation of duties, as on the people pages
            except AccountRuleError as exc:
                raise InvalidValueException(detail=exc.message) from exc

    def create(self, resource_type: ScimResourceType, resource: Any) -> Any:
        user = User(organisation=_organisation(), name="", email="", password_hash=accounts.NO_PASSWORD,
                    role_rows=[UserRole(role=Role.OWNER)])
        db.session.add(user)
        self._apply(user, resource)
        db.session.flush()
        return to_scim(user, resource_type)

    def update(self, resource_type: ScimResourceType, resource: Any, *, expected_version: str | None = None) -> Any:
        user = self._user(resource.id)
        self._apply(user, resource)
        db.session.flush()
        return to_scim(user, resource_type)

    def delete(self, resource_type: ScimResourceType, resource_id: str, *,
               expected_version: str | None = None) -> None:
        user = self._user(resource_id)
        accounts.end_account(user, utcnow())
        account = _account(user)
        if account is not None:
            db.session.delete(account)  # gone from SCIM (404 from now on); the account stays, deactivated
        db.session.flush()


def _provider() -> ScimProvider:
    resource_types = [rt for rt in load_default_resource_types().values() if rt.name == "User"]
    for rt in resource_types:
        rt.schema_extensions = None
    schemas = [s for s in load_default_schemas().values() if s.id.endswith(":User") and "enterprise" not in s.id]
    for schema in schemas:
        # Only what an account keeps, so that what a client writes reads back the same. An account is its email
        # address: the schema says so, and clients send one.
        schema.attributes = [a for a in schema.attributes or [] if a.name in KEPT_ATTRIBUTES]
        for attribute in schema.attributes:
            if attribute.name == "emails":
                attribute.required = True
                attribute.sub_attributes = [sub for sub in attribute.sub_attributes or [] if sub.name == "value"]
                for sub in attribute.sub_attributes:
                    sub.required = True
    config = ServiceProviderConfig(
        patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS), change_password=ChangePassword(supported=False),
        sort=Sort(supported=False), etag=ETag(supported=False),
        authentication_schemes=[AuthenticationScheme(type="oauthbearertoken", name="Bearer token",
                                                     description="A token an administrator creates in Open360")])
    return ScimProvider.from_discovery(schemas, resource_types, config=config)


class ScimApplication(WSGIApplication):
    """Authentication happens in the Flask view (the bearer token names the organisation)."""

    def check_auth(self, request: ScimRequest) -> None:
        return None


_application: ScimApplication | None = None


def application() -> ScimApplication:
    global _application
    if _application is None:
        provider = _provider()
        _application = ScimApplication(AccountStorage(), provider, ScimService(provider, secret=None))
    return _application
