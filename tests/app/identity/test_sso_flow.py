"""Single sign-on end to end, in the test process: the authorisation code flow against oidc-provider-mock (client
secret, as Entra ID) and against a private_key_jwt-only Authlib server (as NHS CIS2), and every kind of bad token
the product must refuse."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from app.extensions import db
from app.identity import oidc
from app.identity.models import SsoIdentity, SsoSettings
from app.models import Organisation, Role, User
from tests.fixtures.oidc import CIS2, CLIENT_ID, MockProvider
from tests.fixtures.people import sign_in


@pytest.fixture(autouse=True)
def _fresh_provider_cache() -> None:
    oidc.forget_cached()


def configure(org: Organisation, issuer: str, *, method: str = "client_secret_basic", credential: str = "s3cret",
              tenants: tuple[str, ...] = (), acr: str = "", passwords: bool = True,
              domains: tuple[str, ...] = ("trust.example",)) -> SsoSettings:
    org.email_domains = list(domains)
    row = SsoSettings(organisation=org, provider_name=f"{org.name} account", issuer=issuer, client_id=CLIENT_ID,
                      auth_method=method, credential=credential, tenant_ids=list(tenants), acr=acr,
                      allows_password_sign_in=passwords)
    db.session.add(row)
    db.session.commit()
    return row


def cis2_settings(org: Organisation, provider: CIS2, **kw: Any) -> SsoSettings:
    pem = provider.client_key.as_pem(private=True).decode()
    return configure(org, provider.url, method="private_key_jwt", credential=pem, acr="AAL3_ANY", **kw)


def through_provider(client: FlaskClient, org: Organisation, at_provider: Callable[[str], httpx2.Response]):  # type: ignore[no-untyped-def]
    """Start at our button, let the provider answer, and come back to our callback as the browser would."""
    start = client.get(f"/sign-in/with/{org.id}")
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = at_provider(start.headers["Location"])
    assert answer.status_code in (302, 303), answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def cis2_flow(client: FlaskClient, org: Organisation):  # type: ignore[no-untyped-def]
    return through_provider(client, org, lambda url: httpx2.get(url, follow_redirects=False))


def mock_flow(client: FlaskClient, org: Organisation, subject: str):  # type: ignore[no-untyped-def]
    return through_provider(client, org, lambda url: httpx2.post(url, data={"sub": subject}, follow_redirects=False))


def signed_in_as(client: FlaskClient) -> str | None:
    """The signed-in person's header (with their name), or None when nobody is signed in."""
    page = client.get("/", follow_redirects=True)
    html = page.get_data(as_text=True)
    return html if page.status_code == 200 and "Sign out" in html else None


# --- the flows ------------------------------------------------------------------------------------------------------

def test_client_secret_flow_links_by_verified_email_then_matches_by_subject(
        client: FlaskClient, organisation: Organisation, create_user: Callable[..., User],
        mock_provider: MockProvider) -> None:
    configure(organisation, mock_provider.url)
    user = create_user(Role.OWNER, name="Ola Owner", email="ola@trust.example")
    mock_provider.set_user("entra-oid-1", email="ola@trust.example", email_verified=True)
    response = mock_flow(client, organisation, "entra-oid-1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    linked = db.session.query(SsoIdentity).one()
    assert (linked.user_id, linked.issuer, linked.subject) == (user.id, mock_provider.url, "entra-oid-1")
    assert "Ola Owner" in (signed_in_as(client) or "")
    # Later the address at the provider changes: the subject still finds the account.
    client.post("/sign-out?csrf_token=x")
    fresh = client.application.test_client()
    mock_provider.set_user("entra-oid-1", email="someone.else@elsewhere.example", email_verified=True)
    assert mock_flow(fresh, organisation, "entra-oid-1").status_code == 302
    assert "Ola Owner" in (signed_in_as(fresh) or "")


def test_an_unverified_or_outside_address_links_nobody_and_says_who_to_ask(
        client: FlaskClient, organisation: Organisation, create_user: Callable[..., User],
        mock_provider: MockProvider) -> None:
    configure(organisation, mock_provider.url)
    create_user(Role.OWNER, email="ola@trust.example")
    create_user(Role.LOCAL_LEAD, name="Lucy Lead")
    mock_provider.set_user("s-unverified", email="ola@trust.example")  # no email_verified
    response = mock_flow(client, organisation, "s-unverified")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "You do not have an account yet" in page and "Ask Lucy Lead" in page
    assert db.session.query(SsoIdentity).count() == 0 and signed_in_as(client) is None


def test_private_key_jwt_flow_with_nonce_and_acr(client: FlaskClient, organisation: Organisation,
                                                 create_user: Callable[..., User], cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider)
    create_user(Role.FACILITATOR, name="Cara Carer", email="cara@trust.example")
    cis2_provider.claims = {"email": "cara@trust.example", "email_verified": True}
    response = cis2_flow(client, organisation)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Cara Carer" in (signed_in_as(client) or "")
    assert cis2_provider.refused_client_auth == 0 and cis2_provider.seen_jti  # it did authenticate by assertion


def test_the_private_key_jwt_server_refuses_a_client_secret(client: FlaskClient, organisation: Organisation,
                                                            create_user: Callable[..., User],
                                                            cis2_provider: CIS2) -> None:
    configure(organisation, cis2_provider.url, acr="AAL3_ANY")  # client_secret_basic against CIS2
    create_user(Role.OWNER, email="ola@trust.example")
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True}
    response = cis2_flow(client, organisation)
    assert response.status_code == 403 and cis2_provider.refused_client_auth == 1
    assert signed_in_as(client) is None


