"""The throttle on guessing: counters in the database, by name, for any route that checks a secret.

Why the database and not Redis: every web process shares it, it is already needed to check a password, and it
keeps working when Redis is down (PRODUCT §8), so a Redis outage neither stops sign-in nor lifts the throttle. A
per-process counter in memory would not do: behind a balancer of N processes an attacker gets N times the guesses.

Use:
    keys = [Key("sign-in-account", email), Key("sign-in-address", request.remote_addr)]
    wait = take(keys, now)      # counts one attempt on each key, or none and says how long to wait
    ...check the secret...
    forget([...account keys...]); give_back([...address keys...])   # when it was right

Rules are named in the THROTTLE_RULES setting (config/base.py); their arithmetic is app/auth/rules.py. A key's
value is stored only as an HMAC under the app's secret key, so the table names no address and no account.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.auth import rules
from app.db import insert_unless_there
from app.extensions import db

# A concurrent attempt on the same key changed its counter between our read and our write: read again. Past this
# many tries the request is told to wait a moment rather than queue on a hot key.
_SWAPS = 5
_BUSY = timedelta(seconds=1)


class ThrottleCount(db.Model):
    __tablename__ = "throttle_counts"

    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)  # HMAC of rule name and value
    attempts: so.Mapped[int] = so.mapped_column()
    last_at: so.Mapped[datetime] = so.mapped_column()


@dataclass(frozen=True)
class Key:
    rule: str  # a name in THROTTLE_RULES
    value: str  # what is counted: a normalised email address, a client address, a device

    def digest(self) -> str:
        secret = current_app.config["SECRET_KEY"].encode()
        return hmac.new(secret, f"throttle:{self.rule}:{self.value}".encode(), hashlib.sha256).hexdigest()


def enabled() -> bool:
    return bool(current_app.config["THROTTLE_ENABLED"])


def rule(name: str) -> rules.Rule:
    return rules.Rule.from_config(current_app.config["THROTTLE_RULES"][name])


def _counts(digests: Sequence[str]) -> dict[str, rules.Count]:
    table = ThrottleCount.__table__
    found = db.session.execute(sa.select(table.c.key, table.c.attempts, table.c.last_at)
                               .where(table.c.key.in_(digests)))
    return {key: rules.Count(attempts, last_at) for key, attempts, last_at in found}


def take(keys: Sequence[Key], now: datetime) -> timedelta:
    """Count one attempt against every key, and commit, before the secret is checked; or, when any key must still
    wait, count nothing and return the longest wait. Commits (or rolls back) the session: call it first."""
    if not enabled():
        return rules.NO_WAIT
    digests = [key.digest() for key in keys]
    for _ in range(_SWAPS):
        counts = _counts(digests)
        waits = [rules.wait(rule(key.rule), counts.get(digest), now) for key, digest in zip(keys, digests, strict=True)]
        longest = max(waits, default=rules.NO_WAIT)
        if longest > rules.NO_WAIT:
            db.session.rollback()
            return longest
        swapped = all(_swap(digest, counts.get(digest), rules.counted(rule(key.rule), counts.get(digest), now))
                      for key, digest in zip(keys, digests, strict=True))
        if swapped:
            db.session.commit()
            return rules.NO_WAIT
        db.session.rollback()  # another attempt on one of these keys came first: look again
    return _BUSY


def forget(keys: Sequence[Key]) -> None:
    """The secret was right: these keys (an account, a device) start again. In the caller's transaction."""
    if enabled() and keys:
        db.session.execute(sa.delete(ThrottleCount).where(ThrottleCount.key.in_([key.digest() for key in keys])))


def give_back(keys: Sequence[Key]) -> None:
    """The secret was right: the attempt these keys (a client address) counted was no guess. In the caller's
    transaction; one statement, so two at once both count."""
    if enabled() and keys:
        db.session.execute(sa.update(ThrottleCount)
                           .where(ThrottleCount.key.in_([key.digest() for key in keys]), ThrottleCount.attempts > 0)
                           .values(attempts=ThrottleCount.attempts - 1))


def _swap(digest: str, seen: rules.Count | None, new: rules.Count) -> bool:
    """Write `new` only if the row is still as `seen` (absent, or these values): True when it was written."""
    table = ThrottleCount.__table__
    if seen is None:
        statement = insert_unless_there(table, table.c.key).values(key=digest, attempts=new.attempts,
                                                                   last_at=new.last_at)
    else:
        statement = sa.update(table).where(table.c.key == digest, table.c.attempts == seen.attempts,
                                           table.c.last_at == seen.last_at).values(
            attempts=new.attempts, last_at=new.last_at)
    # RETURNING, not rowcount: on PostgreSQL (psycopg) an INSERT … ON CONFLICT DO NOTHING that inserted gave 0
    return db.session.execute(statement.returning(table.c.key)).scalar() is not None
