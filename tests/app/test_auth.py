from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from tests.conftest import csrf_from, post_form
from tests.fixtures.people import sign_in


def test_sign_in_with_the_right_password(client: FlaskClient, owner: User) -> None:
    response = sign_in(client, owner)
    assert response.status_code == 302
    assert client.get("/round").status_code == 200


def test_a_wrong_password_gets_one_plain_message_and_keeps_the_email(client: FlaskClient, owner: User) -> None:
    response = sign_in(client, owner, password="wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "The email address or password is not right" in page and owner.email in page


def test_an_unknown_email_gets_the_same_message(client: FlaskClient) -> None:
    page = post_form(client, "/sign-in", {"email": "nobody@trust.example", "password": "x"}).get_data(as_text=True)
    assert "The email address or password is not right" in page


def test_sign_in_without_the_csrf_token_is_refused(client: FlaskClient, owner: User) -> None:
    response = client.post("/sign-in", data={"email": owner.email, "password": "x"})
    assert response.status_code == 400 and "Your session has expired" in response.get_data(as_text=True)


def test_sign_out_needs_the_csrf_token(owner_client: FlaskClient) -> None:
    owner_client.post("/sign-out")
    assert owner_client.get("/round").status_code == 200  # still signed in
    token = csrf_from(owner_client.get("/round/start").get_data(as_text=True))
    owner_client.post(f"/sign-out?csrf_token={token}")
    assert owner_client.get("/round").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(owner: User) -> None:
    assert owner.password_hash.startswith("$argon2id$")


def test_signing_out_ends_every_copy_of_the_session(app: Flask, owner: User) -> None:
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)  # someone took the cookie
    assert copy.get("/round/start").status_code == 200
    token = csrf_from(client.get("/round/start").get_data(as_text=True))
    client.post(f"/sign-out?csrf_token={token}")
    assert "/sign-in" in copy.get("/round/start").headers["Location"]
    assert sign_in(app.test_client(), owner).status_code == 302  # signing in again works


def test_the_csrf_secret_is_new_after_sign_in(client, owner: User) -> None:  # type: ignore[no-untyped-def]
    client.get("/sign-in")
    with client.session_transaction() as session:
        before = session["csrf_token"]
    assert sign_in(client, owner).status_code == 302
    client.get("/round/start")
    with client.session_transaction() as session:
        assert session["csrf_token"] != before


def test_password_checks_beyond_the_cap_are_told_the_service_is_busy() -> None:
    import threading

    from app import passwords

    passwords.configure(1, 0.05)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with passwords._checking():
            held.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(5)
    try:
        with pytest.raises(passwords.PasswordChecksBusy):
            passwords.verify_password(None, "anything")
    finally:
        release.set()
        worker.join()
        passwords.configure(4, 5)
    assert passwords.verify_password(None, "anything") is False
