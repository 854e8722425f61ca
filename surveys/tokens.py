"""Rater links (PRODUCT §3.5).

A link's token is HMAC-SHA256(link key, nonce): 256 bits no one can guess without the link key, which lives in
configuration, not the database. The database keeps the random nonce and the token's SHA-256 hash, never the token,
so someone reading the database cannot open a rater's link; the app can rebuild it to put in a reminder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

NONCE_BYTES = 16  # 128 bits


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def token_for(link_key: bytes, nonce: str) -> str:
    digest = hmac.new(link_key, nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database work: 43 URL-safe base64 characters."""
    return len(text) == 43 and all(c.isalnum() or c in "-_" for c in text)
