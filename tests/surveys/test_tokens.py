"""Rater links and rater cookies (PRODUCT §3.5), tested by what an attacker would need, not by their shape.

Strength is measured from secrets as they leave the server (the link in a reminder email, the cookie a link is
swapped for): a bit that does not vary like a coin flip across many issued secrets is a bit an attacker need not
guess. The statistics cannot see a small seed stretched by a hash; the rebuild test below covers the other way a
secret goes weak (being derived from something stored or configured).
"""

from __future__ import annotations

import re
import string

import sqlalchemy as sa
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from surveys import tokens
from surveys.mails import reminder_mail
from surveys.models import Cycle, Invitation, RaterLink
from tests.fixtures.entropy import SAMPLES, assert_unguessable, bits, coin_flip_bits

ALPHABET = string.ascii_letters + string.digits + "-_"
LINK = re.compile(r"/r/([A-Za-z0-9_\-]+)")


def _token_in(text: str) -> str:
    found = LINK.search(text)
    assert found is not None, text
    return found.group(1)


def _issued_links(invitation: Invitation, count: int) -> list[str]:
    """Tokens as they leave in reminder emails, one email each."""
    out = []
    for _ in range(count):
        mail = reminder_mail(invitation.id)
        assert mail is not None
        out.append(_token_in(mail.text))
    return out


def test_every_rater_link_carries_at_least_128_unguessable_bits(app: Flask, open_round: Cycle) -> None:
    invitation = open_round.invitations[0]
    issued = _issued_links(invitation, SAMPLES)
    assert_unguessable(issued)


def test_every_rater_cookie_carries_at_least_128_unguessable_bits(app: Flask, open_round: Cycle) -> None:
    invitation = open_round.invitations[0]
    secrets = []
    for token in _issued_links(invitation, SAMPLES):
        db.session.commit()
        response = app.test_client().get(f"/r/{token}")
        assert response.status_code == 302
        found = re.search(r"open360_rater=([^;]+)", response.headers["Set-Cookie"])
        assert found is not None
        secrets.append(found.group(1))
    assert_unguessable(secrets)


def test_the_measure_tells_a_4_byte_secret_from_a_16_byte_one() -> None:
    """The yardstick itself: padding a short random secret out to full length does not fool it."""
    import secrets as random_source

    short = [random_source.token_urlsafe(4)[:5].ljust(43, "A") for _ in range(SAMPLES)]
    full = [random_source.token_urlsafe(16) for _ in range(SAMPLES)]
    assert coin_flip_bits(short) < 40
    assert coin_flip_bits(full) >= 128


def _everything_stored() -> str:
    """Every value in every table, as one text: what a copy of the database gives an attacker."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            parts.extend(repr(value) for value in row)
    return "\n".join(parts)


def test_nothing_stored_or_configured_rebuilds_a_link(app: Flask, open_round: Cycle) -> None:
    invitation = open_round.invitations[0]
    db.session.commit()
    first = _issued_links(invitation, 1)[0]
    stored, configured = _everything_stored(), repr(sorted(app.config.items(), key=lambda kv: kv[0]))
    assert first not in stored and first not in configured
    assert tokens.token_hash(first) in set(db.session.scalars(sa.select(RaterLink.token_hash)))
    # Put the database back exactly as it was before that email and issue again: a token derived from anything
    # stored or configured (a key, an id, a counter, a seeded generator) would come out the same.
    db.session.rollback()
    again = _issued_links(db.session.get(Invitation, invitation.id), 1)[0]
    assert again != first
    assert sum(a == b for a, b in zip(bits(first), bits(again), strict=True)) < 200  # unrelated, not a neighbour


def _one_character_swapped(parts: tuple[str, int, str]) -> str:
    text, at, other = parts
    return text[:at] + other + text[at + 1:]


# Most arbitrary text is far from a token, so most examples are drawn near one: right characters at lengths
# around 43, and a token-shaped text with one character swapped for anything.
@given(st.one_of(st.text(alphabet=ALPHABET, min_size=40, max_size=46),
                 st.tuples(st.text(alphabet=ALPHABET, min_size=43, max_size=43), st.integers(0, 42),
                           st.sampled_from(string.punctuation + string.whitespace) | st.characters())
                 .map(_one_character_swapped),
                 st.text(max_size=60)))
def test_only_43_url_safe_characters_pass_the_shape_check(text: str) -> None:
    assert tokens.looks_like_token(text) == (len(text) == 43 and set(text) <= set(ALPHABET))
