"""The signed-in home page points each role to where its work is, and promises nothing that is not there."""

from __future__ import annotations

import re
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


def test_the_logo_links_name_contains_what_it_shows(app: Flask) -> None:
    """WCAG 2.5.3 (label in name): the link shows the NHS logo and the service's name, so a voice user who says
    "click NHS Open360" must reach it; its accessible name starts with exactly that."""
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    link = re.search(r'<a class="nhsuk-header__service-logo"[^>]*aria-label="([^"]*)"', page)
    assert link is not None
    logo = re.search(r'<svg class="nhsuk-header__logo"[^>]*aria-label="([^"]*)"', page)
    service = re.search(r'class="nhsuk-header__service-name">\s*([^<]*?)\s*<', page)
    assert logo is not None and service is not None
    visible = f"{logo.group(1)} {service.group(1)}"
    assert visible == "NHS Open360" and link.group(1).startswith(visible), link.group(1)
