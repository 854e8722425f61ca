from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import Role, User
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


def test_repeated_failures_are_throttled(app: Flask, owner: User, mail_server) -> None:  # type: ignore[no-untyped-def]
    throttled = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                    "SMTP_PORT": mail_server.port, "RATELIMIT_ENABLED": True})
    # Load the owner now: inside the other app's context, a lazy load would borrow that app's connection for this
    # app's session, and no one would give it back.
    db.session.refresh(owner)
    try:
        with throttled.app_context():
            client = throttled.test_client()
            statuses = [sign_in(client, owner, password=f"guess {n}").status_code for n in range(12)]
            assert "Too many attempts" in sign_in(client, owner, password="again").get_data(as_text=True)
            db.session.remove()  # return its connection, so dispose() can close it
            db.engine.dispose()
    finally:
        create_app("test")  # put the shared limiter back the way the other tests expect it
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


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


def test_one_address_spraying_many_accounts_is_throttled(app: Flask, create_user, mail_server) -> None:  # type: ignore[no-untyped-def]
    people = [create_user(Role.OWNER) for _ in range(4)]
    for person in people:
        db.session.refresh(person)
    throttled = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                    "SMTP_PORT": mail_server.port, "RATELIMIT_ENABLED": True,
                                    "LOGIN_ADDRESS_LIMIT": "6 per minute"})
    try:
        with throttled.app_context():
            client = throttled.test_client()
            statuses = [sign_in(client, person, password=f"guess {n}").status_code
                        for person in people for n in range(2)]
            db.session.remove()
            db.engine.dispose()
    finally:
        create_app("test")
    assert statuses[:6] == [200] * 6 and statuses[6:] == [429, 429]  # each account tried only twice


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
