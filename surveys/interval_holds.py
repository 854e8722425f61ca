"""The minimum interval between an owner's rounds outlives their account (PRODUCT §2.1, §7).

Deleting a round keeps when it closed on the owner's account (`User.deleted_round_closed_at`, surveys/rights.py), so
a report downloaded before the round went cannot be set beside a new one of nearly the same raters at once. Deleting
the whole account took that with it: an owner could download their report, delete their account, be invited again
at the same address and start the next round the same day. So an account's deletion keeps one row while the
interval could still run: the organisation, a keyed hash of the address (HMAC-SHA256 under `SECRET_KEY` of its
mailbox spelling, app/addresses.py: `A.B+x@nhs.net` is `a.b@nhs.net`) and when the round closed; nothing else. An
account made later in that organisation for the same mailbox, however it is made (an administrator, bulk import, SCIM,
single sign-on, the command line), or an account whose address is changed to it, starts with that close as its own;
the row goes once the longest interval an organisation may set has passed (the clock's purge, surveys/rights.py).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.accounts.rules import ROUND_INTERVAL_MONTHS_RANGE
from app.addresses import mailbox_key
from app.extensions import db
from app.models import User
from surveys.cycle import earliest_next_start, months_after
from surveys.models import IntervalHold
from surveys.operations import last_closed_on

_holds = IntervalHold.__table__


def address_key(address: str, secret: str | None = None) -> str:
    key = (secret or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"interval-hold:{mailbox_key(address)}".encode(), hashlib.sha256).hexdigest()


def address_keys(address: str) -> list[str]:
    """The address's key under `SECRET_KEY` and under each key it replaced (`SECRET_KEY_FALLBACKS`), so rotating the
    secret forgets no hold made before."""
    secrets = [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or [])]
    return [address_key(address, secret) for secret in secrets]


def hold_ends(closed_at: datetime) -> date:
    """A hold is kept for the longest interval an organisation may set, not only its interval now: an organisation
    that lengthens its interval after the account's deletion makes the new account wait as long as a kept one would.
    The new account's wait is judged, as every owner's is, by the organisation's interval when they start."""
    return months_after(closed_at.date(), ROUND_INTERVAL_MONTHS_RANGE[1])


def last_close_past_its_hold(today: date) -> date:
    """The last day a close may fall on for its hold to have ended by `today`. `hold_ends` never goes back as the
    close moves on, so every close on or before this day has ended too, and none after it."""
    day = months_after(today, -ROUND_INTERVAL_MONTHS_RANGE[1])  # a month's last day, if today's has no match
    while months_after(day + timedelta(days=1), ROUND_INTERVAL_MONTHS_RANGE[1]) <= today:
        day += timedelta(days=1)
    return day


def keep_interval(owner: User, today: date) -> None:
    """At the account's deletion, after its rounds went (each left its close on the account): keep the last close
    against the address while any interval the organisation may set could still run."""
    closed_at = owner.deleted_round_closed_at
    if closed_at is None or hold_ends(closed_at) <= today:
        return
    key = address_key(owner.email)
    held = db.session.scalar(sa.select(IntervalHold).where(IntervalHold.organisation_id == owner.organisation_id,
                                                            IntervalHold.address_key == key))
    if held is None:
        db.session.add(IntervalHold(organisation_id=owner.organisation_id, address_key=key, closed_at=closed_at))
    elif held.closed_at < closed_at:
        held.closed_at = closed_at
    db.session.flush()


def kept_until(owner: User, today: date) -> date | None:
    """The day a new account at the address could start a round, if a hold made now would make it wait (for the
    confirmation page); else None."""
    earliest = earliest_next_start(last_closed_on(owner), owner.organisation.min_round_interval_months)
    return earliest if earliest is not None and earliest > today else None


def forget_passed_holds(today: date) -> int:
    """Delete every hold past the longest interval an organisation may set: one statement, as the clock runs it at
    each tick."""
    after = datetime.combine(last_close_past_its_hold(today) + timedelta(days=1), time.min)
    return db.session.execute(sa.delete(IntervalHold).where(IntervalHold.closed_at < after)).rowcount


@sa.event.listens_for(so.Session, "before_flush")
def _take_on_holds(session: so.Session, _context: Any, _instances: Any) -> None:
    """New accounts, and accounts whose address changed, start from a hold on the same mailbox in the same
    organisation: one read a flush that has any (a bulk import of thousands is one flush, a few reads)."""
    users = [u for u in session.new if isinstance(u, User)] + [
        u for u in session.dirty if isinstance(u, User) and sa.inspect(u).attrs.email.history.has_changes()]
    wanted: dict[tuple[int, str], list[User]] = {}
    for user in users:
        organisation = sa.inspect(user).dict.get("organisation")
        organisation_id = user.organisation_id or (organisation.id if organisation is not None else None)
        if user.email and organisation_id is not None:  # a new organisation has no holds
            for key in address_keys(user.email):
                wanted.setdefault((organisation_id, key), []).append(user)
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        batch = keys[start:start + 500]
        found = session.connection().execute(
            sa.select(_holds.c.organisation_id, _holds.c.address_key, _holds.c.closed_at)
            .where(_holds.c.organisation_id.in_({organisation for organisation, _ in batch}),
                   _holds.c.address_key.in_([key for _, key in batch]))).all()
        for organisation_id, key, closed_at in found:
            for user in wanted.get((organisation_id, key), []):
                if user.deleted_round_closed_at is None or user.deleted_round_closed_at < closed_at:
                    user.deleted_round_closed_at = closed_at
