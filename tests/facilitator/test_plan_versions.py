"""Who may read which version of an agreed development plan (PRODUCT §4): the owner and their facilitator read the
agreed one and earlier ones by ?version=; someone it was shared with reads the agreed one only; anyone else, and
anyone asking for a version that is not there, gets 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Role, User
from app.timeutil import utcnow
from facilitator.models import DocumentRead, Summary
from facilitator.operations import assign, share_summary
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.fixtures.pdfua import assert_pdfua
from tests.fixtures.people import sign_in


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


@pytest.fixture
def agreed(owner: User, create_user: Callable[..., User], create_closed_round: Callable[..., Cycle]
           ) -> dict[str, object]:
    cycle = create_closed_round(owner, {"manager": 1, "peer": 3})
    people = {"fay": create_user(Role.FACILITATOR, name="Fay Facilitator"),
              "fred": create_user(Role.FACILITATOR, name="Fred Facilitator"),
              "mo": create_user(Role.MANAGER, name="Mo Manager"),
              "max": create_user(Role.MANAGER, name="Max Manager"),
              "ben": create_user(Role.OWNER, name="Ben Other")}
    assign(owner, people["fay"], create_user(Role.LOCAL_LEAD, name="Lee Lead"))
    cycle.state = CycleState.SUMMARY_AGREED
    content = {"key_points": "", "strengths": "Calm", "development_areas": "Delegation", "goals": []}
    db.session.add(Summary(cycle_id=cycle.id, version=1, content=content | {"key_points": "First version"},
                           status="superseded", agreed_at=utcnow()))
    db.session.add(Summary(cycle_id=cycle.id, version=2, content=content | {"key_points": "Agreed version"},
                           status="agreed", agreed_at=utcnow()))
    unit.commit()
    share_summary(cycle, people["mo"])
    unit.commit()
    return {"cycle": cycle, **people}


def test_the_owner_and_facilitator_read_every_agreed_version_and_nothing_else(app: Flask, owner: User,
                                                                                agreed: dict) -> None:  # type: ignore[type-arg]
    plan = f"/development/{agreed['cycle'].id}/plan"  # type: ignore[attr-defined]
    for reader in (_client(app, owner), _client(app, agreed["fay"])):  # type: ignore[arg-type]
        assert "Agreed version" in reader.get(plan).get_data(as_text=True)
        assert "First version" in reader.get(f"{plan}?version=1").get_data(as_text=True)
        for missing in ("3", "0", "two", "-1"):
            assert reader.get(f"{plan}?version={missing}").status_code == 404, missing


def test_someone_it_was_shared_with_reads_only_the_agreed_version_and_others_nothing(app: Flask,
                                                                                     agreed: dict) -> None:  # type: ignore[type-arg]
    plan = f"/development/{agreed['cycle'].id}/plan"  # type: ignore[attr-defined]
    mo = _client(app, agreed["mo"])  # type: ignore[arg-type]
    assert "Agreed version" in mo.get(plan).get_data(as_text=True)
    assert mo.get(f"{plan}?version=1").status_code == 404
    assert mo.get(f"{plan}?version=2").status_code == 404  # earlier versions are not theirs, nor the address form
    for who in ("fred", "max", "ben"):
        assert _client(app, agreed[who]).get(plan).status_code == 404, who  # type: ignore[arg-type]


def test_a_plan_not_yet_agreed_is_no_page_at_all(app: Flask, owner: User, agreed: dict) -> None:  # type: ignore[type-arg]
    cycle = agreed["cycle"]
    db.session.query(Summary).filter_by(cycle_id=cycle.id, version=2).update({"status": "proposed"})  # type: ignore[attr-defined]
    unit.commit()
    olivia = _client(app, owner)
    for url in (f"/development/{cycle.id}/plan", f"/development/{cycle.id}/goals/1",  # type: ignore[attr-defined]
                f"/development/{cycle.id}/reviews.ics"):  # type: ignore[attr-defined]
        assert olivia.get(url).status_code == 404, url


def test_the_owners_own_reading_is_not_logged_and_every_other_reader_is_with_their_capacity(
        app: Flask, owner: User, agreed: dict) -> None:  # type: ignore[type-arg]
    cycle = agreed["cycle"]
    plan = f"/development/{cycle.id}/plan"  # type: ignore[attr-defined]
    olivia = _client(app, owner)
    assert olivia.get(plan).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentRead)) == 0
    for who in ("fay", "mo"):
        assert _client(app, agreed[who]).get(plan).status_code == 200  # type: ignore[arg-type]
    reads = db.session.execute(sa.select(DocumentRead.reader_name, DocumentRead.document, DocumentRead.capacity)
                               .order_by(DocumentRead.id)).all()
    assert [tuple(r) for r in reads] == [("Fay Facilitator", "summary", "facilitator"),
                                         ("Mo Manager", "summary", "shared")]
    page = olivia.get(f"/development/{cycle.id}/sharing").get_data(as_text=True)  # type: ignore[attr-defined]
    log = page.split("Who has read your plan and documents", 1)[1]  # what the owner sees of it
    assert "Fay Facilitator (facilitator)" in log and "Mo Manager" in log and "Olivia Owner" not in log


def test_a_round_that_does_not_exist_is_no_plan_for_anyone(app: Flask, owner: User, agreed: dict) -> None:  # type: ignore[type-arg]
    missing = agreed["cycle"].id + 1000  # type: ignore[attr-defined]
    for who in (owner, agreed["fay"], agreed["mo"]):
        reader = _client(app, who)  # type: ignore[arg-type]
        for url in (f"/development/{missing}/plan", f"/development/{missing}/plan.pdf"):
            assert reader.get(url).status_code == 404, (who, url)


def test_the_plan_pdf_passes_pdf_ua_1_with_each_goals_details_as_list_items(app: Flask, owner: User,
                                                                          agreed: dict) -> None:  # type: ignore[type-arg]
    summary = db.session.scalar(sa.select(Summary).where(Summary.status == "agreed"))
    goal = {"term": "short", "what": "Chair the ward meeting", "measure": "Chaired 4 meetings",
            "support": "Time from my manager", "values": "Compassion", "target_on": "2027-03-01"}
    summary.content = summary.content | {"goals": [goal, goal | {"term": "long", "target_on": "2027-09-01"}]}
    unit.commit()
    response = _client(app, owner).get(f"/development/{agreed['cycle'].id}/plan.pdf")  # type: ignore[attr-defined]
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    found = assert_pdfua(response.data)  # the `page` validator, profile ua1: 0 failures
    assert found.items.count(["/Lbl", "/LBody"]) >= 8  # each goal's what, measure, support, values… one item each
