"""One machine, nothing to install: SQLite under instance/, an in-process queue, mail captured to a local outbox."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from config.base import common
from config.keys import development_secrets, parse_key_ring


def settings(instance_path: str, env: Mapping[str, str]) -> dict[str, Any]:
    secrets = development_secrets(instance_path)
    database = os.path.join(os.path.abspath(instance_path), "open360.sqlite3")
    return common() | {
        "SECRET_KEY": secrets["SECRET_KEY"],
        "MASTER_KEYS": parse_key_ring(secrets["MASTER_KEYS"]),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", f"sqlite:///{database}"),
        "QUEUE_MODE": "embedded",
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "SHOW_OUTBOX": True,
        "SERVICE_OPERATOR": env.get("SERVICE_OPERATOR", "the Open360 demo team"),
        # The demo's accessibility statement gives an address as a real deployment's must (production requires it).
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL", "accessibility@demo.open360.test"),
        "OUTBOX_DIR": os.path.join(os.path.abspath(instance_path), "outbox"),
        "SMTP_PORT": int(env.get("OUTBOX_SMTP_PORT", "8025")),
    }
