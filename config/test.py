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
        "SQLALCHEMY_DATABASE_URI": env.get("TEST_DATABASE_URL", "sqlite://"),
        # Test-only switches for worker and clock processes a test starts (tests/stack): the queue they share with
        # the test over a real Redis, and the test's SMTP server. The suite itself runs jobs synchronously.
        "QUEUE_MODE": env.get("TEST_QUEUE_MODE", "sync"),
        "REDIS_URL": env.get("TEST_REDIS_URL"),  # set by `python -m tests.servers` for the production-stack run
        "PUBLIC_URL": "http://localhost",
        "THROTTLE_ENABLED": False,  # tests that throttle turn it on
        "SMTP_PORT": int(env.get("TEST_SMTP_PORT", "0")),
    }
