"""The low findings of the outside review, each as a test: bounded ids, NUL characters, the error page after a
database error, HSTS, the paste limit's words, and the outbox only ever for this machine."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter

import config
from app import create_app
from app.access import public
from app.accounts.operations import NO_PASSWORD
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.web import MAX_ID
from tests.app.test_config import GOOD
from tests.conftest import post_form
from tests.fixtures.people import sign_in, signed_in


def _id_urls(app: Flask, huge: int) -> list[tuple[str, str]]:
    """Every route with an id in its address, with that id set to `huge` (other parts get a plausible value)."""
    urls = []
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        if not any(isinstance(c, IntegerConverter) for c in converters.values()):
            continue
        values = {name: huge if isinstance(c, IntegerConverter) else min(c.items) if isinstance(c, AnyConverter)
                  else "x" * 43 for name, c in converters.items()}
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        urls.append((method, rule.build(values, append_unknown=False)[1]))
    return urls


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_an_id_too_large_for_any_table_is_a_404_not_a_500(app: Flask, create_user, huge: int) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = False
    client = signed_in(app, create_user(*Role, email="everyone@trust.example"))
    urls = _id_urls(app, huge)
    assert len(urls) >= 8
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 404, f"{method} {url} -> {response.status_code}"


def test_the_largest_id_a_table_holds_is_a_page_and_the_next_one_is_not(app: Flask, create_user) -> None:  # type: ignore[no-untyped-def]
    """The bound is PostgreSQL's largest INTEGER exactly: a person at that id is reached, one more is not found."""
    admin = create_user(Role.ADMIN, name="Ada Admin")
    db.session.add(User(id=MAX_ID, organisation=admin.organisation, name="Farah Faraway", email="farah@trust.example",
                        password_hash=NO_PASSWORD, role_rows=[UserRole(role=Role.OWNER)]))
    db.session.commit()
    client = signed_in(app, admin)
    page = client.get(f"/people/{MAX_ID}")
    assert page.status_code == 200 and "Farah Faraway" in page.get_data(as_text=True)
    assert client.get(f"/people/{MAX_ID + 1}").status_code == 404
    assert post_form(client, f"/people/{MAX_ID + 1}/deactivate", {}, page=f"/people/{MAX_ID}").status_code == 404
    assert db.session.get(User, MAX_ID).is_active_account  # type: ignore[union-attr]


def test_a_nul_in_the_sign_in_email_gets_a_plain_message(client: FlaskClient) -> None:
    response = post_form(client, "/sign-in", {"email": "olivia\x00@trust.example", "password": "x" * 12})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invisible control character" in page and "Traceback" not in page


@pytest.mark.parametrize("url", ["/sign-in?next=/round%00", "/round%00", "/people/1%00/deactivate"])
def test_a_nul_in_an_address_or_its_query_gets_the_same_plain_message(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)


def test_the_error_page_after_a_refused_statement_still_renders(app: Flask, owner, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    @app.route("/break-the-session")
    @public
    def break_the_session():  # type: ignore[no-untyped-def]
        db.session.add_all([Organisation(name="Twin"), Organisation(name="Twin")])
        db.session.flush()  # refused: the name is unique, and the session's transaction is now broken

    assert sign_in(client, owner).status_code == 302
    db.session.expunge_all()  # as a fresh request would: the signed-in person is loaded again by the error page
    response = client.get("/break-the-session")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_production_sends_hsts_and_other_environments_do_not(app: Flask, client: FlaskClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    assert config.load("production")["HSTS_SECONDS"] >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS_SECONDS"] = 31_536_000
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_paste_limit_message_states_the_limit_that_applies(owner_client: FlaskClient, open_round) -> None:  # type: ignore[no-untyped-def]
    response = post_form(owner_client, "/round/raters/paste", {"paste-raters": "a, a@trust.example, peer\n" * 4100},
                         page="/round/raters", prefix="paste")
    page = response.get_data(as_text=True)
    assert "Paste at most 100,000 characters at a time" in page
    assert "500 lines" not in page


@pytest.fixture
def outbox_app(app: Flask, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                               "SHOW_OUTBOX": True, "OUTBOX_DIR": str(tmp_path / "outbox")})


@pytest.mark.parametrize(("address", "status"), [("127.0.0.1", 200), ("::1", 200), ("10.1.2.3", 404),
                                                 ("192.168.0.9", 404), ("2001:db8::1", 404)])
def test_the_outbox_opens_only_from_this_machine(outbox_app: Flask, address: str, status: int) -> None:
    client = outbox_app.test_client()
    assert client.get("/dev/outbox/", environ_base={"REMOTE_ADDR": address}).status_code == status
