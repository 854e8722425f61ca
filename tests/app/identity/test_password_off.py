"""With password sign-in switched off, no email or link lets a person set a password they could never use."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Organisation, Role, User
from tests.app.identity.test_sso_flow import configure
from tests.conftest import post_form

PASSWORD = "plum kettle orbit lantern"


def _reset_link(mailbox, address: str) -> str | None:  # type: ignore[no-untyped-def]
    found = re.search(r"http://localhost(/account/link/[\w-]+)", mailbox.text(mailbox.to(address)[-1]))
    return found.group(1) if found else None


def test_a_reset_asked_for_with_passwords_off_points_at_the_provider(client: FlaskClient, organisation: Organisation,
                                                                     create_user: Callable[..., User],
                                                                     mailbox) -> None:  # type: ignore[no-untyped-def]
    configure(organisation, "https://login.example", passwords=False)
    user = create_user(Role.OWNER, email="ola@trust.example")
    post_form(client, "/forgot-password", {"email": user.email})
    [message] = mailbox.to(user.email)
    text = mailbox.text(message)
    assert _reset_link(mailbox, user.email) is None
    assert f"Sign in with {organisation.name} account" in text and "no Open360 password to reset" in text


def test_a_link_sent_before_passwords_were_switched_off_sets_no_password(
        client: FlaskClient, app: Flask, organisation: Organisation, create_user: Callable[..., User],
        mailbox) -> None:  # type: ignore[no-untyped-def]
    settings = configure(organisation, "https://login.example", passwords=True)
    user = create_user(Role.OWNER, email="ola@trust.example")
    before = user.password_hash
    post_form(client, "/forgot-password", {"email": user.email})
    link = _reset_link(mailbox, user.email)
    assert link is not None
    settings.allows_password_sign_in = False
    db.session.commit()

    person = app.test_client()
    assert person.get(link).status_code == 302
    page = person.get("/account/password").get_data(as_text=True)
    assert "Sign in with" in page and 'name="password"' not in page
    person.post("/account/password", data={"password": PASSWORD, "confirm": PASSWORD})
    db.session.refresh(user)
    assert user.password_hash == before
