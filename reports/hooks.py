"""What reports needs to know from the package above it (facilitator), without importing it.

The facilitator package registers a `ReportPeople`: who facilitates an owner, whether an owner's report waits for
the facilitator to release it, and what else belongs in the owner's read log (reads of the Preparation Document,
the release). With nothing registered, reports has no facilitator readers and never holds a report back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.models import User
    from reports.models import Report


@dataclass(frozen=True)
class LogLine:
    """One line of the owner's read log: when, who (as the owner should read it) and what they did."""

    at: datetime
    who: str
    what: str


class ReportPeople(Protocol):
    def facilitator_of(self, owner_id: int) -> User | None: ...

    def owners_of(self, facilitator_id: int) -> Collection[int]: ...

    def held_from_owner(self, report: Report) -> bool: ...

    def read_log(self, report: Report) -> list[LogLine]: ...


class _Nobody:
    def facilitator_of(self, owner_id: int) -> User | None:
        return None

    def owners_of(self, facilitator_id: int) -> Collection[int]:
        return ()

    def held_from_owner(self, report: Report) -> bool:
        return False

    def read_log(self, report: Report) -> list[LogLine]:
        return []


_people: list[ReportPeople] = [_Nobody()]


def provide_report_people(people: ReportPeople) -> None:
    _people[0] = people


def report_people() -> ReportPeople:
    return _people[0]
