"""Bad input on every form: a clear NHS.UK error summary, what was typed kept, never a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_from, post_form

FORMS = [
    ("/round/raters", {"add-name": "Kept Name", "add-email": "not-an-email"}, "add", "Kept Name"),
    ("/round/raters/paste", {"paste-raters": ""}, "paste", None),
    ("/round/preparation", {"highs_and_lows": "Kept words", "action": "submit"}, "", "Kept words"),
    ("/round/self/1", {"action": "continue"}, "", None),
]


@pytest.mark.parametrize(("url", "data", "prefix", "kept"), FORMS)
def test_a_bad_submission_shows_an_error_summary(owner_client: FlaskClient, open_round, url: str,  # type: ignore[no-untyped-def]
                                                 data: dict[str, str], prefix: str, kept: str | None) -> None:
    page_url = "/round/raters" if "raters" in url else url
    response = post_form(owner_client, url, data, page=page_url, prefix=prefix)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page and "There is a problem" in page
    assert "<title>Error: " in page
    if kept:
        assert kept in page


def test_an_empty_sign_in_says_what_to_enter(client: FlaskClient) -> None:
    page = post_form(client, "/sign-in", {}).get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page


def test_an_oversized_body_gets_413_and_a_page(owner_client: FlaskClient) -> None:
    token = csrf_from(owner_client.get("/round/start").get_data(as_text=True))
    response = owner_client.post("/round/raters/paste", data={"csrf_token": token, "paste-raters": "x" * 300_000})
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_an_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_plain_page_not_a_trace(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    @app.route("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail")

    boom.access = None  # type: ignore[attr-defined]
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret detail" not in page and "Traceback" not in page
