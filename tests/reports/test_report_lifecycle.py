"""Closing a round builds its report once, sealed; only the right people can read it, and every read is logged."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app import db as unit
from app.extensions import db
from app.models import Role, User
from reports.build import build_report, open_part
from reports.models import Report, ReportRead
from reports.operations import assign_facilitator
from surveys.cycle import CycleState
from surveys.models import Cycle, Response
from tests.conftest import csrf_from, post_form
from tests.fixtures.insider import database_bytes
from tests.fixtures.people import sign_in
from tests.fixtures.reports import COMMENT

SIZES = {"manager": 1, "peer": 2, "direct_report": 4, "other": 1}


@pytest.fixture
def closed(owner: User, create_closed_round: Callable[..., Cycle]) -> Cycle:
    return create_closed_round(owner, SIZES)


def _report(cycle: Cycle) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))


def test_closing_builds_the_report_and_marks_the_round_ready(closed: Cycle) -> None:
    db.session.refresh(closed)
    assert closed.state is CycleState.REPORT_READY
    html = open_part(_report(closed), "html").decode()
    assert "Feedback report for Olivia Owner" in html
    assert "Peers + Others" in html and COMMENT in html
    assert open_part(_report(closed), "pdf").startswith(b"%PDF")


def test_the_pdf_says_what_the_page_says_laid_out_not_as_markup(closed: Cycle) -> None:
    pdf = PdfReader(io.BytesIO(open_part(_report(closed), "pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Feedback report for Olivia Owner" in text and "Who responded" in text and "Peers + Others" in text
    assert "<h1" not in text and "data:image" not in text
    assert 4 <= len(pdf.pages) <= 20  # one page per area and the summaries; never thousands of lines of source
    assert "Page 1 of" in pdf.pages[0].extract_text()


def test_a_report_is_never_rebuilt(closed: Cycle) -> None:
    report = _report(closed)
    closed.state = CycleState.CLOSED  # even if someone forced the state back
    assert build_report(closed) is None
    unit.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    assert _report(closed).id == report.id


def test_nothing_readable_is_stored_and_no_master_key_is_in_the_database(app: Flask, closed: Cycle) -> None:
    raw = database_bytes(app)
    assert COMMENT.encode() not in raw
    assert b"Feedback report for" not in raw and b"%PDF" not in raw
    for key in app.config["MASTER_KEYS"].values():
        assert key not in raw and base64.urlsafe_b64encode(key).rstrip(b"=") not in raw


def _client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def test_who_may_read_the_report(app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    people = {role: create_user(role) for role in Role}
    stranger_owner = create_user(Role.OWNER)
    assign_facilitator(owner, people[Role.FACILITATOR], people[Role.ADMIN])
    unit.commit()
    url = f"/reports/{report.id}"
    assert _client_for(app, owner).get(url).status_code == 200
    assert _client_for(app, people[Role.FACILITATOR]).get(url).status_code == 200
    for role in (Role.MANAGER, Role.LOCAL_LEAD, Role.ADMIN):
        assert _client_for(app, people[role]).get(url).status_code == 404, role
        assert _client_for(app, people[role]).get(f"{url}/pdf").status_code == 404, role
    assert _client_for(app, stranger_owner).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # signed out: sign in first


def test_sharing_with_a_manager_is_revocable(app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    manager = create_user(Role.MANAGER, name="Mo Manager", email="mo.manager@trust.example")
    owner_client = _client_for(app, owner)
    response = post_form(owner_client, f"/reports/{report.id}/sharing", {"person": str(manager.id)})
    assert response.status_code == 302
    manager_client = _client_for(app, manager)
    assert manager_client.get(f"/reports/{report.id}").status_code == 200
    assert "Olivia Owner" in manager_client.get("/reports").get_data(as_text=True)

    page = owner_client.get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    share_id = db.session.scalar(sa.text("SELECT id FROM report_shares"))
    owner_client.post(f"/reports/{report.id}/sharing/{share_id}/stop", data={"revoke-csrf_token": csrf_from(page)})
    assert manager_client.get(f"/reports/{report.id}").status_code == 404


def test_every_read_is_logged_and_the_owner_sees_it(app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, owner)
    unit.commit()
    _client_for(app, facilitator).get(f"/reports/{report.id}")
    pdf = _client_for(app, facilitator).get(f"/reports/{report.id}/pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reads = db.session.scalars(sa.select(ReportRead)).all()
    assert [(r.reader_name, r.capacity, r.form) for r in reads] == [
        ("Fay Facilitator", "facilitator", "page"), ("Fay Facilitator", "facilitator", "pdf")]
    page = _client_for(app, owner).get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    assert "Fay Facilitator (facilitator)" in page and "Downloaded the PDF" in page


def test_master_keys_rotate_while_reports_stay_readable(app: Flask, closed: Cycle) -> None:
    from app.crypto import KeyRing
    from config.keys import new_key_text, parse_key_ring

    report_id = _report(closed).id
    old = dict(app.config["MASTER_KEYS"])
    new = parse_key_ring(f"new1:{new_key_text()}")
    app.extensions["open360_key_ring"] = KeyRing({**new, **old})
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "Re-wrapped 1 of 1" in result.output, result.output
    db.session.remove()
    app.extensions["open360_key_ring"] = KeyRing(new)  # the old key can now be removed
    assert open_part(db.session.get(Report, report_id), "html").lstrip().startswith(b"<article")
    comments = [r.comments for r in db.session.scalars(sa.select(Response))]
    assert any(COMMENT in text for c in comments for text in c.values())
