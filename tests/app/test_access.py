"""Who may use each route, walked over one world of real people and real objects (tests/fixtures/access_walk.py).

First by role: every route declares who may use it, and each role gets exactly what the declaration says. Then by
object: for every route with an id, every other person the route's roles admit — another owner, an unassigned
facilitator, a manager with no share, a local lead or administrator of the other organisation — is refused with 404
(as for something that does not exist) and changes nothing, while the rightful person reaches the same address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.access import Access, access_of
from app.extensions import db
from app.models import Organisation, Role, User
from facilitator.models import FacilitatorAssignment
from facilitator.operations import Problems, assign
from surveys.models import Invitation
from tests.conftest import post_form
from tests.fixtures.access_walk import NOT_OBJECT_IDS, WALK, World, routes_with_ids, walk
from tests.fixtures.people import sign_in
from tests.fixtures.rounds import link_token

PEOPLE: list[Role | None] = [None, *Role]
FIRST = {Role.OWNER: "owner_a1", Role.FACILITATOR: "facilitator_a1", Role.MANAGER: "manager_a1",
         Role.LOCAL_LEAD: "lead_a1", Role.ADMIN: "admin_a1"}


def _routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    return [(rule.endpoint, rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"})
            for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [endpoint for endpoint, _, _ in _routes(app) if access_of(app.view_functions[endpoint]) is None]
    assert undeclared == []


def test_every_route_with_an_id_is_walked(app: Flask) -> None:
    """A new route with an id in its address fails here, by name, until the walk (or the list of addresses that
    hold no object's id) says who may use it."""
    ids = set(routes_with_ids(app))
    assert sorted(ids - set(WALK) - set(NOT_OBJECT_IDS)) == []
    assert sorted((set(WALK) | set(NOT_OBJECT_IDS)) - ids) == []  # and nothing walked that has gone


def _sample_url(rule: str, world: World, endpoint: str) -> str:
    if endpoint in WALK:
        return WALK[endpoint].url(world)
    values = {"<any(open, close, finish, cancel):action>": "open", "<int:number>": "1", "<path:filename>":
              "nhsuk-frontend.min.css", "<version>": "0", "<token>": "not-a-token"}
    for name, value in values.items():
        rule = rule.replace(name, value)
    return rule


def test_each_role_is_allowed_or_denied_as_declared(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about roles; CSRF and objects have tests of their own
    invitation = db.session.get(Invitation, world.ids["sent"])
    rater_link = f"/r/{link_token(invitation)}"
    checked = 0
    for person in PEOPLE:
        client = app.test_client()
        roles = None
        if person is not None:
            assert sign_in(client, world.people[FIRST[person]]).status_code == 302
            roles = world.people[FIRST[person]].roles
        for endpoint, rule, methods in _routes(app):
            if endpoint == "auth.logout":
                continue  # signing out mid-walk would change who is walking
            if endpoint == "identity.scim_endpoint":
                continue  # a bearer token admits, not a session: tests/app/identity/test_scim.py
            access: Access = access_of(app.view_functions[endpoint])  # type: ignore[assignment]
            url = rater_link if endpoint == "surveys.rater_link" else _sample_url(rule, world, endpoint)
            method = "GET" if "GET" in methods else "POST"
            response = client.open(url, method=method)
            response.close()
            label = f"{person} {method} {url} -> {response.status_code}"
            if access.allows(roles):
                assert response.status_code not in (401, 403), label
                assert "/sign-in" not in response.headers.get("Location", "") or endpoint == "auth.login", label
            elif person is None:
                assert response.status_code == 302 and "/sign-in" in response.headers["Location"], label
            else:
                assert response.status_code == 403, label
            assert response.status_code < 500, label
            checked += 1
    assert checked >= 6 * 60


def test_nobody_reaches_another_persons_object_by_its_id(app: Flask, world: World) -> None:
    walked = walk(app, world)
    assert walked.failures == []
    assert len(walked.people) >= 15 and walked.refusals >= 300 and walked.rightful_posts >= 7, walked


# Ids in a form's fields rather than the address: the assignment form takes an owner's and a facilitator's.
def test_a_local_lead_cannot_assign_across_organisations(app: Flask, owner: User,
                                                          create_user: Callable[..., User]) -> None:
    elsewhere = Organisation(name="Elsewhere Trust")
    db.session.add(elsewhere)
    unit.commit()
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    outside_owner = create_user(Role.OWNER, name="Oz Outside", org=elsewhere)
    outside_facilitator = create_user(Role.FACILITATOR, name="Flo Outside", org=elsewhere)
    inside_facilitator = create_user(Role.FACILITATOR, name="Fay Inside")
    client = app.test_client()
    assert sign_in(client, lead).status_code == 302
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


def test_an_owner_who_has_never_started_a_round_finds_no_round_page(app: Flask, owner: User) -> None:
    """Each page of the owner's round, for an owner with none, is not found: neither a refusal nor an error."""
    app.config["WTF_CSRF_ENABLED"] = False  # the POSTs below are refused for the missing round, not a token
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    pages = [("GET", "/round/preparation"), ("GET", "/round/self/1"), ("GET", "/round/self/check"),
             ("GET", "/round/raters"), ("POST", "/round/raters/paste"), ("POST", "/round/remind"),
             ("GET", "/round/raters/1/edit"), ("GET", "/round/raters/1/remove"), ("GET", "/round/raters/1/withdraw"),
             *[("GET", f"/round/{action}") for action in ("open", "close", "finish", "cancel")]]
    for method, url in pages:
        assert client.open(url, method=method).status_code == 404, (method, url)
    assert client.get("/round/start").status_code == 200  # what they can do instead
