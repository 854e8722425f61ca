"""Production: every secret and server address comes from the environment; start-up refuses without them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from config.base import common, web_threads
from config.keys import parse_key_ring

REQUIRED = {
    "SECRET_KEY": "a long random string that signs sessions",
    "DATABASE_URL": "the PostgreSQL URL, e.g. postgresql+psycopg://user:pass@host/open360",
    "REDIS_URL": "the Redis URL for the RQ queue, e.g. redis://host:6379/0",
    "SMTP_HOST": "the SMTP server that sends mail",
    "MAIL_FROM": "the sender, e.g. Open360 <no-reply@example.nhs.uk>",
    "PUBLIC_URL": "the address people reach the service at, e.g. https://open360.example.nhs.uk",
    "OPEN360_MASTER_KEYS": "id:base64key[,id:base64key…]: 32-byte keys that wrap data keys; the first is primary",
    "CONTACT_EMAIL": "the email address of the team that runs the service: the accessibility statement gives it to "
                     "everyone, raters included (the Public Sector Bodies Accessibility Regulations 2018)",
}


def settings(instance_path: str, env: Mapping[str, str]) -> dict[str, Any]:
    from config import ConfigError

    missing = [f"  {name}: {why}" for name, why in REQUIRED.items() if not env.get(name)]
    if missing:
        raise ConfigError("Open360 cannot start in production; set these environment variables:\n"
                          + "\n".join(missing))
    try:
        master_keys = parse_key_ring(env["OPEN360_MASTER_KEYS"])
    except ValueError as exc:
        raise ConfigError(f"OPEN360_MASTER_KEYS is malformed: {exc}") from None
    security = env.get("SMTP_SECURITY", "starttls")
    if security not in {"none", "starttls", "ssl"}:
        raise ConfigError("SMTP_SECURITY must be none, starttls or ssl.")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", env["CONTACT_EMAIL"]):
        raise ConfigError("CONTACT_EMAIL must be one email address, e.g. open360@example.nhs.uk.")
    base = common()
    return base | {
        "SECRET_KEY": env["SECRET_KEY"],
        # Earlier keys, for a rotation: sessions they signed still open, and the hashes they keyed still match.
        "SECRET_KEY_FALLBACKS": [key for key in env.get("SECRET_KEY_FALLBACKS", "").split(",") if key],
        "MASTER_KEYS": master_keys,
        "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
        # A connection kept for every thread: SQLAlchemy's default keeps 5 and closes the overflow's as they come
        # back, so under load a web process of 16 threads opened a PostgreSQL session every 20 requests or so (3-4
        # ms of the server's CPU each). The overflow is for a request's second connection (the read log's own).
        "SQLALCHEMY_ENGINE_OPTIONS": base["SQLALCHEMY_ENGINE_OPTIONS"] | {
            "pool_size": web_threads(env), "max_overflow": 10},
        "USAGE_READ_DATABASE_URL": env.get("USAGE_READ_DATABASE_URL") or None,
        "QUEUE_MODE": "redis",
        "REDIS_URL": env["REDIS_URL"],
        "PUBLIC_URL": env["PUBLIC_URL"].rstrip("/"),
        "MAIL_FROM": env["MAIL_FROM"],
        "SMTP_HOST": env["SMTP_HOST"],
        "SMTP_PORT": int(env.get("SMTP_PORT", "587")),
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "PROXY_HOPS": _proxy_hops(env.get("PROXY_HOPS", "0")),
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PREFERRED_URL_SCHEME": "https",
        "HSTS_SECONDS": 365 * 24 * 3600,
        "CONTACT_EMAIL": env["CONTACT_EMAIL"],
        "SERVICE_OPERATOR": env.get("SERVICE_OPERATOR", ""),
    }


def _proxy_hops(text: str) -> int:
    from config import ConfigError

    if not text.isdigit():
        raise ConfigError("PROXY_HOPS must be the number of reverse proxies in front of the web processes (0 if none).")
    return int(text)