# --- refused tokens -------------------------------------------------------------------------------------------------

def _sign(claims: dict[str, Any], header: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode(header, claims, key)


def _none_alg(claims: dict[str, Any], header: dict[str, Any]) -> str:
    import base64
    import json

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "cis2-1"})  # the provider's kid, not its key
# A forger's own key, carried in the header: EC, so the header stays under joserfc's 512-byte cap and reaches our
# check (with an RSA key joserfc refuses the header for its size before we read it).
EC_KEY = ECKey.generate_key("P-256", parameters={"kid": "cis2-1"})


def _forgeries(provider: CIS2) -> dict[str, Callable[[dict[str, Any], dict[str, Any]], str]]:
    key = provider.signing_key
    own = EC_KEY.as_dict(private=False)
    return {
        "wrong issuer": lambda c, h: _sign({**c, "iss": "http://localhost:1/other"}, h, key),
        "wrong audience": lambda c, h: _sign({**c, "aud": "someone-else"}, h, key),
        "expired": lambda c, h: _sign({**c, "iat": c["iat"] - 3600, "exp": c["iat"] - 1800}, h, key),
        "issued in the future": lambda c, h: _sign({**c, "iat": c["iat"] + 3600, "exp": c["iat"] + 7200}, h, key),
        "replayed nonce": lambda c, h: _sign({**c, "nonce": "the-nonce-of-an-earlier-sign-in"}, h, key),
        "no nonce": lambda c, h: _sign({k: v for k, v in c.items() if k != "nonce"}, h, key),
        "wrong acr": lambda c, h: _sign({**c, "acr": "AAL1_USERPASS"}, h, key),
        "alg none": _none_alg,
        "HS256 with a guessable key": lambda c, h: jwt.encode({"alg": "HS256"}, c, _oct()),
        "JWK in the header": lambda c, h: jwt.encode({**h, "alg": "ES256", "jwk": own}, c, EC_KEY),
        "jku in the header": lambda c, h: _sign(c, {**h, "jku": "http://localhost:1/keys"}, OTHER_KEY),
        "signed by an unknown key": lambda c, h: _sign(c, h, OTHER_KEY),
        "signed by an unknown key id": lambda c, h: _sign(c, {**h, "kid": "nobody"}, OTHER_KEY),
        "not a JWT": lambda c, h: "not.a.jwt",
    }


def _oct():  # type: ignore[no-untyped-def]
    from joserfc.jwk import OctKey

    return OctKey.import_key(CLIENT_ID.encode() * 2)


FORGERIES = ["wrong issuer", "wrong audience", "expired", "issued in the future", "replayed nonce", "no nonce",
             "wrong acr", "alg none", "HS256 with a guessable key", "JWK in the header", "jku in the header",
             "signed by an unknown key", "signed by an unknown key id", "not a JWT"]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_bad_id_token_signs_nobody_in(forgery: str, client: FlaskClient, organisation: Organisation,
                                        create_user: Callable[..., User], cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider)
    create_user(Role.OWNER, email="ola@trust.example")
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True}
    cis2_provider.forge = _forgeries(cis2_provider)[forgery]
    response = cis2_flow(client, organisation)
    assert response.status_code == 403, forgery
    assert "You have not been signed in" in response.get_data(as_text=True)
    assert signed_in_as(client) is None and db.session.query(SsoIdentity).count() == 0


def test_a_token_from_a_tenant_not_allowed_is_refused_and_one_allowed_is_not(
        client: FlaskClient, organisation: Organisation, create_user: Callable[..., User],
        cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider, tenants=("tenant-a",))
    create_user(Role.OWNER, email="ola@trust.example")
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True, "tid": "tenant-b"}
    assert cis2_flow(client, organisation).status_code == 403
    cis2_provider.claims["tid"] = "tenant-a"
    assert cis2_flow(client, organisation).status_code == 302


