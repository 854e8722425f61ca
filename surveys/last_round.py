"""Starting a round's rater list from the owner's last round (PRODUCT §2.1, §10): the people asked last time, to be
put in the paste box, reviewed and added afresh, each checked like any pasted line and invited anew. Once the last
round's rater details have been purged (surveys.rights.purge_raters) there is nothing to offer, and the page says so.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.db import read_once
from app.extensions import db
from surveys.models import Cycle, Invitation
from surveys.rater_list import RaterEntry, as_pasted_list


@dataclass(frozen=True)
class LastRoundList:
    started_on: date
    purged_on: date | None
    text: str  # the lines for the paste box; empty when purged or everyone is on this round's list already

    @property
    def count(self) -> int:
        return len(self.text.splitlines())


def last_round_list(cycle: Cycle, listed_emails: Collection[str]) -> LastRoundList | None:
    """The owner's most recent earlier round that had raters, or None when there is none. `listed_emails` are this
    round's raters who are not withdrawn: they are left out of the lines offered."""
    rows = read_once(("last_round", cycle.id), lambda: db.session.execute(_LAST_ROUND, {
        "owner_id": cycle.owner_id, "cycle_id": cycle.id, "created_at": cycle.created_at}).all())
    if not rows:
        return None
    started, purged = rows[0].created_at.date(), rows[0].raters_purged_at
    if purged is not None:
        return LastRoundList(started, purged.date(), "")
    entries = [RaterEntry(row.name, row.email, row.category) for row in rows if row.withdrawn_at is None]
    return LastRoundList(started, None, as_pasted_list(entries, listed_emails))


def _last_round_statement() -> sa.Select[Any]:
    """That round with its raters, in one statement (it has at least one: that is what makes it the one). The
    subquery's tables are aliases, so that nothing in it is correlated with the outer statement's; the tables'
    columns, not the models', so the ORM neither compiles nor loads it."""
    rounds, raters = Cycle.__table__, Invitation.__table__
    earlier, theirs = rounds.alias(), raters.alias()
    last = (sa.select(earlier.c.id)
            .where(earlier.c.owner_id == sa.bindparam("owner_id"), earlier.c.id != sa.bindparam("cycle_id"),
                   earlier.c.created_at < sa.bindparam("created_at"),
                   sa.exists().where(theirs.c.cycle_id == earlier.c.id))
            .order_by(earlier.c.created_at.desc()).limit(1).scalar_subquery())
    return (sa.select(rounds.c.created_at, rounds.c.raters_purged_at, raters.c.name, raters.c.email,
                      raters.c.category, raters.c.withdrawn_at)
            .join(raters, raters.c.cycle_id == rounds.c.id).where(rounds.c.id == last).order_by(raters.c.id))


_LAST_ROUND = _last_round_statement()
