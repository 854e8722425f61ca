"""Envelope encryption of reports (PRODUCT §4).

Each report gets a fresh 256-bit data key. Its parts (HTML, PDF) are sealed with that key by AES-GCM, with the
report's id and the part's name as associated data, so a part moved to another report, or swapped with another
part, fails to open. The data key is wrapped by a master key from configuration (never the database) and stored
with that key's id (inside the wrapped string), which lets master keys rotate: re-wrap every data key under the
new primary while the old key still opens what has not been re-wrapped yet.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.crypto import DecryptionError, KeyRing

NONCE_BYTES = 12


def _key_context(report_id: int) -> bytes:
    return f"report:{report_id}:data-key".encode()


def _part_context(report_id: int, part: str) -> bytes:
    return f"report:{report_id}:part:{part}".encode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(ring: KeyRing, report_id: int, data_key: bytes) -> str:
    return ring.encrypt(data_key, _key_context(report_id))


def unwrap_key(ring: KeyRing, report_id: int, wrapped: str) -> bytes:
    return ring.decrypt(wrapped, _key_context(report_id))


def wrapping_key_id(wrapped: str) -> str:
    return wrapped.split(".", 2)[1]


def seal(data_key: bytes, report_id: int, part: str, plaintext: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, _part_context(report_id, part))


def open_sealed(data_key: bytes, report_id: int, part: str, sealed: bytes) -> bytes:
    try:
        return AESGCM(data_key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _part_context(report_id, part))
    except InvalidTag:
        raise DecryptionError(f"report {report_id} {part} failed authentication") from None


def rewrap(ring: KeyRing, report_id: int, wrapped: str) -> str:
    """The same data key, wrapped under the ring's primary master key."""
    return wrap_key(ring, report_id, unwrap_key(ring, report_id, wrapped))
