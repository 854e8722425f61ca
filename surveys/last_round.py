"""Starting a round's rater list from the owner's last round (PRODUCT §2.1, §10): the people asked last time, to be
put in the paste box, reviewed and added afresh, each checked like any pasted line and invited anew. Once the last
round's rater details have been purged (surveys.rights.purge_raters) there is nothing to offer, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

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


def last_round_list(cycle: Cycle) -> LastRoundList | None:
    """The owner's most recent earlier round that had raters, or None when there is none."""
    last = db.session.scalars(
        sa.select(Cycle).where(Cycle.owner_id == cycle.owner_id, Cycle.id != cycle.id,
                               Cycle.created_at < cycle.created_at,
                               sa.exists().where(Invitation.cycle_id == Cycle.id))
        .options(so.lazyload(Cycle.owner))  # the owner is the signed-in person, loaded with their roles already
        .order_by(Cycle.created_at.desc()).limit(1)).first()
    if last is None:
        return None
    if last.raters_purged_at is not None:
        return LastRoundList(last.created_at.date(), last.raters_purged_at.date(), "")
    entries = [RaterEntry(i.name, i.email, i.category) for i in last.invitations if i.withdrawn_at is None]
    return LastRoundList(last.created_at.date(), None,
                         as_pasted_list(entries, [i.email for i in cycle.invitations if i.withdrawn_at is None]))
