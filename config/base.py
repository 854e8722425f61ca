"""Settings shared by every environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Each thread of a web process serves one request at a time and holds one database connection while it does.
DEFAULT_WEB_THREADS = 16


def web_threads(env: Mapping[str, str]) -> int:
    """The threads of each web process (gunicorn.conf.py), `WEB_THREADS` in the environment."""
    return int(env.get("WEB_THREADS", DEFAULT_WEB_THREADS))


def common() -> dict[str, Any]:
    return {
        "SERVICE_NAME": "Open360",
        # The body that runs this deployment (for example "NHS Northshire Digital"): the accessibility statement says
        # "This website is run by …" and names it beside CONTACT_EMAIL.
        "SERVICE_OPERATOR": "",
        # The email address of the team that runs the service, who answer accessibility and privacy questions: the
        # accessibility statement gives it to everyone (raters have no account), besides an organisation's own
        # contact to its people. Production requires it.
        "CONTACT_EMAIL": "",
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # valid for the session: a slow form-filler never loses work to it
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A read replica for the local leads' usage pages only (usage/reads.py); None: they read the database.
        "USAGE_READ_DATABASE_URL": None,
        # Guessing is throttled by counters in the database (app/auth/throttle.py, rules in app/auth/rules.py), so
        # it holds across every web process and while Redis is down. Per rule: attempts free, then a wait doubling
        # from first_wait to longest_wait (seconds); one attempt forgiven every forgive_every seconds. The README's
        # "Sign-in throttle" gives what these mean for an attacker and for a locked-out person.
        "THROTTLE_ENABLED": True,
        "THROTTLE_RULES": {
            # per account, whatever the address: ~50 guesses a day; a person waits at most 30 minutes
            "sign-in-account": {"free": 5, "first_wait": 60, "longest_wait": 1800, "forgive_every": 3600},
            # per browser that signed in to the account before: its own allowance, so guessing elsewhere never
            # locks the person out of their usual browser
            "sign-in-device": {"free": 5, "first_wait": 60, "longest_wait": 1800, "forgive_every": 3600},
            # per client address, whatever the accounts (spraying): loose, as a whole hospital may share one
            "sign-in-address": {"free": 30, "first_wait": 60, "longest_wait": 900, "forgive_every": 12},
            # forgotten password: per client address (an account gets one email per RESET_WINDOW however often asked)
            "reset-address": {"free": 10, "first_wait": 60, "longest_wait": 3600, "forgive_every": 180},
            # single sign-on's return from the provider, per client address (the provider checks the password)
            "sso-callback-address": {"free": 30, "first_wait": 60, "longest_wait": 900, "forgive_every": 12},
            # SCIM, per bearer token (per address without one): a burst of 600, then one a second
            "scim-client": {"free": 600, "first_wait": 10, "longest_wait": 60, "forgive_every": 1},
        },
        # Argon2 checks at once in one process (each takes 64 MiB for ~50 ms): more wait, and after
        # PASSWORD_CHECK_WAIT seconds are told the service is busy, rather than the server running out of memory.
        "PASSWORD_CHECKS": 4,
        "PASSWORD_CHECK_WAIT": 5,
        "CYCLE_DEFAULT_DAYS": 21,
        "QUESTIONNAIRE_VERSION": "2026.1",
        "PROMPTS_VERSION": "2026.1",
        "MAIL_FROM": "Open360 <no-reply@open360.localhost>",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 25,
        "SMTP_SECURITY": "none",  # none | starttls | ssl
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "SMTP_TIMEOUT": 10,
        "SHOW_OUTBOX": False,
        # Pages are compressed as they are served: brotli at quality 4 takes 0.12 ms for a rater's page (27 KB to
        # 2.6 KB); at brotli's own default, 11, it took 54 ms for 0.5 KB less. Set here, not left to the library.
        "COMPRESS_BR_LEVEL": 4,
        "COMPRESS_LEVEL": 6,  # gzip
        "COMPRESS_ZSTD_LEVEL": 3,
        "COMPRESS_STREAMS": False,  # streamed files are left alone (app/assets.py reads its files whole instead)
        "OUTBOX_DIR": None,
        "HSTS_SECONDS": 0,  # production turns Strict-Transport-Security on
    }
