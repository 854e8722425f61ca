"""Sign-in and forgotten-password throttling through the pages (PRODUCT §8): per account whatever the address, per
address as the trusted proxy saw it, never saying whether an account exists, and never locking a person out of the
browser they use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import _trust_proxies
from app.auth.throttle import ThrottleCount
from app.extensions import db
from app.models import Role, User
from tests.conftest import post_form
from tests.fixtures.clock import TestClock
from tests.fixtures.people import PASSWORD, sign_in


@pytest.fixture
def throttled(app: Flask) -> Iterator[Flask]:
    app.config["THROTTLE_ENABLED"] = True
    yield app
    app.config["THROTTLE_ENABLED"] = False


def from_address(client: FlaskClient, address: str) -> FlaskClient:
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_eighty_guesses_from_eight_addresses_leave_the_account_waiting(throttled: Flask, owner: User,
                                                                       clock: TestClock) -> None:
    statuses = [sign_in(from_address(throttled.test_client(), f"198.51.100.{n % 8}"), owner, f"guess {n}").status_code
                for n in range(80)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}  # 5 looked at, then the account waits
    right = sign_in(from_address(throttled.test_client(), "192.0.2.77"), owner)  # the right password, elsewhere
    page = right.get_data(as_text=True)
    assert right.status_code == 429 and "too many attempts to sign in. Try again in 1 minute" in page
    assert "Error:" in page and "Forgotten your password?" in page
    clock.advance(minutes=1)
    assert sign_in(from_address(throttled.test_client(), "192.0.2.77"), owner).status_code == 302


def test_the_wait_doubles_and_hammering_does_not_lengthen_it(throttled: Flask, owner: User, clock: TestClock) -> None:
    client = throttled.test_client()
    statuses = [sign_in(client, owner, f"guess {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]  # 5 free; the wait of 1 minute began at the 5th
    clock.advance(minutes=1)
    assert sign_in(client, owner, "guess 6").status_code == 200  # looked at (wrong); now 2 minutes
    for _ in range(10):
        clock.advance(seconds=10)
        assert sign_in(client, owner, "hammer").status_code == 429
    clock.advance(seconds=21)  # 2 minutes and a second since the last guess looked at
    assert sign_in(client, owner).status_code == 302


def test_an_unknown_email_is_throttled_just_like_a_real_one(throttled: Flask, owner: User) -> None:
    def statuses(email: str) -> list[int]:
        client = throttled.test_client()
        return [post_form(client, "/sign-in", {"email": email, "password": f"guess {n}"}).status_code
                for n in range(7)]

    assert statuses(owner.email) == statuses("nobody@trust.example") == [200] * 5 + [429] * 2


def test_a_browser_that_signed_in_before_is_not_locked_out_by_guessing_elsewhere(throttled: Flask,
                                                                                 owner: User) -> None:
    usual = throttled.test_client()
    assert sign_in(usual, owner).status_code == 302
    assert usual.get_cookie("open360_device", path="/sign-in") is not None
    usual.delete_cookie("session")  # signed out; the browser keeps its mark
    for n in range(20):
        sign_in(from_address(throttled.test_client(), f"203.0.113.{n}"), owner, f"guess {n}")
    assert sign_in(from_address(throttled.test_client(), "192.0.2.1"), owner).status_code == 429
    assert sign_in(usual, owner).status_code == 302  # its own allowance, untouched by the attacker's guesses


def test_a_device_mark_for_another_account_counts_for_nothing(throttled: Flask, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    other = create_user(Role.OWNER)
    client = throttled.test_client()
    assert sign_in(client, other).status_code == 302  # the attacker's own account marks the attacker's browser
    client.delete_cookie("session")
    statuses = [sign_in(client, owner, f"guess {n}").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # the owner's account is counted, not the attacker's browser


def test_behind_a_proxy_a_forwarded_address_per_request_gets_no_more_guesses(throttled: Flask, owner: User,
                                                                            create_user) -> None:  # type: ignore[no-untyped-def]
    throttled.config["PROXY_HOPS"] = 1
    _trust_proxies(throttled)
    throttled.config["THROTTLE_RULES"] = {**throttled.config["THROTTLE_RULES"], "sign-in-address": {
        "free": 10, "first_wait": 60, "longest_wait": 900, "forgive_every": 12}}
    people = [create_user(Role.OWNER) for _ in range(4)]

    def attempt(n: int, person: User) -> int:
        client = throttled.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
        # the attacker writes a fresh address; the proxy appends the address it saw
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"100.64.{n // 250}.{n % 250}, 203.0.113.9"
        return sign_in(client, person, f"guess {n}").status_code

    one_account = [attempt(n, owner) for n in range(40)]
    assert one_account.count(200) == 5  # the account's allowance, whatever the addresses
    sprayed = [attempt(100 + n, people[n % 4]) for n in range(12)]
    assert sprayed.count(200) == 5  # the address as the proxy saw it: 10 free, 5 of them spent above
    # one key per account tried and one for 203.0.113.9: none for the addresses the attacker wrote
    assert db.session.query(ThrottleCount).count() == 1 + 4 + 1


def test_the_table_names_no_account_and_no_address(throttled: Flask, owner: User) -> None:
    sign_in(from_address(throttled.test_client(), "198.51.100.7"), owner, "wrong")
    keys = [row.key for row in db.session.query(ThrottleCount)]
    assert len(keys) == 2 and not any("198.51" in key or "olivia" in key for key in keys)


def test_a_right_password_clears_the_account_and_gives_the_address_its_attempt_back(throttled: Flask,
                                                                                     owner: User) -> None:
    client = throttled.test_client()
    for n in range(4):
        sign_in(client, owner, f"typo {n}")
    assert sign_in(client, owner).status_code == 302
    counts = sorted(row.attempts for row in db.session.query(ThrottleCount))
    assert counts == [4]  # the address's four typos; the account's count is gone (and the browser's had none)


def test_nobody_can_keep_a_person_from_resetting_their_own_password(
        throttled: Flask, owner: User, mailbox) -> None:  # type: ignore[no-untyped-def]
    """Found by an adversarial review: a per-account count let three requests a quarter-hour from anywhere refuse
    the person's own. Requests about one address from many places are all answered alike; the account gets one
    email a window, whose link is theirs to use."""
    for n in range(6):
        client = from_address(throttled.test_client(), f"198.51.100.{n}")
        for email in (owner.email, "nobody@trust.example.org"):
            page = post_form(client, "/forgot-password", {"email": email})
            assert page.status_code == 200 and "Error:" not in page.get_data(as_text=True)
    assert len(mailbox.to(owner.email)) == 1


def test_a_known_browser_is_not_kept_out_by_guessing_from_its_shared_address(throttled: Flask, owner: User,
                                                                             create_user) -> None:  # type: ignore[no-untyped-def]
    """A hospital's NAT: someone there sprays wrong passwords at many accounts until the address must wait; a
    colleague on the browser they signed in with before still signs in at once."""
    usual = from_address(throttled.test_client(), "203.0.113.7")
    assert sign_in(usual, owner).status_code == 302
    usual.delete_cookie(throttled.config["SESSION_COOKIE_NAME"])  # signed out; the browser's mark stays
    sprayer = from_address(throttled.test_client(), "203.0.113.7")
    for n in range(40):
        sign_in(sprayer, create_user(Role.OWNER), f"wrong guess {n}")
    assert sign_in(from_address(throttled.test_client(), "203.0.113.7"), owner).status_code == 429
    assert sign_in(usual, owner).status_code == 302


def test_forgotten_password_requests_from_one_address_are_throttled(throttled: Flask) -> None:
    client = from_address(throttled.test_client(), "198.51.100.99")
    statuses = [post_form(client, "/forgot-password", {"email": f"person{n}@trust.example"}).status_code
                for n in range(12)]
    assert statuses == [200] * 10 + [429] * 2


def test_with_the_throttle_off_nothing_is_counted(app: Flask, owner: User) -> None:
    for n in range(8):
        assert sign_in(app.test_client(), owner, f"guess {n}").status_code == 200
    assert db.session.query(ThrottleCount).count() == 0
    assert sign_in(app.test_client(), owner, PASSWORD).status_code == 302
