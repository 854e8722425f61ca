"""Security properties of the web layer that no page shows: where the browser is sent after sign-in, and the response
headers that keep pages (a rater's above all) out of frames, caches and Referer headers of other sites."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from tests.conftest import post_form
from tests.fixtures.people import PASSWORD

HERE = "http://localhost/sign-in"


def _sign_in_then(client: FlaskClient, user: User, next_url: str) -> str:
    """Sign in from a link carrying ?next=…; where the browser goes next, as an absolute address."""
    response = post_form(client, f"/sign-in?next={quote(next_url, safe='')}",
                         {"email": user.email, "password": PASSWORD}, page="/sign-in")
    assert response.status_code == 302
    return urljoin(HERE, response.headers["Location"])


@pytest.mark.parametrize("next_url", ["/round", "/round/raters?page=2"])
def test_sign_in_returns_to_the_page_of_this_site_that_asked_for_it(client: FlaskClient, owner: User,
                                                                     next_url: str) -> None:
    assert _sign_in_then(client, owner, next_url) == f"http://localhost{next_url}"


@pytest.mark.parametrize("next_url", [
    "https://evil.example/sign-in",  # another site
    "//evil.example/sign-in",  # another site, keeping our scheme
    "///evil.example",  # browsers read three slashes as two
    "/\\evil.example",  # and a backslash as a slash
    "/\t/evil.example",  # and drop tabs and newlines
    "/\n/evil.example",
    "/\x01/evil.example",  # any other control character, and DEL, refuses too: no look-alike path of ours
    "/\x7f/evil.example",
    "/round\r\nSet-Cookie: session=stolen",  # a line break never reaches the Location header
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",  # not a path of this site
    "",
])
def test_sign_in_never_sends_the_browser_to_another_site(client: FlaskClient, owner: User, next_url: str) -> None:
    landed = _sign_in_then(client, owner, next_url)
    assert urlsplit(landed).netloc == "localhost" and urlsplit(landed).scheme == "http"
    # what a browser does with the path: a backslash is a slash, and a path starting // names another host
    path = urlsplit(landed).path.replace("\\", "/").replace("%5C", "/").replace("%5c", "/")
    assert not path.startswith("//")
    assert landed == "http://localhost/"  # the home page, not a look-alike path built from the parameter


def _nonce_of(page: str) -> str:
    match = re.search(r'<script[^>]*nonce="([^"]+)"', page)
    assert match, "the page has no script with a nonce"
    return match.group(1)


@pytest.mark.parametrize("url", ["/sign-in", "/round"])
def test_every_page_forbids_framing_other_origins_and_sniffing(app: Flask, owner: User, url: str) -> None:
    client = app.test_client()
    if url != "/sign-in":
        assert post_form(client, "/sign-in", {"email": owner.email, "password": PASSWORD}).status_code == 302
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'"  # no other site can frame a page and overlay it (clickjacking)
    assert policy["default-src"] == "'self'" and policy["form-action"] == "'self'" and policy["base-uri"] == "'none'"
    assert policy["style-src"] == "'self'" and policy["img-src"] == "'self' data:"
    # only the page's own scripts run: the nonce in the policy is the one its script carries, and it is new each time
    assert policy["script-src"] == f"'self' 'nonce-{_nonce_of(response.get_data(as_text=True))}'"
    assert _nonce_of(client.get(url).get_data(as_text=True)) != _nonce_of(response.get_data(as_text=True))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"  # no address of ours in another site's logs
    assert response.headers["Cache-Control"] == "no-store"  # no copy left in a shared computer's cache


def test_a_rater_page_sends_no_referer_at_all_and_is_not_cached(client: FlaskClient, app: Flask) -> None:
    # The rater's link page answers even when the link does not work; its headers are the ones every rater meets.
    response = client.get("/r/" + "A" * 43)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_files_other_than_pages_keep_their_own_caching(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.mimetype != "text/html"
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_where_configured_and_for_as_long_as_configured(app: Flask, client: FlaskClient) -> None:
    app.config["HSTS_SECONDS"] = 0
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    app.config["HSTS_SECONDS"] = 600
    assert client.get("/sign-in").headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_a_next_address_with_a_space_in_its_query_is_still_this_sites(client: FlaskClient, owner: User) -> None:
    assert _sign_in_then(client, owner, "/round?q=two words") == "http://localhost/round?q=two%20words"


def test_a_page_for_one_role_refuses_every_other_and_sends_a_stranger_to_sign_in(
        app: Flask, create_user: Callable[..., User]) -> None:
    from app.models import Role

    manager = create_user(Role.MANAGER, name="Mo Manager", email="mo@trust.example")
    client = app.test_client()
    stranger = client.get("/round")
    assert stranger.status_code == 302 and urlsplit(stranger.headers["Location"]).path == "/sign-in"
    assert post_form(client, "/sign-in", {"email": manager.email, "password": PASSWORD}).status_code == 302
    assert client.get("/round").status_code == 403  # owners only
    assert client.get("/reports").status_code == 200  # managers read reports shared with them


def test_a_response_that_renders_no_page_allows_no_script_by_nonce(client: FlaskClient) -> None:
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'nonce-([^']*)'", policy).group(1) == ""  # type: ignore[union-attr]


def test_the_error_summary_links_each_message_to_its_field(client: FlaskClient) -> None:
    page = post_form(client, "/sign-in", {}).get_data(as_text=True)
    summary = page.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="(#[\w-]+)"\s*>\s*([^<]+?)\s*</a>', summary)
    assert links == [("#email", "Enter your email address"), ("#password", "Enter your password")]
