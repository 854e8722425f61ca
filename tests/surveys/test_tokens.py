import math

from hypothesis import given
from hypothesis import strategies as st

from surveys import tokens


def test_a_token_carries_at_least_128_bits() -> None:
    token = tokens.new_token()
    assert len(token) * math.log2(64) >= 128
    assert tokens.looks_like_token(token)


def test_tokens_are_random() -> None:
    assert len({tokens.new_token() for _ in range(1000)}) == 1000


def test_the_stored_hash_is_not_the_token() -> None:
    token = tokens.new_token()
    assert token not in tokens.token_hash(token)
    assert len(tokens.token_hash(token)) == 64


@given(st.text(max_size=60))
def test_malformed_tokens_are_rejected_before_any_lookup(text: str) -> None:
    if tokens.looks_like_token(text):
        assert len(text) == 43 and text.isascii()
