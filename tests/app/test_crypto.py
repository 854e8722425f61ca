import pytest

from app.crypto import DecryptionError, KeyRing
from config.keys import parse_key_ring
from tests.fixtures.keys import new_key_ring, new_keys


def test_text_survives_a_round_trip() -> None:
    ring = new_key_ring("k1")
    sealed = ring.encrypt_text("Calm under pressure", "responses.comments")
    assert "Calm" not in sealed
    assert ring.decrypt_text(sealed, "responses.comments") == "Calm under pressure"


def test_the_same_text_encrypts_differently_each_time() -> None:
    ring = new_key_ring("k1")
    assert ring.encrypt_text("x", "c") != ring.encrypt_text("x", "c")


def test_a_value_moved_to_another_context_does_not_decrypt() -> None:
    ring = new_key_ring("k1")
    sealed = ring.encrypt_text("secret", "responses.comments")
    with pytest.raises(DecryptionError):
        ring.decrypt_text(sealed, "rater_drafts.comments")


def test_tampered_ciphertext_fails_loudly() -> None:
    ring = new_key_ring("k1")
    sealed = ring.encrypt_text("secret", "c")
    middle = len(sealed) - 10
    flipped = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1:]
    with pytest.raises(DecryptionError):
        ring.decrypt_text(flipped, "c")


def test_unknown_key_id_fails_loudly() -> None:
    sealed = new_key_ring("old").encrypt_text("secret", "c")
    with pytest.raises(DecryptionError, match="unknown key id"):
        new_key_ring("new").decrypt_text(sealed, "c")


def test_older_keys_still_decrypt_while_new_writes_use_the_primary() -> None:
    old_ring = new_key_ring("old")
    sealed = old_ring.encrypt_text("secret", "c")
    both = KeyRing({**new_keys("new"), "old": old_ring.key("old")})
    assert both.decrypt_text(sealed, "c") == "secret"
    assert both.encrypt_text("x", "c").startswith("v1.new.")


@pytest.mark.parametrize("bad", ["", "k1", "k1:short", "k1:!!!notbase64"])
def test_malformed_key_settings_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_key_ring(bad)


@pytest.mark.parametrize("outside", ["\n", "+", "/", " ", "*"])
def test_a_ciphertext_with_a_character_outside_its_alphabet_is_refused(outside: str) -> None:
    # The decoder is strict: the standard library's would have skipped the character and opened the value.
    ring = new_key_ring("k1")
    sealed = ring.encrypt_text("secret", "c")
    middle = len(sealed) // 2 + 4
    with pytest.raises(DecryptionError):
        ring.decrypt_text(sealed[:middle] + outside + sealed[middle:], "c")
