"""Talking to an organisation's OpenID provider: its published configuration and keys, the authorisation request,
the code exchange (Authlib: client secret, or a `private_key_jwt` assertion for NHS CIS2), and the ID token's
signature (joserfc, the JOSE library Authlib itself now builds on). Which claims are accepted is rules.py's."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.identity import rules
from app.identity.rules import TokenRefused

TIMEOUT = 10  # seconds for each call to the provider
CACHE_SECONDS = 600
# A token signed with a key we do not hold may mean the provider rolled its keys: fetch them again, but not more
# often than this, so a stream of forged tokens cannot make us hammer the provider.
KEY_REFRESH_SECONDS = 60
SCOPE = "openid email profile"


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with something that is not an OpenID configuration."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


_lock = threading.Lock()
_providers: dict[str, tuple[float, Provider]] = {}
_keys: dict[str, tuple[float, KeySet]] = {}


def forget_cached(issuer: str | None = None) -> None:
    with _lock:
        for cache in (_providers, _keys):
            if issuer is None:
                cache.clear()
            else:
                cache.pop(issuer, None)


def _get_json(url: str) -> Any:
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from None


def provider(issuer: str) -> Provider:
    """The provider's configuration, from `<issuer>/.well-known/openid-configuration` (cached a while)."""
    with _lock:
        cached = _providers.get(issuer)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    try:
        found = Provider(issuer=str(document["issuer"]), authorization_endpoint=str(document["authorization_endpoint"]),
                         token_endpoint=str(document["token_endpoint"]), jwks_uri=str(document["jwks_uri"]))
    except (KeyError, TypeError):
        raise ProviderUnavailable(f"{issuer} publishes no usable OpenID configuration") from None
    # The configuration must be the issuer's own (OpenID Discovery §4.3), or, for Entra's multi-tenant endpoints,
    # name each tenant's issuer by the placeholder its tokens fill.
    if rules.TENANT_PLACEHOLDER not in found.issuer and found.issuer.rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(f"{issuer} publishes the configuration of {found.issuer}")
    with _lock:
        _providers[issuer] = (time.monotonic(), found)
    return found


def _key_set(found: Provider, refresh: bool = False) -> KeySet:
    with _lock:
        cached = _keys.get(found.issuer)
    age = time.monotonic() - cached[0] if cached else None
    if cached and age is not None and ((age < CACHE_SECONDS and not refresh) or age < KEY_REFRESH_SECONDS):
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(found.jwks_uri))
    except (JoseError, KeyError, TypeError, ValueError):
        raise ProviderUnavailable(f"{found.jwks_uri} is not a key set") from None
    with _lock:
        _keys[found.issuer] = (time.monotonic(), keys)
    return keys


@dataclass(frozen=True)
class Client:
    client_id: str
    auth_method: str
    credential: str
    redirect_uri: str


def authorisation_url(found: Provider, client: Client, *, state: str, nonce: str, code_verifier: str,
                      acr: str) -> str:
    with _oauth(client) as oauth:
        extra = {"acr_values": acr} if acr else {}
        url, _ = oauth.create_authorization_url(found.authorization_endpoint, state=state, nonce=nonce,
                                                code_verifier=code_verifier, **extra)
    return str(url)


def exchange_code(found: Provider, client: Client, *, code: str, code_verifier: str) -> str:
    """The ID token the provider gives for this authorisation code."""
    with _oauth(client) as oauth:
        if client.auth_method == "private_key_jwt":
            oauth.register_client_auth_method(PrivateKeyJWT(found.token_endpoint))
        try:
            token = oauth.fetch_token(found.token_endpoint, code=code, code_verifier=code_verifier)
        except AuthlibBaseError as exc:  # the provider answered, and refused the code or our credential
            raise TokenRefused(f"the provider refused the code: {exc}") from None
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(str(exc)) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise TokenRefused("the provider sent no ID token")
    return id_token


def _oauth(client: Client) -> OAuth2Client:
    return OAuth2Client(client.client_id, client.credential, scope=SCOPE, redirect_uri=client.redirect_uri,
                        token_endpoint_auth_method=client.auth_method, code_challenge_method="S256",
                        timeout=TIMEOUT)


def verified_claims(id_token: str, found: Provider, expected: rules.Expected, now: int) -> dict[str, Any]:
    """The claims of an ID token whose header, signature (by a key the provider publishes) and claims all hold."""
    try:
        compact = jws.extract_compact(id_token.encode())
        header = compact.headers()
    except (JoseError, ValueError, json.JSONDecodeError):
        raise TokenRefused("the ID token is not a signed JWT") from None
    problem = rules.header_problem(header)
    if problem:
        raise TokenRefused(problem)
    claims = _signed_claims(id_token, _key_set(found))
    if claims is None:  # perhaps the provider has rolled its keys since we fetched them
        claims = _signed_claims(id_token, _key_set(found, refresh=True))
    if claims is None:
        raise TokenRefused("the signature is not by a key the provider publishes")
    problem = rules.claims_problem(claims, expected, now)
    if problem:
        raise TokenRefused(problem)
    return claims


def _signed_claims(id_token: str, keys: KeySet) -> dict[str, Any] | None:
    try:
        return dict(jwt.decode(id_token, keys, algorithms=list(rules.ALLOWED_ALGORITHMS)).claims)
    except (JoseError, ValueError):
        return None
