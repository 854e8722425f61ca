"""In what capacity each person may read a report, as the pages ask it (`reports.operations.capacity`): the rule of
reports/access.py over the real facilitator assignment, shares (revoked or not) and the organisation's release
setting. Table-driven and fast: a report row with nothing built in it, no PDF rendered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from app import db as unit
from app.extensions import db
from app.models import Role, User
from app.timeutil import today, utcnow
from facilitator.models import ReportRelease
from facilitator.operations import assign as assign_facilitator
from reports import operations
from reports.models import Report, ReportShare
from surveys.cycle import CycleState
from surveys.models import Cycle

# (who reads, the organisation has facilitators release reports, the report has been released, expected capacity)
CASES = [
    ("owner", False, False, "owner"),
    ("owner", True, False, None),
    ("owner", True, True, "owner"),
    ("facilitator", False, False, "facilitator"),
    ("facilitator", True, False, "facilitator"),
    ("former facilitator", False, False, None),
    ("other facilitator", False, False, None),
    ("shared manager", False, False, "shared"),
    ("shared manager", True, False, "shared"),
    ("revoked manager", False, False, None),
    ("unshared manager", False, False, None),
    ("local lead", False, False, None),
    ("administrator", False, False, None),
    ("another owner", False, False, None),
]


@pytest.mark.parametrize(("who", "releases", "released", "expected"), CASES)
def test_each_person_reads_a_report_in_their_capacity_or_not_at_all(
        organisation, create_user: Callable[..., User], who: str, releases: bool, released: bool,  # type: ignore[no-untyped-def]
        expected: str | None) -> None:
    organisation.facilitator_releases_report = releases
    owner = create_user(Role.OWNER)
    lead = create_user(Role.LOCAL_LEAD)
    people = {"owner": owner, "local lead": lead, "administrator": create_user(Role.ADMIN),
              "another owner": create_user(Role.OWNER), "former facilitator": create_user(Role.FACILITATOR),
              "facilitator": create_user(Role.FACILITATOR), "other facilitator": create_user(Role.FACILITATOR),
              "shared manager": create_user(Role.MANAGER), "revoked manager": create_user(Role.MANAGER),
              "unshared manager": create_user(Role.MANAGER)}
    assign_facilitator(owner, people["former facilitator"], lead)
    assign_facilitator(owner, people["facilitator"], lead)  # reassigned: the former one reads no more
    cycle = Cycle(owner=owner, state=CycleState.REPORT_READY, questionnaire_version="2026.1",
                  close_on=today() - timedelta(days=1), facilitator_releases_report=releases)  # pinned at its start
    report = Report(cycle=cycle)
    db.session.add(report)
    db.session.flush()
    db.session.add_all([ReportShare(report_id=report.id, user_id=people["shared manager"].id),
                        ReportShare(report_id=report.id, user_id=people["revoked manager"].id, revoked_at=utcnow())])
    if released:
        facilitator = people["facilitator"]
        db.session.add(ReportRelease(cycle_id=cycle.id, released_by_id=facilitator.id,
                                     released_by_name=facilitator.name))
    unit.commit()
    assert operations.capacity(people[who], report) == expected
