import pytest

from app.crypto import DecryptionError, KeyRing
from reports import envelope
from tests.fixtures.keys import new_key_ring, new_keys


def test_each_report_gets_a_fresh_256_bit_data_key() -> None:
    keys = {envelope.new_data_key() for _ in range(100)}
    assert len(keys) == 100 and {len(k) for k in keys} == {32}


def test_a_part_opens_with_its_own_report_id_and_name_only() -> None:
    key = envelope.new_data_key()
    sealed = envelope.seal(key, 7, "html", b"<h1>Report</h1>")
    assert envelope.open_sealed(key, 7, "html", sealed) == b"<h1>Report</h1>"
    with pytest.raises(DecryptionError):
        envelope.open_sealed(key, 8, "html", sealed)  # swapped report id
    with pytest.raises(DecryptionError):
        envelope.open_sealed(key, 7, "pdf", sealed)  # swapped part


def test_tampered_content_fails_loudly() -> None:
    key = envelope.new_data_key()
    sealed = bytearray(envelope.seal(key, 7, "pdf", b"%PDF-1.7 ..."))
    sealed[20] ^= 1
    with pytest.raises(DecryptionError):
        envelope.open_sealed(key, 7, "pdf", bytes(sealed))


def test_a_wrapped_key_is_bound_to_its_report() -> None:
    ring = new_key_ring("m1")
    key = envelope.new_data_key()
    wrapped = envelope.wrap_key(ring, 7, key)
    assert envelope.wrapping_key_id(wrapped) == "m1"
    assert envelope.unwrap_key(ring, 7, wrapped) == key
    with pytest.raises(DecryptionError):
        envelope.unwrap_key(ring, 8, wrapped)


def test_an_unknown_master_key_id_fails_loudly() -> None:
    wrapped = envelope.wrap_key(new_key_ring("old"), 7, envelope.new_data_key())
    with pytest.raises(DecryptionError, match="unknown key id"):
        envelope.unwrap_key(new_key_ring("other"), 7, wrapped)


def test_rewrap_moves_a_key_to_the_new_primary_and_keeps_the_data_key() -> None:
    old = new_key_ring("old")
    key = envelope.new_data_key()
    wrapped = envelope.wrap_key(old, 7, key)
    both = KeyRing({**new_keys("new"), "old": old.key("old")})
    rewrapped = envelope.rewrap(both, 7, wrapped)
    assert envelope.wrapping_key_id(rewrapped) == "new"
    new_only = KeyRing({"new": both.key("new")})
    assert envelope.unwrap_key(new_only, 7, rewrapped) == key
