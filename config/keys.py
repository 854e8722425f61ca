"""Parsing of key settings. Keys never live in the database: they come from the environment (production)
or from a file under instance/ that `make run` creates once (development)."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from pathlib import Path


def parse_key_ring(value: str) -> dict[str, bytes]:
    """Parse "id1:base64key,id2:base64key" (the first is the primary) into an ordered dict of 32-byte keys."""
    ring: dict[str, bytes] = {}
    for part in (p.strip() for p in value.split(",") if p.strip()):
        key_id, sep, encoded = part.partition(":")
        if not sep or not key_id:
            raise ValueError(f"'{part[:12]}…' is not written as id:base64key")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise ValueError(f"key '{key_id}' is not valid base64") from None
        if len(key) != 32:
            raise ValueError(f"key '{key_id}' is {len(key)} bytes; it must be 32 bytes (256 bits)")
        ring[key_id] = key
    if not ring:
        raise ValueError("no keys given")
    return ring


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def development_secrets(instance_path: str) -> dict[str, str]:
    """Secrets for a developer's machine, created on first use and kept in instance/dev-secrets.json."""
    path = Path(instance_path) / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "MASTER_KEYS": f"dev1:{new_key_text()}",
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values
