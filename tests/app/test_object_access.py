"""Object-level access (issue 12): a signed-in person who changes an id in the address to someone else's object
gets 404, exactly as for an object that does not exist, and nothing changes. Each case is tried by another person of
the same role (another owner, an unassigned facilitator, a manager with no share, a local lead of another
organisation), with the rightful person's request beside it, so the test fails if an ownership check goes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from facilitator.models import FacilitatorAssignment
from facilitator.operations import Problems, assign
from reports import operations as report_operations
from reports.models import Report, ReportShare
from surveys.models import Cycle, Invitation
from tests.conftest import post_form
from tests.fixtures.people import signed_in


@pytest.fixture
def two_owners(owner: User, create_user: Callable[..., User], create_round: Callable[..., Cycle]
               ) -> tuple[Cycle, Cycle]:
    ben = create_user(Role.OWNER, name="Ben Other", email="ben@trust.example")
    mine = create_round(owner, [("Pat Peer", "pat@trust.example", "peer"), ("Sam Peer", "sam@trust.example", "peer")])
    theirs = create_round(ben, [("Ria Peer", "ria@trust.example", "peer")], open_it=False)
    return mine, theirs


@pytest.mark.parametrize("action", ["edit", "remove", "withdraw"])
def test_an_owner_cannot_touch_another_owners_raters(app: Flask, owner: User, two_owners: tuple[Cycle, Cycle],
                                                     action: str) -> None:
    mine, theirs = two_owners
    ben = signed_in(app, theirs.owner)
    olivia = signed_in(app, owner)
    target = mine.invitations[0]
    url = f"/round/raters/{target.id}/{action}"
    assert ben.get(url).status_code == 404
    data = {"name": "Ben's puppet", "email": "ben+x@trust.example", "category": "peer"}
    assert post_form(ben, url, data, page="/round/raters").status_code == 404
    db.session.expire_all()
    target = db.session.get(Invitation, target.id)
    assert target is not None and target.email == "pat@trust.example" and target.withdrawn_at is None
    # The rightful owner is let in (to withdrawal, since Pat has been invited), so the 404 above is the check's.
    assert olivia.get(url).status_code in {200, 302}
    # And Ben reaches his own rater by the same route.
    assert ben.get(f"/round/raters/{theirs.invitations[0].id}/{action}").status_code in {200, 302}


@pytest.fixture
def shared_report(owner: User, create_user: Callable[..., User],
                  create_closed_round: Callable[..., Cycle]) -> tuple[Report, ReportShare]:
    cycle = create_closed_round(owner, {"manager": 1, "peer": 3})
    report = db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))
    assert report is not None
    mo = create_user(Role.MANAGER, name="Mo Manager", email="mo.manager@trust.example")
    share = report_operations.share(report, mo)
    unit.commit()
    return report, share


def test_another_owner_gets_404_for_a_report_its_sharing_and_stopping_a_share(
        app: Flask, owner: User, create_user: Callable[..., User], create_closed_round: Callable[..., Cycle],
        shared_report: tuple[Report, ReportShare]) -> None:
    report, share = shared_report
    ben_user = create_user(Role.OWNER, name="Ben Other", email="ben@trust.example")
    create_closed_round(ben_user, {"peer": 3})
    bens_report = db.session.scalar(sa.select(Report).where(Report.cycle_id != report.cycle_id))
    assert bens_report is not None
    ben, olivia = signed_in(app, ben_user), signed_in(app, owner)
    own_page = f"/reports/{bens_report.id}/sharing?q=mo"  # a page of Ben's own with a form, for his CSRF token
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/pdf", f"/reports/{report.id}/figures.csv",
                f"/reports/{report.id}/sharing"):
        assert olivia.get(url).status_code == 200, url
        assert ben.get(url).status_code == 404, url
    manager = db.session.get(User, share.user_id)
    assert post_form(ben, f"/reports/{report.id}/sharing", {"person": str(manager.id)}, page=own_page
                     ).status_code == 404
    # Stopping Olivia's share: through her report's address, and through Ben's own report's address.
    for url in (f"/reports/{report.id}/sharing/{share.id}/stop",
                f"/reports/{bens_report.id}/sharing/{share.id}/stop"):
        assert post_form(ben, url, {}, page=own_page, prefix="revoke").status_code == 404, url
    db.session.expire_all()
    assert db.session.get(ReportShare, share.id).revoked_at is None
    assert post_form(olivia, f"/reports/{report.id}/sharing/{share.id}/stop", {},
                     page=f"/reports/{report.id}/sharing", prefix="revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportShare, share.id).revoked_at is not None


def test_a_manager_without_a_share_and_an_unassigned_facilitator_get_404(
        app: Flask, owner: User, create_user: Callable[..., User],
        shared_report: tuple[Report, ReportShare]) -> None:
    report, share = shared_report
    cycle_id = report.cycle_id
    other_manager = create_user(Role.MANAGER, name="Max Manager")
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    fay, fred = create_user(Role.FACILITATOR, name="Fay Facilitator"), create_user(Role.FACILITATOR, name="Fred")
    assign(owner, fay, lead)
    unit.commit()
    manager = signed_in(app, db.session.get(User, share.user_id))
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/pdf"):
        assert manager.get(url).status_code == 200, url
        assert signed_in(app, other_manager).get(url).status_code == 404, url
    assigned, unassigned = signed_in(app, fay), signed_in(app, fred)
    for url in (f"/facilitator/rounds/{cycle_id}", f"/facilitator/rounds/{cycle_id}/session"):
        assert assigned.get(url).status_code == 200, url
        assert unassigned.get(url).status_code == 404, url
    # Fred's CSRF token comes from his own sign-out form, on any page he can read.
    token = re.search(r"csrf_token=([^\"&]+)", unassigned.get("/facilitator").get_data(as_text=True))
    assert token is not None
    assert unassigned.post(f"/facilitator/rounds/{cycle_id}/release",
                           data={"csrf_token": token.group(1)}).status_code == 404


def test_a_local_lead_cannot_assign_across_organisations(app: Flask, owner: User,
                                                          create_user: Callable[..., User]) -> None:
    elsewhere = Organisation(name="Elsewhere Trust")
    db.session.add(elsewhere)
    unit.commit()
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    outside_owner = create_user(Role.OWNER, name="Oz Outside", org=elsewhere)
    outside_facilitator = create_user(Role.FACILITATOR, name="Flo Outside", org=elsewhere)
    inside_facilitator = create_user(Role.FACILITATOR, name="Fay Inside")
    client = signed_in(app, lead)
    for owner_id, facilitator_id in ((outside_owner.id, inside_facilitator.id), (owner.id, outside_facilitator.id)):
        response = post_form(client, "/facilitators", {"owner": str(owner_id), "facilitator": str(facilitator_id)})
        assert response.status_code in {200, 404}
        assert "is now" not in response.get_data(as_text=True)
    # Beneath the form, the step itself refuses, whoever calls it.
    for owner_user, facilitator in ((outside_owner, inside_facilitator), (owner, outside_facilitator)):
        with pytest.raises(Problems):
            assign(owner_user, facilitator, lead)
        unit.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FacilitatorAssignment)) == 0
    assert post_form(client, "/facilitators", {"owner": str(owner.id), "facilitator": str(inside_facilitator.id)}
                     ).status_code == 302  # the same form within the organisation works
