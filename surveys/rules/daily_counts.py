"""The owner's completion counts (PRODUCT §2.6): per group, invited / responded / declined, as of the last daily
update, never live.

A count that moves on the next page load can be timed against one conversation ("I've just done it"), and then
says who answered and who declined. So the counts the owner sees are a snapshot taken once a day, early in the
morning (UPDATE_AT, UTC), by the clock's tick, whatever the owner does: nothing they click, reload or wait for
makes it move sooner. Two further snapshots are taken at moments the owner already knows everything about: when
the round opens (everyone invited, nobody has answered) and when it stops taking responses (the report gives the
final numbers anyway).

A withdrawn rater keeps counting as they stood (invited, and answered, declined or neither): were they dropped
from the counts, the next day's figures would move by one in a column that tells how they had replied.

No invitation says whether its rater answered or declined (PRODUCT §3.3): it says only whether they are still
outstanding. So the counts are built from two things that cannot be joined: how many invitations of each group are
no longer outstanding, and how many responses of each group there are (a response's group is inside its sealed
content). Declined is the difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from surveys.categories import RATER_CATEGORIES, Category

UPDATE_AT = time(5, 0)  # UTC: 05:00 or 06:00 in the UK, before anyone's working day

NOT_SENT = "not_sent"
OUTSTANDING = "invited"


@dataclass(frozen=True)
class CategoryCounts:
    category: Category
    invited: int
    responded: int
    declined: int

    @property
    def not_replied(self) -> int:
        return self.invited - self.responded - self.declined


def latest_update_moment(now: datetime) -> datetime:
    """The most recent daily update time at or before `now`."""
    moment = datetime.combine(now.date(), UPDATE_AT)
    return moment if now >= moment else moment - timedelta(days=1)


def next_update_moment(now: datetime) -> datetime:
    return latest_update_moment(now) + timedelta(days=1)


def is_due(updated_at: datetime | None, now: datetime) -> bool:
    """Whether the clock should take a new snapshot now: none yet, or the last predates today's update time."""
    return updated_at is None or updated_at < latest_update_moment(now)


def tally(rows: Iterable[tuple[Category, str]], responses: Iterable[Category]) -> tuple[CategoryCounts, ...]:
    """Counts per group from (category, status value) of every invitation, withdrawn ones included as they stood,
    and the group of every response. Raters not yet invited are not counted; groups nobody was invited in are left
    out. Responses never outnumber the raters of their group who are no longer outstanding; should they (a row
    changed by hand), the counts say every one of those responded rather than show a negative."""
    seen: Counter[tuple[Category, str]] = Counter((c, s) for c, s in rows if s != NOT_SENT)
    answered = Counter(responses)
    result = []
    for category in RATER_CATEGORIES:
        invited = sum(n for (c, _), n in seen.items() if c is category)
        if invited:
            replied = invited - seen[(category, OUTSTANDING)]
            responded = min(answered[category], replied)
            result.append(CategoryCounts(category, invited, responded, replied - responded))
    return tuple(result)


def to_stored(counts: Iterable[CategoryCounts]) -> list[list[object]]:
    return [[c.category.value, c.invited, c.responded, c.declined] for c in counts]


def from_stored(stored: Iterable[list[object]] | None) -> tuple[CategoryCounts, ...]:
    return tuple(CategoryCounts(Category(str(c)), int(str(i)), int(str(r)), int(str(d)))
                 for c, i, r, d in (stored or []))


def any_response(counts: Iterable[CategoryCounts]) -> bool:
    """The owner may close early once the counts they see show a response: a live count would tell them the
    moment the first rater answered."""
    return any(c.responded for c in counts)


def not_replied(counts: Iterable[CategoryCounts]) -> int:
    return sum(c.not_replied for c in counts)
