"""Separation of duties (PRODUCT §1, §5): nobody who can assign facilitators can also facilitate, under any account
they control, so a local lead or administrator never reads a report, a Preparation Document or a summary.

The test plays the local lead (Lucy in the demo: `lead_a1` in the access walk's world) and tries every path found
(issue 24): inviting a second account of her own, giving herself or such an account the facilitator role, assigning
it, and reading through an assignment that legacy data already holds. `PATHS` names each and what must happen.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.accounts import operations as accounts
from app.accounts import rules
from app.extensions import db
from app.models import Role, User, UserRole
from facilitator import operations as facilitation
from facilitator.models import FacilitatorAssignment
from tests.conftest import post_form
from tests.fixtures.access_walk import World
from tests.fixtures.people import PASSWORD, signed_in

LEAD = "lead_a1"


# --- the rule ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [{Role.FACILITATOR, Role.LOCAL_LEAD}, {Role.FACILITATOR, Role.ADMIN},
                                   {Role.FACILITATOR, Role.ADMIN, Role.LOCAL_LEAD, Role.OWNER}])
def test_a_facilitator_cannot_also_assign_facilitators(roles: set[Role]) -> None:
    problem = rules.roles_conflict(frozenset(roles))
    assert problem is not None and "cannot also be a facilitator" in problem


@pytest.mark.parametrize(("roles", "opening"), [({Role.ADMIN, Role.FACILITATOR}, "An administrator cannot"),
                                                ({Role.LOCAL_LEAD, Role.MANAGER}, "A local lead cannot"),
                                                ({Role.ADMIN, Role.LOCAL_LEAD, Role.MANAGER},
                                                 "An administrator or local lead cannot")])
def test_the_refusal_reads_as_english(roles: set[Role], opening: str) -> None:
    assert (rules.roles_conflict(frozenset(roles)) or "").startswith(opening)


@pytest.mark.parametrize("roles", [{Role.LOCAL_LEAD, Role.MANAGER}, {Role.ADMIN, Role.MANAGER, Role.OWNER}])
def test_a_local_lead_or_administrator_cannot_also_be_a_manager(roles: set[Role]) -> None:
    problem = rules.roles_conflict(frozenset(roles))
    assert problem is not None and "cannot also be a manager" in problem


@pytest.mark.parametrize("roles", [{Role.FACILITATOR, Role.OWNER, Role.MANAGER}, {Role.LOCAL_LEAD, Role.ADMIN,
                                                                                  Role.OWNER}, set()])
def test_every_other_combination_is_allowed(roles: set[Role]) -> None:
    assert rules.roles_conflict(frozenset(roles)) is None


def test_the_roles_of_every_account_at_one_mailbox_count_together() -> None:
    lead, facilitator = frozenset({Role.LOCAL_LEAD}), frozenset({Role.FACILITATOR})
    assert "reaching the same mailbox" in (rules.mailbox_roles_conflict(facilitator, [lead]) or "")
    assert rules.mailbox_roles_conflict(facilitator, [frozenset({Role.OWNER})]) is None
    with pytest.raises(rules.AccountRuleError, match="cannot also be a facilitator"):
        rules.new_roles(lead, facilitator, frozenset({Role.OWNER, Role.FACILITATOR}), is_self=True)


# --- the local lead's paths -------------------------------------------------------------------------------------

def _legacy(create_user: Callable[..., User], w: World, email: str, *roles: Role) -> User:
    """An account made before the rule (straight into the database, as old data or a bulk load would be)."""
    return create_user(*roles, name="Lucy's other account", email=email, org=w.orgs["a"])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_the_local_lead_cannot_invite_an_account_of_her_own(app: Flask, world: World) -> None:
    lucy = world.people[LEAD]
    client = signed_in(app, lucy)
    url = f"/organisations/{lucy.organisation_id}/people/invite"
    local = lucy.email.split("@")[0]
    for spelling in (f"{local}+fac@trust.example", lucy.email.upper(), f"{local}+x+y@TRUST.example"):
        page = post_form(client, url, {"name": "Lucy Facilitator", "email": spelling, "roles": ["facilitator"]})
        assert page.status_code == 200 and "reaches your own mailbox" in _text(page), spelling
    assert accounts.accounts_at_mailbox(lucy.email) == [lucy]
    # An ordinary colleague can be invited as a facilitator: the refusal is about whose mailbox it is.
    done = post_form(client, url, {"name": "Fay Fresh", "email": "fay.fresh@trust.example", "roles": ["facilitator"]})
    assert done.status_code == 302


def test_the_local_lead_cannot_make_herself_a_facilitator(app: Flask, world: World) -> None:
    lucy = world.people[LEAD]
    client = signed_in(app, lucy)
    page = post_form(client, f"/people/{lucy.id}", {"roles": ["facilitator", "owner"]})
    assert page.status_code == 200 and "cannot also be a facilitator" in _text(page)
    db.session.expire_all()
    assert db.session.get(User, lucy.id).roles == {Role.LOCAL_LEAD}  # type: ignore[union-attr]
    # Nor can an administrator make her one.
    admin = signed_in(app, world.people["admin_a1"])
    page = post_form(admin, f"/people/{lucy.id}", {"roles": ["local_lead", "facilitator"]})
    assert "cannot also be a facilitator" in _text(page)
    page = post_form(admin, f"/organisations/{lucy.organisation_id}/people/invite",
                     {"name": "Both", "email": "both@trust.example", "roles": ["admin", "facilitator"]})
    assert "cannot also be a facilitator" in _text(page)
    assert accounts.accounts_at_mailbox("both@trust.example") == []


def test_an_account_at_her_mailbox_cannot_be_made_a_facilitator(app: Flask, world: World,
                                                                 create_user: Callable[..., User]) -> None:
    lucy = world.people[LEAD]
    other = _legacy(create_user, world, lucy.email.replace("@", "+old@"), Role.OWNER)
    for actor in (lucy, world.people["admin_a1"]):
        page = post_form(signed_in(app, actor), f"/people/{other.id}", {"roles": ["owner", "facilitator"]})
        assert "reaching the same mailbox" in _text(page)
    db.session.expire_all()
    assert db.session.get(User, other.id).roles == {Role.OWNER}  # type: ignore[union-attr]


def _assign_directly(owner: User, facilitator: User, by: User) -> None:
    """An assignment as legacy data holds it, made before the rule refused it."""
    row = db.session.get(FacilitatorAssignment, owner.id)
    row.facilitator_id, row.assigned_by_id = facilitator.id, by.id  # type: ignore[union-attr]
    unit.commit()


def _reading_paths(w: World) -> dict[str, str]:
    report = w.ids["report"]
    cycle = w.ids["agreed"]
    return {"report": f"/reports/{report}", "report PDF": f"/reports/{report}/pdf",
            "Preparation Document": f"/facilitator/rounds/{cycle}/preparation",
            "round as facilitator": f"/facilitator/rounds/{cycle}",
            "summary": f"/facilitator/rounds/{cycle}/summary",
            "development plan": f"/development/{cycle}/plan", "plan PDF": f"/development/{cycle}/plan.pdf"}


def _refused_everywhere(client: FlaskClient, w: World) -> dict[str, int]:
    outcomes = {name: client.get(url).status_code for name, url in _reading_paths(w).items()}
    assert all(code in (403, 404) for code in outcomes.values()), outcomes
    portal = client.get("/facilitator")
    assert portal.status_code == 403 or w.people["owner_a1"].name not in _text(portal)
    listed = client.get("/reports")
    assert listed.status_code == 403 or f"/reports/{w.ids['report']}" not in _text(listed)
    return outcomes


def test_the_local_lead_reads_nothing_herself(app: Flask, world: World) -> None:
    _refused_everywhere(signed_in(app, world.people[LEAD]), world)


def test_a_facilitator_account_at_her_mailbox_reads_nothing_and_cannot_be_assigned(
        app: Flask, world: World, create_user: Callable[..., User]) -> None:
    lucy, owner = world.people[LEAD], world.people["owner_a1"]
    second = _legacy(create_user, world, lucy.email.replace("@", "+fac@"), Role.FACILITATOR)
    # The rightful facilitator reads the report, so each refusal below is the rule's, not a missing object's.
    assert signed_in(app, world.people["facilitator_a1"]).get(f"/reports/{world.ids['report']}").status_code == 200

    # Assigning it is refused, by the local lead and by an administrator.
    for actor in (lucy, world.people["admin_a1"]):
        page = post_form(signed_in(app, actor), "/facilitators",
                         {"owner": str(owner.id), "facilitator": str(second.id)})
        assert "also assigns facilitators" in _text(page)
    assert facilitation.facilitator_of(owner.id) == world.people["facilitator_a1"]

    # Legacy data that already assigns it: it reads nothing, and is nobody's facilitator.
    _assign_directly(owner, second, lucy)
    _refused_everywhere(signed_in(app, second), world)
    assert facilitation.facilitator_of(owner.id) is None and facilitation.owners_of(second.id) == []
    # Once an administrator removes the conflict (the lead role goes), the same account facilitates again.
    lucy.role_rows[:] = [UserRole(role=Role.OWNER)]
    unit.commit()
    assert signed_in(app, second).get(f"/reports/{world.ids['report']}").status_code == 200


def test_a_local_lead_who_already_holds_the_facilitator_role_reads_nothing(app: Flask, world: World) -> None:
    lucy, owner = world.people[LEAD], world.people["owner_a1"]
    lucy.role_rows.append(UserRole(role=Role.FACILITATOR))  # legacy data, from before the rule
    unit.commit()
    _assign_directly(owner, lucy, world.people["admin_a1"])
    outcomes = _refused_everywhere(signed_in(app, lucy), world)
    assert set(outcomes) == set(_reading_paths(world))
    # Her people page says why, and assigning her again is refused (she cannot assign herself either).
    page = signed_in(app, world.people["admin_a1"]).get(f"/people/{lucy.id}")
    assert "cannot read any owner&#39;s report" in _text(page) or "cannot read any owner's report" in _text(page)
    page = post_form(signed_in(app, lucy), "/facilitators", {"owner": str(owner.id), "facilitator": str(lucy.id)})
    assert "also assigns facilitators" in _text(page)


def test_create_user_keeps_the_same_rules(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    lucy = world.people[LEAD]

    def create(email: str, *roles: str, password: str = PASSWORD) -> str:
        args = ["create-user", "--organisation", "Test Trust", "--email", email, "--name", "Lucy Two",
                "--password", password]
        result = runner.invoke(args=args + [a for r in roles for a in ("--role", r)])
        return result.output + ("" if result.exit_code else "[created]")

    assert "cannot also be a facilitator" in create("new.person@trust.example", "local_lead", "facilitator")
    assert "reaches the same mailbox" in create(lucy.email.replace("@", "+fac@"), "facilitator")
    assert "at least 12 characters" in create("new.person@trust.example", "owner", password="short")
    assert "commonly used" in create("new.person@trust.example", "owner", password="password1234")
    assert "correct format" in create("jo%evil.example@trust.example", "owner")
    assert "[created]" in create("New.Person@trust.example", "owner")
    made = db.session.scalar(sa.select(User).where(User.email == "new.person@trust.example"))
    assert made is not None and made.roles == {Role.OWNER}


def test_every_password_an_account_is_given_here_meets_the_policy() -> None:
    from demo.data import PASSWORD as DEMO_PASSWORD  # the browser tests' seed uses the fixtures' PASSWORD

    for password in (PASSWORD, DEMO_PASSWORD):
        assert rules.password_problem(password) is None, password



def test_a_deactivated_account_at_her_mailbox_counts_again_only_if_reactivated(
        app: Flask, world: World, create_user: Callable[..., User]) -> None:
    lucy = world.people[LEAD]
    second = _legacy(create_user, world, lucy.email.replace("@", "+fac@"), Role.FACILITATOR)
    admin = signed_in(app, world.people["admin_a1"])
    assert "cannot read any owner" in _text(admin.get(f"/people/{lucy.id}"))
    post_form(admin, f"/people/{second.id}/deactivate", {}, page=f"/people/{second.id}", prefix="act")
    assert "cannot read any owner" not in _text(admin.get(f"/people/{lucy.id}"))
    refused = post_form(admin, f"/people/{second.id}/reactivate", {}, page=f"/people/{second.id}", prefix="act")
    assert refused.status_code == 302
    assert "Remove one of the roles first" in _text(admin.get(f"/people/{second.id}"))
    db.session.expire_all()
    assert not db.session.get(User, second.id).is_active_account  # type: ignore[union-attr]


def test_the_403_page_names_whom_to_ask_fit_to_the_role(app: Flask, create_user: Callable[..., User]) -> None:
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    admin = create_user(Role.ADMIN, name="Ada Admin")
    other_admin = create_user(Role.ADMIN, name="Bo Admin")
    owner = create_user(Role.OWNER, name="Olu Owner")
    said = {who.name: _text(signed_in(app, who).get("/facilitator")) for who in (lead, admin, owner)}
    assert "ask an administrator (Ada Admin or Bo Admin)" in said["Lee Lead"] and "local lead" not in said["Lee Lead"]
    assert "ask another administrator (Bo Admin)" in said["Ada Admin"]
    assert "ask your local lead (Lee Lead) or an administrator." in said["Olu Owner"]
    assert other_admin.name not in said["Olu Owner"]
