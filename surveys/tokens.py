"""Rater links (PRODUCT §3.5): fresh random tokens, of which only hashes are kept.

Every email to a rater carries a token of its own: 256 random bits from the operating system, made when the mail is
rendered and never stored. The database keeps its SHA-256 hash only, and nothing stored or configured can rebuild
it (there is no key or nonce it is derived from), so neither a copy of the database nor the configuration opens a
rater's survey.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
TOKEN_LENGTH = 43  # URL-safe base64 of 32 bytes, without padding
_SHAPE = re.compile(f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database work: 43 URL-safe base64 characters."""
    return _SHAPE.fullmatch(text) is not None
