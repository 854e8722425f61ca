"""Set-password links, password-reset links and signed-in sessions, tested by what an attacker needs (PRODUCT §3.5
asks it of rater links, tests/surveys/test_tokens.py; the same holds for every secret that leaves the server).

Each secret is issued 256 times through the real pages and the real mail (over SMTP to the test's server), its
secret part cut from the fixed parts of the address or cookie, and measured (tests/fixtures/entropy.py); then the
database is searched for it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts import mails
from app.accounts.models import AccountLink
from app.accounts.operations import token_hash
from app.extensions import db
from app.mail import Message
from app.models import Organisation, Role, User
from tests.conftest import csrf_from, post_form
from tests.fixtures.entropy import SAMPLES, assert_unguessable
from tests.fixtures.insider import database_bytes
from tests.fixtures.people import sign_in
from tests.fixtures.smtp import MailCatcher

ACCOUNT_LINK = re.compile(r"http://localhost/account/link/([A-Za-z0-9_\-]+)\s")


def _links(mailbox: MailCatcher, address: str) -> list[str]:
    found = [ACCOUNT_LINK.search(MailCatcher.text(m) + "\n") for m in mailbox.to(address)]
    assert all(found), "an account email without its link"
    return [m.group(1) for m in found if m]


def _stored_nowhere(app: Flask, secrets: list[str]) -> None:
    """No secret is in any row of any table, and the links are there only as their hashes."""
    stored = database_bytes(app)
    assert not [s for s in secrets if s.encode() in stored]
    hashes = set(db.session.scalars(sa.select(AccountLink.token_hash)))
    assert hashes >= {token_hash(s) for s in secrets}


def _rebuilt_after_rollback(render: Callable[[int], Message | None], link_id: int) -> tuple[str, str]:
    """The link's email rendered twice from exactly the same database: a token made from anything stored or
    configured (a key, an id, a counter, a seeded generator) would come out the same twice."""
    texts = []
    for _ in range(2):
        message = render(link_id)
        assert message is not None
        texts.append(ACCOUNT_LINK.search(message.text + "\n").group(1))  # type: ignore[union-attr]
        db.session.rollback()
    return texts[0], texts[1]


def test_set_password_links_carry_at_least_128_unguessable_bits(app: Flask, create_user: Callable[..., User],
                                                                 organisation: Organisation,
                                                                 mailbox: MailCatcher) -> None:
    admin = app.test_client()
    assert sign_in(admin, create_user(Role.ADMIN, name="Ada Admin")).status_code == 302
    response = post_form(admin, f"/organisations/{organisation.id}/people/invite",
                         {"name": "Ivy Invited", "email": "ivy@trust.example", "roles": "owner"})
    assert response.status_code == 302
    ivy = db.session.scalar(sa.select(User).where(User.email == "ivy@trust.example"))
    assert ivy is not None
    page = admin.get(f"/people/{ivy.id}").get_data(as_text=True)
    token = re.search(r'name="act-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    for _ in range(SAMPLES - 1):  # "Send a new link", as a local lead does for someone who lost theirs
        assert admin.post(f"/people/{ivy.id}/invite-again", data={"act-csrf_token": token.group(1)}
                          ).status_code == 302
    links = _links(mailbox, "ivy@trust.example")
    measured = assert_unguessable(links)
    print(f"set-password links: {measured}")
    _stored_nowhere(app, links)
    newest = db.session.scalar(sa.select(AccountLink.id).where(AccountLink.user_id == ivy.id,
                                                               AccountLink.used_at.is_(None)))
    assert newest is not None
    first, again = _rebuilt_after_rollback(mails.invitation_mail, newest)
    assert first != again


def test_password_reset_links_carry_at_least_128_unguessable_bits(app: Flask, create_user: Callable[..., User],
                                                                  mailbox: MailCatcher) -> None:
    people = [create_user(Role.OWNER, email=f"reset{n}@trust.example") for n in range(SAMPLES)]
    client = app.test_client()
    form = csrf_from(client.get("/forgot-password").get_data(as_text=True))
    for person in people:  # one email per account per quarter hour: each sample is another person's
        response = client.post("/forgot-password", data={"csrf_token": form, "email": person.email})
        assert response.status_code == 200
    links = [link for person in people for link in _links(mailbox, person.email)]
    assert len(links) == SAMPLES
    measured = assert_unguessable(links)
    print(f"reset links: {measured}")
    _stored_nowhere(app, links)
    reset = db.session.scalars(sa.select(AccountLink.id).order_by(AccountLink.id.desc())).first()
    assert reset is not None
    first, again = _rebuilt_after_rollback(mails.reset_mail, reset)
    assert first != again


SESSION = re.compile(r"(?:^|, )session=([^;]+)")


def _session_cookie(response) -> str:  # type: ignore[no-untyped-def]
    found = SESSION.search(", ".join(response.headers.getlist("Set-Cookie")))  # beside it, the browser's mark
    assert found is not None, response.headers
    return found.group(1)


def _signed_in(app: Flask, cookie: str) -> bool:
    client = app.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    return client.get("/round").status_code == 200


def _sign_out(client: FlaskClient) -> str:
    """Sign out by the form every page carries; returns the session's CSRF secret, as that form's token holds it."""
    page = client.get("/privacy").get_data(as_text=True)
    found = re.search(r"/sign-out\?csrf_token=([^\"&]+)", page)
    assert found is not None
    assert client.post(f"/sign-out?csrf_token={found.group(1)}").status_code == 302
    # The token is the session's secret (hex), signed: readable, so measured as the bytes it is.
    payload = found.group(1).split(".")[0]
    secret = bytes.fromhex(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    return base64.urlsafe_b64encode(secret).decode().rstrip("=")


def test_signed_in_sessions_carry_at_least_128_unguessable_bits_and_end_at_sign_out(
        app: Flask, owner: User) -> None:
    """What keeps someone signed in is the session cookie Flask signs: its readable part (the account's number, the
    sign-out counter, the time) is no secret; the signature is what an attacker must guess to make one. Every
    copy stops working at sign-out, which moves the counter on. The session also carries its CSRF secret, which
    every form sends back: measured too."""
    client = app.test_client()
    cookies, csrf_secrets = [], []
    for _ in range(SAMPLES):
        response = sign_in(client, owner)
        assert response.status_code == 302
        cookies.append(_session_cookie(response))
        csrf_secrets.append(_sign_out(client))
    signatures = [cookie.rsplit(".", 1)[1] for cookie in cookies]
    measured = assert_unguessable(signatures)
    print(f"session signatures: {measured}")
    # The session's CSRF secret is made afresh at each sign-in; a forged form needs it (or the signing key).
    print(f"sessions' CSRF secrets: {assert_unguessable(csrf_secrets)}")
    stored = database_bytes(app)
    assert not [c for c in cookies if c.encode() in stored or c.rsplit(".", 1)[1].encode() in stored]
    assert app.config["SECRET_KEY"].encode() not in stored
    assert not [c for c in cookies if _signed_in(app, c)]  # every one of them, signed out, copies included
    live = sign_in(client, owner)
    assert _signed_in(app, _session_cookie(live))  # so the refusal above is the sign-out's


def test_the_yardsticks_refuse_a_short_secret_padded_or_repeated_to_length() -> None:
    import secrets as random_source

    padded = [random_source.token_urlsafe(4)[:5].ljust(43, "A") for _ in range(SAMPLES)]  # 30 bits: both see it
    repeated = [random_source.token_urlsafe(8) * 2 for _ in range(SAMPLES)]  # 64 bits twice: Shannon alone is fooled
    for weak in (padded, repeated):
        with pytest.raises(AssertionError):
            assert_unguessable(weak)
    assert_unguessable([random_source.token_urlsafe(16) for _ in range(SAMPLES)])
