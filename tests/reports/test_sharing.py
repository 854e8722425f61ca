"""Sharing a report with a manager: found by name or email within the owner's organisation, never offered twice,
and told by email."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from facilitator.operations import assign
from reports import operations
from reports.models import Report, ReportShare
from surveys.models import Cycle
from tests.conftest import post_form
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher


@pytest.fixture
def report(owner: User, create_closed_round: Callable[..., Cycle]) -> Report:
    cycle = create_closed_round(owner, {"manager": 1, "peer": 3})
    found = db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))
    assert found is not None
    return found


def test_managers_are_found_by_part_of_their_name_or_email_in_the_owners_organisation_only(
        owner: User, report: Report, create_user: Callable[..., User]) -> None:
    mo = create_user(Role.MANAGER, name="Mo Mansour", email="m.mansour@trust.example")
    create_user(Role.MANAGER, name="Jo Bloggs", email="jo.bloggs@trust.example")
    create_user(Role.FACILITATOR, name="Mo Facilitator")
    elsewhere = Organisation(name="Another Trust")
    db.session.add(elsewhere)
    create_user(Role.MANAGER, name="Mo Elsewhere", org=elsewhere)
    retired = create_user(Role.MANAGER, name="Mo Retired")
    retired.is_active_account = False
    unit.commit()

    assert [m.name for m in operations.find_managers(owner, report, "mo")] == ["Mo Mansour"]
    assert operations.find_managers(owner, report, "M.MANSOUR@") == [mo]
    assert operations.find_managers(owner, report, "%") == []  # a wildcard is only a character
    operations.share(report, mo)
    unit.commit()
    assert operations.find_managers(owner, report, "mo") == []  # already shared with: not offered again
    assert operations.shareable_manager(owner, report, str(mo.id)) is None


def test_sharing_emails_the_manager_once_each_time_it_is_shared(
        app: Flask, owner: User, report: Report, create_user: Callable[..., User], mailbox: MailCatcher) -> None:
    manager = create_user(Role.MANAGER, name="Mo Mansour", email="mo@trust.example")
    client = signed_in(app, owner)
    page = client.get(f"/reports/{report.id}/sharing?q=mans").get_data(as_text=True)
    assert "Mo Mansour" in page and f'name="person" value="{manager.id}"' in page
    mailbox.clear()
    response = post_form(client, f"/reports/{report.id}/sharing", {"person": str(manager.id)},
                         page=f"/reports/{report.id}/sharing?q=mo")
    assert response.status_code == 302
    (mail,) = mailbox.to("mo@trust.example")
    assert mail["Subject"] == "Olivia Owner has shared their feedback report with you"
    assert f"/reports/{report.id}" in MailCatcher.text(mail)

    again = post_form(client, f"/reports/{report.id}/sharing", {"person": str(manager.id)},
                      page=f"/reports/{report.id}/sharing?q=mo")
    assert again.status_code == 200 and "Choose a manager from the list" in again.get_data(as_text=True)
    assert len(mailbox.to("mo@trust.example")) == 1

    share = db.session.scalar(sa.select(ReportShare))
    operations.revoke(share)
    unit.commit()
    assert "Mo Mansour" in client.get(f"/reports/{report.id}/sharing?q=mo").get_data(as_text=True)
    operations.share(report, manager)
    unit.commit()
    assert len(mailbox.to("mo@trust.example")) == 2


def test_a_search_too_short_is_explained(app: Flask, owner: User, report: Report,
                                         create_user: Callable[..., User]) -> None:
    create_user(Role.MANAGER)
    page = signed_in(app, owner).get(f"/reports/{report.id}/sharing?q=m").get_data(as_text=True)
    assert "There is a problem" in page and "Enter at least 2 letters" in page


@pytest.mark.parametrize("role", [Role.LOCAL_LEAD, Role.ADMIN, Role.OWNER])
def test_the_reports_list_is_only_for_facilitators_and_managers(app: Flask, create_user: Callable[..., User],
                                                                 role: Role) -> None:
    client = signed_in(app, create_user(role))
    assert client.get("/reports").status_code == 403


def test_a_manager_is_told_plainly_what_they_can_read(app: Flask, create_user: Callable[..., User]) -> None:
    client = signed_in(app, create_user(Role.MANAGER))
    page = client.get("/reports").get_data(as_text=True)
    assert "only if the person it is about chooses to share it with you" in page and "facilitator" not in page


def test_a_reader_who_has_rounds_of_their_own_never_gets_the_owners_pages_of_this_report(
        app: Flask, owner: User, report: Report, create_user: Callable[..., User]) -> None:
    """Sharing a report and downloading its figures are its owner's alone: someone who reads it as the owner's
    facilitator, or because it was shared with them, and who also has the owner role, is told it is not found."""
    fiona = create_user(Role.OWNER, Role.FACILITATOR, name="Fiona Both")
    meg = create_user(Role.OWNER, Role.MANAGER, name="Meg Both")
    assign(owner, fiona, create_user(Role.LOCAL_LEAD, name="Lee Lead"))
    operations.share(report, meg)
    unit.commit()
    for reader in (fiona, meg):
        client = signed_in(app, reader)
        assert client.get(f"/reports/{report.id}").status_code == 200, reader.name  # they do read it
        for url in (f"/reports/{report.id}/sharing", f"/reports/{report.id}/figures.csv"):
            assert client.get(url).status_code == 404, (reader.name, url)
    assert signed_in(app, owner).get(f"/reports/{report.id}/sharing").status_code == 200


def test_a_report_that_does_not_exist_is_not_found_by_anyone(app: Flask, owner: User, report: Report,
                                                             create_user: Callable[..., User]) -> None:
    missing = report.id + 1000
    for person in (owner, create_user(Role.MANAGER), create_user(Role.FACILITATOR)):
        client = signed_in(app, person)
        for url in (f"/reports/{missing}", f"/reports/{missing}/pdf"):
            assert client.get(url).status_code == 404, (person.name, url)
    client = signed_in(app, owner)
    for url in (f"/reports/{missing}/sharing", f"/reports/{missing}/figures.csv"):
        assert client.get(url).status_code == 404, url


def test_a_local_lead_or_administrator_who_is_also_a_manager_is_never_offered_and_reads_nothing(
        app: Flask, owner: User, report: Report, create_user: Callable[..., User]) -> None:
    """Separation of duties (PRODUCT §1): an account made before the rule with both roles is left out of the owner's
    search, and a share it was given before reads nothing, the report or its summary."""
    for assigning in (Role.LOCAL_LEAD, Role.ADMIN):
        both = create_user(Role.MANAGER, assigning, name=f"Both {assigning.value}")
        assert both not in operations.find_managers(owner, report, "Both")
        db.session.add(ReportShare(report_id=report.id, user_id=both.id))
        unit.commit()
        assert operations.capacity(both, report) is None
        assert signed_in(app, both).get(f"/reports/{report.id}").status_code == 404
    plain = create_user(Role.MANAGER, name="Plain Manager")
    assert plain in operations.find_managers(owner, report, "Plain")


def test_the_sharing_page_names_the_owners_organisation_before_and_after_sharing(
        app: Flask, owner: User, report: Report, create_user: Callable[..., User]) -> None:
    """The shared macro is imported without the page's context: the name comes in as an argument."""
    manager = create_user(Role.MANAGER, name="Mo Mansour", email="mo@trust.example")
    name = owner.organisation.name
    client = signed_in(app, owner)
    assert f"Only managers at {name} are found" in client.get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    operations.share(report, manager)
    unit.commit()
    page = client.get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    assert f"You have shared your report with every manager at {name}." in page
