"""Settings for the test suite; tests override the database URL, SMTP port and queue as they need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.base import common
from config.keys import parse_key_ring

TEST_MASTER_KEY = "test1:TYocnuQT2pmPRDz-qQTi-qpsB4Id8Wq11Gho8UFifVI"  # never used outside tests


def settings(instance_path: str, env: Mapping[str, str]) -> dict[str, Any]:
    return common() | {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "MASTER_KEYS": parse_key_ring(TEST_MASTER_KEY),
        "LINK_KEY": b"test-link-key",
        "SQLALCHEMY_DATABASE_URI": env.get("TEST_DATABASE_URL", "sqlite://"),
        "QUEUE_MODE": "sync",
        "PUBLIC_URL": "http://localhost",
        "RATELIMIT_ENABLED": False,
        "SMTP_PORT": 0,
    }
