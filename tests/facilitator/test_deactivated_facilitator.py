"""A facilitator's account deactivated (on the people pages or by SCIM) strands no owner silently: the deactivation
asks first and says what happens, the assignments end (a reactivation restores none), each owner and the local
lead are told by email once, the owner's round page and the Facilitators page say a facilitator is needed, and an
organisation with no active facilitator is told how to get one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import operations as accounts
from app.extensions import db
from app.identity.models import ScimAccount
from app.mail import OutboundMail
from app.models import Role, User
from app.timeutil import utcnow
from facilitator import operations
from facilitator.models import FacilitatorAssignment
from surveys.models import Cycle
from tests.app.identity.test_scim import _headers, token  # noqa: F401  (the fixture)
from tests.conftest import post_form
from tests.fixtures.people import signed_in


@pytest.fixture
def people(create_user: Callable[..., User]) -> dict[str, User]:
    return {"lead": create_user(Role.LOCAL_LEAD, name="Lee Lead"),
            "facilitator": create_user(Role.FACILITATOR, name="Fay Facilitator", email="fay@trust.example"),
            "admin": create_user(Role.ADMIN, name="Ada Admin"),
            "second_owner": create_user(Role.OWNER, name="Sam Second")}


def _assign(app: Flask, lead: User, owner: User, facilitator: User) -> None:
    assert post_form(signed_in(app, lead), "/facilitators",
                     {"owner": str(owner.id), "facilitator": str(facilitator.id)}).status_code == 302


def _kinds() -> list[tuple[str, int]]:
    return sorted((kind, ref) for kind, ref in db.session.execute(sa.select(OutboundMail.kind, OutboundMail.ref_id)
                                     .where(OutboundMail.kind.like("facilitator_ended%"))))


def test_a_local_lead_deactivating_a_facilitator_is_asked_first_and_the_owners_are_not_stranded(  # type: ignore[no-untyped-def]
        app: Flask, owner: User, people: dict[str, User], create_closed_round: Callable[..., Cycle],
        mailbox) -> None:
    create_closed_round(owner, {"manager": 1, "peer": 3, "direct_report": 3})
    fay, lead = people["facilitator"], people["lead"]
    for who in (owner, people["second_owner"]):
        _assign(app, lead, who, fay)
    lead_client = signed_in(app, lead)

    # Asked first, in words that say what happens; nothing changes on the way.
    page = lead_client.get(f"/people/{fay.id}/deactivate").get_data(as_text=True)
    assert "Fay Facilitator facilitates 2 owners. Their rounds will have no facilitator until you assign another" \
        in page
    db.session.expire_all()
    assert db.session.get(User, fay.id).is_active_account  # type: ignore[union-attr]

    mailbox.clear()
    assert post_form(lead_client, f"/people/{fay.id}/deactivate", {}, prefix="act").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, fay.id).is_active_account  # type: ignore[union-attr]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FacilitatorAssignment)) == 0
    told = sorted(m["To"] for m in mailbox.messages)
    assert told == sorted([owner.email, people["second_owner"].email, lead.email])
    to_owner = next(m for m in mailbox.messages if m["To"] == owner.email)
    assert "no facilitator" in str(to_owner["Subject"]).lower()

    round_page = signed_in(app, owner).get("/round").get_data(as_text=True)
    assert "Your facilitator is" not in round_page
    assert "You have no facilitator yet. Your local lead (Lee Lead) or an administrator will assign you one" \
        in round_page
    assignments = lead_client.get("/facilitators").get_data(as_text=True)
    assert "2 owners need a facilitator" in assignments and assignments.count("Needs a facilitator") >= 2
    # No active facilitator left: said plainly, with the way to get one, and no form whose Assign only errors.
    assert "There is no active facilitator" in assignments and "Invite a facilitator" in assignments
    assert 'name="facilitator"' not in assignments

    # Reactivated, Fay facilitates nobody until assigned again; nobody is told a second time.
    assert post_form(lead_client, f"/people/{fay.id}/reactivate", {}, page=f"/people/{fay.id}",
                     prefix="act").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, fay.id).is_active_account  # type: ignore[union-attr]
    assert operations.facilitator_of(owner.id) is None and operations.owners_of(fay.id) == []
    assert len(_kinds()) == 3


def test_scim_deprovisioning_ends_the_assignments_through_the_same_step(  # type: ignore[no-untyped-def]
        app: Flask, client, token: str, owner: User, people: dict[str, User]) -> None:  # noqa: F811
    fay = people["facilitator"]
    _assign(app, people["lead"], owner, fay)
    for _ in range(2):  # a provider that repeats itself tells nobody twice
        response = client.patch(f"/scim/v2/Users/{fay.id}", headers=_headers(token), json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": False}]})
        assert response.status_code in (200, 204), response.get_data(as_text=True)
    db.session.expire_all()
    assert operations.facilitator_of(owner.id) is None
    assert db.session.get(FacilitatorAssignment, owner.id) is None
    assert _kinds() == sorted([("facilitator_ended_owner", owner.id), ("facilitator_ended_lead", people["lead"].id)])


def test_scim_cannot_reactivate_an_account_that_would_break_separation_of_duties(  # type: ignore[no-untyped-def]
        app: Flask, client, token: str, create_user: Callable[..., User]) -> None:  # noqa: F811
    fay = create_user(Role.FACILITATOR, email="fay.two@trust.example")
    db.session.add(ScimAccount(user_id=fay.id, user_name=fay.email))  # provisioned, so SCIM still sees it
    accounts.end_account(fay, utcnow())
    create_user(Role.LOCAL_LEAD, email="fay.two+lead@trust.example")  # the same mailbox now assigns facilitators
    db.session.commit()
    response = client.patch(f"/scim/v2/Users/{fay.id}", headers=_headers(token), json={
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": True}]})
    assert response.status_code == 400, response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, fay.id).is_active_account  # type: ignore[union-attr]


def test_a_local_lead_cannot_deactivate_an_administrator_or_another_lead(  # type: ignore[no-untyped-def]
        app: Flask, people: dict[str, User], create_user: Callable[..., User]) -> None:
    lead_client = signed_in(app, people["lead"])
    other_lead = create_user(Role.LOCAL_LEAD, name="Lou Lead")
    for person in (people["admin"], other_lead):
        assert lead_client.get(f"/people/{person.id}/deactivate").status_code == 403
        assert "Deactivate account" not in lead_client.get(f"/people/{person.id}").get_data(as_text=True)


def test_taking_the_facilitator_role_away_ends_the_assignments_as_a_deactivation_does(  # type: ignore[no-untyped-def]
        app: Flask, owner: User, people: dict[str, User], mailbox) -> None:
    fay, lead = people["facilitator"], people["lead"]
    accounts.change_roles(fay, frozenset({Role.FACILITATOR, Role.OWNER}), lead, utcnow())
    db.session.commit()
    _assign(app, lead, owner, fay)
    assert post_form(signed_in(app, lead), f"/people/{fay.id}", {"roles": ["owner"]}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FacilitatorAssignment, owner.id) is None
    assert _kinds() == sorted([("facilitator_ended_owner", owner.id), ("facilitator_ended_lead", lead.id)])
