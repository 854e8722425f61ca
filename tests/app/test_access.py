"""Every route declares who may use it, and each role gets exactly what the declaration says."""

from __future__ import annotations

import pytest
from flask import Flask

from app import db as unit
from app.access import Access, access_of
from app.extensions import db
from app.models import Role
from surveys.models import OrgStatement
from tests.fixtures.people import sign_in
from tests.fixtures.rounds import link_token

PEOPLE: list[Role | None] = [None, *Role]


def _routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    return [(rule.endpoint, rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"})
            for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [endpoint for endpoint, _, _ in _routes(app) if access_of(app.view_functions[endpoint]) is None]
    assert undeclared == []


@pytest.fixture
def samples(app: Flask, create_user, create_round) -> dict[str, object]:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about access; CSRF has tests of its own
    people = {role: create_user(role, name=f"A {role.value}", email=f"{role.value}@trust.example") for role in Role}
    cycle = create_round(people[Role.OWNER], [("Pat Peer", "pat@trust.example", "peer")])
    statement = OrgStatement(organisation_id=people[Role.ADMIN].organisation_id, self_text="I x",
                             rater_text="This person x")
    db.session.add(statement)
    unit.commit()
    return {"people": people, "values": {
        "number": 1, "action": "open", "invitation_id": cycle.invitations[0].id, "statement_id": statement.id,
        "token": link_token(cycle.invitations[0]), "filename": "nhsuk-frontend.min.css", "key": "none",
        "report_id": 999, "share_id": 999, "mail_id": 999, "cycle_id": cycle.id, "goal_number": 1,
        "org_id": people[Role.ADMIN].organisation_id, "user_id": people[Role.OWNER].id,
        "quarter": "2026Q1", "form": "pdf"}}


@pytest.mark.parametrize("person", PEOPLE, ids=lambda r: r.value if r else "anonymous")
def test_each_role_is_allowed_or_denied_as_declared(app: Flask, samples, person: Role | None) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    roles = None
    if person is not None:
        assert sign_in(client, samples["people"][person]).status_code == 302
        roles = frozenset({person})
    checked = 0
    for endpoint, rule, methods in _routes(app):
        if endpoint in {"auth.logout"}:
            continue  # signing out mid-walk would change who is walking
        access: Access = access_of(app.view_functions[endpoint])  # type: ignore[assignment]
        url = rule
        for name, value in samples["values"].items():
            url = url.replace(f"<{name}>", str(value)).replace(f"<int:{name}>", str(value))
            url = url.replace(f"<path:{name}>", str(value)).replace("<any(open, close, finish, cancel):action>", "open")
        method = "GET" if "GET" in methods else "POST"
        response = client.open(url, method=method)
        response.close()
        allowed = access.allows(roles)
        label = f"{person} {method} {url} -> {response.status_code}"
        if allowed:
            assert response.status_code not in (401, 403), label
            assert "/sign-in" not in response.headers.get("Location", "") or endpoint == "auth.login", label
        elif person is None:
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"], label
        else:
            assert response.status_code == 403, label
        assert response.status_code < 500, label
        checked += 1
    assert checked >= 20