def test_a_replayed_callback_finds_no_sign_in_to_finish(client: FlaskClient, organisation: Organisation,
                                                       create_user: Callable[..., User], cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider)
    create_user(Role.OWNER, email="ola@trust.example")
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True}
    start = client.get(f"/sign-in/with/{organisation.id}")
    back = urlsplit(httpx2.get(start.headers["Location"], follow_redirects=False).headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    other = client.application.test_client()
    assert other.get(f"{back.path}?{back.query}").status_code == 400  # another browser: no state, no sign-in
    assert signed_in_as(other) is None


# --- organisations, and the session rules ---------------------------------------------------------------------------

def test_an_identity_linked_in_organisation_a_never_reaches_b(
        client: FlaskClient, organisation: Organisation, create_user: Callable[..., User],
        cis2_provider: CIS2) -> None:
    other = Organisation(name="Other Trust")
    db.session.add(other)
    cis2_settings(organisation, cis2_provider)
    # The same provider, as two trusts on one NHS CIS2; each its own domain (a domain is one organisation's).
    cis2_settings(other, cis2_provider, domains=("other.example",))
    create_user(Role.OWNER, name="In A", email="ola@trust.example")
    create_user(Role.ADMIN, name="In B", email="boss@other.example", org=other)
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True}
    assert cis2_flow(client, organisation).status_code == 302
    # The same person at the provider now comes through B's button, with B's administrator's address.
    fresh = client.application.test_client()
    cis2_provider.claims = {"email": "boss@other.example", "email_verified": True}
    assert cis2_flow(fresh, other).status_code == 403
    assert signed_in_as(fresh) is None


def test_password_sign_in_off_sends_people_to_their_provider(client: FlaskClient, organisation: Organisation,
                                                              create_user: Callable[..., User],
                                                              cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider, passwords=False)
    user = create_user(Role.OWNER, email="ola@trust.example")
    response = sign_in(client, user)
    assert response.status_code == 200 and "signs in with its own account" in response.get_data(as_text=True)
    assert f"Sign in with {organisation.name} account" in client.get("/sign-in").get_data(as_text=True)


def test_deactivation_and_sign_out_end_an_sso_session(client: FlaskClient, organisation: Organisation,
                                                      create_user: Callable[..., User], cis2_provider: CIS2) -> None:
    cis2_settings(organisation, cis2_provider)
    user = create_user(Role.OWNER, email="ola@trust.example")
    cis2_provider.claims = {"email": "ola@trust.example", "email_verified": True}
    assert cis2_flow(client, organisation).status_code == 302
    copy = client.application.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    user.end_sessions()  # what signing out does
    db.session.commit()
    assert signed_in_as(client) is None and signed_in_as(copy) is None
    assert cis2_flow(client, organisation).status_code == 302
    user.is_active_account = False
    db.session.commit()
    assert signed_in_as(client) is None
    response = cis2_flow(client.application.test_client(), organisation)
    assert response.status_code == 403 and "has closed your Open360 account" in response.get_data(as_text=True)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.mark.parametrize("state_comes_back", [True, False])
@pytest.mark.parametrize("passwords", [True, False])
def test_cancelling_at_the_provider_says_so_and_offers_the_ways_back(
        client: FlaskClient, organisation: Organisation, create_user: Callable[..., User], cis2_provider: CIS2,
        state_comes_back: bool, passwords: bool) -> None:
    """Deny or Cancel at the provider comes back as error=access_denied, with `state` (Entra) or without it (the
    demo provider): either way the person reads that sign-in was cancelled or refused, not that it was never
    started here, and is signed in by nothing."""
    cis2_settings(organisation, cis2_provider, passwords=passwords)
    create_user(Role.OWNER, email="ola@trust.example")
    start = client.get(f"/sign-in/with/{organisation.id}")
    state = dict(p.split("=", 1) for p in urlsplit(start.headers["Location"]).query.split("&"))["state"]
    query = "error=access_denied&error_description=The+user+cancelled" + (f"&state={state}" if state_comes_back
                                                                          else "")
    response = client.get(f"/sign-in/callback?{query}")
    text = _text(response)
    assert response.status_code == 400
    assert "Sign-in was cancelled" in text and "cancelled, or your organisation's sign-in service refused it" in text
    assert "not started here" not in text
    assert f'href="/sign-in/with/{organisation.id}"' in response.get_data(as_text=True)
    assert ("Sign in with your email address and password instead" in text) is passwords
    assert signed_in_as(client) is None


def test_an_error_from_a_browser_that_started_nothing_points_to_the_sign_in_page(client: FlaskClient) -> None:
    response = client.get("/sign-in/callback?error=access_denied")
    assert response.status_code == 400 and "Sign-in was cancelled" in _text(response)
    assert 'href="/sign-in"' in response.get_data(as_text=True)
    assert "signing in with your organisation's account was cancelled" in _text(response)
