"""The rules of single sign-on, as pure functions: which ID tokens are accepted, which settings are sound, and which
account a sign-in reaches. No database, no request, no clock (callers pass `now` as seconds since the epoch)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from authlib.common.security import is_secure_transport

from app.accounts.rules import address_in_domains
from app.errors import DomainError

# Asymmetric signatures only: never "none", and never HS256 (its key would be the client secret, which is shared).
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256", "RS384", "RS512", "PS384", "PS512", "ES384")
# A token whose header names where to find its own key (or carries it) is refused outright: the key that checks a
# signature comes from the provider's published key set, never from the token.
KEY_CARRYING_HEADERS = ("jwk", "jku", "x5u", "x5c")
CLOCK_LEEWAY = 120  # seconds of clock difference between us and the provider
TENANT_PLACEHOLDER = "{tenantid}"
AUTH_METHODS = ("client_secret_basic", "private_key_jwt")


class TokenRefused(DomainError):
    """The ID token must not sign anyone in. The message says why, for the log; the person sees a plain page."""


@dataclass(frozen=True)
class Expected:
    issuer: str  # the provider's published issuer, perhaps with {tenantid} in it
    client_id: str
    tenant_ids: tuple[str, ...]
    acr: str
    nonce: str


def header_problem(header: Mapping[str, Any]) -> str | None:
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        return f"algorithm {alg!r} is not accepted"
    carried = [name for name in KEY_CARRYING_HEADERS if name in header]
    if carried:
        return f"the token names its own key ({', '.join(carried)})"
    return None


def issuer_for(published: str, tenant: str | None) -> str | None:
    """The issuer a token from this tenant must carry: Entra's multi-tenant issuer has the tenant in it."""
    if TENANT_PLACEHOLDER not in published:
        return published
    return published.replace(TENANT_PLACEHOLDER, tenant) if tenant else None


def claims_problem(claims: Mapping[str, Any], expected: Expected, now: int) -> str | None:
    """Why these ID token claims must not sign anyone in; None when they may. The signature is checked before."""
    tenant = claims.get("tid")
    tenant = tenant if isinstance(tenant, str) else None
    issuer = issuer_for(expected.issuer, tenant)
    if issuer is None or claims.get("iss") != issuer:
        return f"issuer {claims.get('iss')!r} is not {issuer or expected.issuer!r}"
    # Microsoft: restricting the audience is no replacement for checking the tenant in the app.
    if (expected.tenant_ids or TENANT_PLACEHOLDER in expected.issuer) and tenant not in expected.tenant_ids:
        return f"tenant {tenant!r} is not one this organisation allows"
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if expected.client_id not in audiences:
        return "the token is for another client"
    if len(audiences) > 1 and claims.get("azp") != expected.client_id:
        return "the token has several audiences and its authorised party is another client"
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        return "the token has no usable subject"
    return _time_problem(claims, now) or _nonce_and_acr_problem(claims, expected)


def _time_problem(claims: Mapping[str, Any], now: int) -> str | None:
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or expires + CLOCK_LEEWAY <= now:
        return "the token has expired"
    if not isinstance(issued, int | float) or issued - CLOCK_LEEWAY > now:
        return "the token was issued in the future"
    return None


def _nonce_and_acr_problem(claims: Mapping[str, Any], expected: Expected) -> str | None:
    if not expected.nonce or claims.get("nonce") != expected.nonce:
        return "the nonce is not the one this sign-in sent (a replayed or foreign token)"
    if expected.acr and claims.get("acr") != expected.acr:
        return f"authentication level {claims.get('acr')!r} is not the {expected.acr!r} the organisation asks for"
    return None


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The address the provider vouches for, lower case; None if it does not say it verified it. Entra sends
    `xms_edov` (email domain owner verified) as an optional claim instead of `email_verified`."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") is True or claims.get("xms_edov") in (True, "1", "true"):
        return email.strip().lower()
    return None


def may_link_by_email(email: str | None, domains: Iterable[str]) -> bool:
    """The first sign-in links to an existing account only by a verified address in the organisation's own domains
    (an organisation that lists none links nobody by email: any address would do)."""
    listed = list(domains)
    return email is not None and bool(listed) and address_in_domains(email, listed)


@dataclass(frozen=True)
class SettingsInput:
    provider_name: str
    issuer: str
    client_id: str
    auth_method: str
    has_credential: bool
    tenant_ids: tuple[str, ...]
    private_key_problem: str | None = None


def settings_problems(given: SettingsInput) -> dict[str, str]:
    """Every reason the settings cannot be saved, by field."""
    problems: dict[str, str] = {}
    if not given.provider_name.strip():
        problems["provider_name"] = "Enter the name people know the provider by, like NHSmail"
    if not given.issuer.startswith(("https://", "http://")) or not is_secure_transport(given.issuer):
        problems["issuer"] = "Enter the issuer's address, starting https://"
    if not given.client_id.strip():
        problems["client_id"] = "Enter the client ID the provider gave this service"
    if given.auth_method not in AUTH_METHODS:
        problems["auth_method"] = "Choose how this service proves who it is to the provider"
    if not given.has_credential:
        problems["credential"] = ("Enter the private key (PEM)" if given.auth_method == "private_key_jwt"
                                  else "Enter the client secret")
    elif given.private_key_problem:
        problems["credential"] = given.private_key_problem
    if any(not t or len(t) > 100 for t in given.tenant_ids):
        problems["tenant_ids"] = "Enter each tenant ID on its own line"
    return problems


def entra_patch(body: Any) -> Any:
    """A SCIM PATCH as RFC 7644 has it, from one as Microsoft Entra sends it: op names capitalised ("Replace"), and
    booleans as strings ("False") — Entra's documented deviations. Anything else is left as it came."""
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        return body
    operations = []
    for operation in body["Operations"]:
        if isinstance(operation, dict):
            operation = dict(operation)
            if isinstance(operation.get("op"), str):
                operation["op"] = operation["op"].lower()
            operation["value"] = _booleans(operation.get("value"), str(operation.get("path") or ""))
        operations.append(operation)
    return {**body, "Operations": operations}


def _booleans(value: Any, path: str) -> Any:
    if isinstance(value, str) and path.lower() == "active" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, dict):
        return {k: (_booleans(v, k) if k.lower() == "active" else v) for k, v in value.items()}
    return value
