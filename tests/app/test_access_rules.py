"""Declaring who may use a route, tried on routes declared during the test (the app's own are declared at import,
before any test runs): a declaration admits exactly its roles, sends a stranger to sign in, and can be read back;
a route that declares nothing is found out."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask

from app.access import Access, access_of, roles
from app.models import Role, User
from tests.fixtures.people import signed_in


def test_a_route_for_some_roles_admits_those_roles_only(app: Flask, create_user: Callable[..., User]) -> None:
    @app.route("/only-owners-and-managers")
    @roles(Role.OWNER, Role.MANAGER)
    def only_owners_and_managers() -> str:
        return "inside"

    assert access_of(only_owners_and_managers) == Access(roles=frozenset({Role.OWNER, Role.MANAGER}))
    stranger = app.test_client().get("/only-owners-and-managers")
    assert stranger.status_code == 302 and urlsplit(stranger.headers["Location"]).path == "/sign-in"
    for role, status in ((Role.OWNER, 200), (Role.MANAGER, 200), (Role.FACILITATOR, 403), (Role.LOCAL_LEAD, 403),
                         (Role.ADMIN, 403)):
        response = signed_in(app, create_user(role)).get("/only-owners-and-managers")
        assert response.status_code == status, role
        assert ("inside" in response.get_data(as_text=True)) == (status == 200)


def test_a_route_that_declares_nothing_is_found_out(app: Flask) -> None:
    @app.route("/undeclared")
    def undeclared() -> str:
        return "anyone"

    assert access_of(undeclared) is None
    assert access_of(app.view_functions["undeclared"]) is None
