"""An administrator's own values statements: removing one is asked on a page of its own, never in one click."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from app.extensions import db
from app.models import Role, User
from surveys.models import OrgStatement
from tests.conftest import post_form
from tests.fixtures.people import signed_in


def test_removing_a_statement_asks_first_and_only_the_confirmation_removes_it(
        app: Flask, create_user: Callable[..., User]) -> None:
    admin = create_user(Role.ADMIN, name="Ada Admin")
    statement = OrgStatement(organisation_id=admin.organisation_id, self_text="I act on our value of openness.",
                             rater_text="This person acts on our value of openness.")
    db.session.add(statement)
    db.session.commit()
    client = signed_in(app, admin)
    listing = client.get("/admin/statements").get_data(as_text=True)
    url = f"/admin/statements/{statement.id}/retire"
    assert f'href="{url}"' in listing and f'action="{url}"' not in listing  # a link to a page, not a button
    page = client.get(url).get_data(as_text=True)
    assert "Remove this statement?" in page and "I act on our value of openness." in page
    db.session.refresh(statement)
    assert statement.is_active
    assert post_form(client, url, {}).status_code == 302
    db.session.refresh(statement)
    assert not statement.is_active
    assert client.get(url).status_code == 404  # gone: nothing left to confirm
