"""The signed-in home page points each role to where its work is, and promises nothing that is not there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.models import Role, User
from tests.fixtures.people import signed_in


@pytest.mark.parametrize(("role", "links"), [
    (Role.FACILITATOR, ['href="/facilitator"']),
    (Role.MANAGER, ['href="/reports"', 'href="/development/shared"']),
])
def test_the_home_page_links_to_each_roles_lists(app: Flask, create_user: Callable[..., User], role: Role,
                                                 links: list[str]) -> None:
    client = signed_in(app, create_user(role))
    page = client.get("/").get_data(as_text=True)
    assert all(link in page for link in links), page
    assert "will be listed here" not in page
