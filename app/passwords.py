"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations), a few at a time.

Each check takes 64 MiB for about 50 ms, so unbounded checks let a crowd of sign-ins (60 at once took a server from
251 MB to 1.1 GB) starve the process: at most `PASSWORD_CHECKS` run at once per process, the rest wait up to
`PASSWORD_CHECK_WAIT` seconds and are then refused with PasswordChecksBusy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
_slots = threading.BoundedSemaphore(4)
_wait = [5.0]


class PasswordChecksBusy(RuntimeError):
    """Too many password checks at once: try again in a moment."""


def configure(checks: int, wait_seconds: float) -> None:
    global _slots
    _slots = threading.BoundedSemaphore(checks)
    _wait[0] = wait_seconds


@contextmanager
def _checking() -> Iterator[None]:
    slots = _slots  # the one configured when the check began, even if create_app() configures another meanwhile
    if not slots.acquire(timeout=_wait[0]):
        raise PasswordChecksBusy("too many password checks at once")
    try:
        yield
    finally:
        slots.release()


def hash_password(password: str) -> str:
    with _checking():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """False for an account with no password yet (an empty hash: invited, link not used), whatever is typed: the
    dummy hash it is checked against for timing has a password anyone can read here."""
    with _checking():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False
