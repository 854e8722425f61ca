"""What reports needs to know from the packages above it (facilitator, followup), without importing them.

The facilitator package registers a `ReportPeople`: who facilitates an owner, whether an owner's report waits for
the facilitator to release it, and what else belongs in the owner's read log (reads of the Preparation Document,
the release). With nothing registered, reports has no facilitator readers and never holds a report back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

if TYPE_CHECKING:
    from app.models import User
    from reports.content import ReportData
    from reports.figures import Words
    from reports.models import Report
    from surveys.models import Cycle


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


# What a package above adds to a report (followup: the change since the owner's last report). At the build, each
# provider may add keys to the content sealed with the report, computed from anything it can read then; at each
# render, each provider turns the sealed content into sections of the page and the PDF (id, title, HTML), placed
# after the areas. What is added is sealed once with the report; what a section shows may also depend on whether
# this reader may read another of the owner's rounds (`may_read_round`, a round's id): a manager the owner shared
# only the later report with must not read the earlier one through it (PRODUCT §1).
ContentAddition = Callable[["Cycle", "ReportData"], dict[str, Any]]
ReportSection = tuple[str, str, Markup]
RoundReadable = Callable[[int], bool]
SectionRenderer = Callable[[Mapping[str, Any], "Words", bool, RoundReadable], list[ReportSection]]
_additions: list[ContentAddition] = []
_section_renderers: list[SectionRenderer] = []


def provide_report_content(addition: ContentAddition, renderer: SectionRenderer) -> None:
    if addition not in _additions:
        _additions.append(addition)
    if renderer not in _section_renderers:
        _section_renderers.append(renderer)


def content_additions(cycle: Cycle, data: ReportData) -> dict[str, Any]:
    return {key: value for addition in _additions for key, value in addition(cycle, data).items()}


def report_sections(content: Mapping[str, Any], words: Words, for_pdf: bool,
                    may_read_round: RoundReadable) -> list[ReportSection]:
    return [section for render in _section_renderers for section in render(content, words, for_pdf, may_read_round)]
