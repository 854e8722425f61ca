"""The single sign-on rules: which claims sign someone in, Entra's per-tenant issuer, linking by email."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.identity import rules

ENTRA = "https://login.microsoftonline.com/{tenantid}/v2.0"
NOW = 1_800_000_000


def claims(**changes: Any) -> dict[str, Any]:
    base = {"iss": "https://login.microsoftonline.com/tenant-a/v2.0", "aud": "client", "sub": "s1", "tid": "tenant-a",
            "iat": NOW - 10, "exp": NOW + 300, "nonce": "n1"}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def expected(**changes: Any) -> rules.Expected:
    base = {"issuer": ENTRA, "client_id": "client", "tenant_ids": ("tenant-a",), "acr": "", "nonce": "n1"}
    return rules.Expected(**{**base, **changes})


def test_a_token_from_an_allowed_tenant_with_its_own_issuer_is_accepted() -> None:
    assert rules.claims_problem(claims(), expected(), NOW) is None


def test_another_tenant_is_refused_even_with_a_matching_issuer() -> None:
    other = claims(tid="tenant-b", iss="https://login.microsoftonline.com/tenant-b/v2.0")
    assert "tenant" in (rules.claims_problem(other, expected(), NOW) or "")


def test_a_tenant_issuer_that_does_not_match_the_tid_is_refused() -> None:
    assert "issuer" in (rules.claims_problem(claims(tid="tenant-a", iss="https://login.microsoftonline.com/tenant-b/v2.0"),
                                             expected(tenant_ids=("tenant-a", "tenant-b")), NOW) or "")


def test_the_multi_tenant_issuer_with_no_allowed_tenant_lets_nobody_in() -> None:
    assert rules.claims_problem(claims(), expected(tenant_ids=()), NOW) is not None


def test_several_audiences_need_us_as_authorised_party() -> None:
    assert rules.claims_problem(claims(aud=["client", "other"]), expected(), NOW) is not None
    assert rules.claims_problem(claims(aud=["client", "other"], azp="client"), expected(), NOW) is None


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_expiry_holds_within_the_leeway_only(offset: int) -> None:
    problem = rules.claims_problem(claims(exp=NOW + offset), expected(), NOW)
    assert (problem is None) == (offset + rules.CLOCK_LEEWAY > 0)


def test_headers_refused() -> None:
    assert rules.header_problem({"alg": "none"}) is not None
    assert rules.header_problem({"alg": "HS256"}) is not None
    assert rules.header_problem({"alg": "RS256", "jwk": {}}) is not None
    assert rules.header_problem({"alg": "RS256", "x5u": "https://x"}) is not None
    assert rules.header_problem({"alg": "RS256", "kid": "k"}) is None


def test_only_a_verified_address_in_the_organisations_domains_links() -> None:
    assert rules.verified_email({"email": "A@Trust.example", "email_verified": True}) == "a@trust.example"
    assert rules.verified_email({"email": "a@trust.example"}) is None
    assert rules.verified_email({"email": "a@trust.example", "email_verified": "true"}) is None
    assert rules.verified_email({"email": "a@trust.example", "xms_edov": True}) == "a@trust.example"
    assert rules.may_link_by_email("a@trust.example", ["trust.example"])
    assert not rules.may_link_by_email("a@elsewhere.example", ["trust.example"])
    assert not rules.may_link_by_email("a@trust.example", [])  # no domains: nobody is linked by address


def test_settings_problems_name_each_field() -> None:
    problems = rules.settings_problems(rules.SettingsInput("", "http://idp.example", "", "magic", False, ("",)))
    assert set(problems) == {"provider_name", "issuer", "client_id", "auth_method", "credential", "tenant_ids"}
    assert rules.settings_problems(rules.SettingsInput("NHSmail", "https://login.microsoftonline.com/t/v2.0", "c",
                                                       "client_secret_basic", True, ("t",))) == {}
