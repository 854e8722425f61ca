"""Every signed-in person has a "Your information" page (PRODUCT §7, the privacy page's promise): what is held about
them, what else carries their name (counts of their own acts), and how to close the account, by name. Owners keep
their download, rounds and deletion."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.models import Role, User
from tests.conftest import post_form
from tests.fixtures.people import signed_in


@pytest.fixture
def people(create_user: Callable[..., User]) -> dict[str, User]:
    return {role: create_user(role, name=name, email=f"{name.split()[0].lower()}@trust.example")
            for role, name in ((Role.LOCAL_LEAD, "Lee Lead"), (Role.FACILITATOR, "Fay Facilitator"),
                               (Role.MANAGER, "Mo Manager"), (Role.ADMIN, "Ada Admin"), (Role.OWNER, "Olu Owner"))}


def test_every_role_sees_what_is_held_about_them_and_whom_to_ask_to_close_it(
        app: Flask, people: dict[str, User]) -> None:
    lead, fay, owner = people[Role.LOCAL_LEAD], people[Role.FACILITATOR], people[Role.OWNER]
    assert post_form(signed_in(app, lead), "/facilitators",
                     {"owner": str(owner.id), "facilitator": str(fay.id)}).status_code == 302
    pages = {role: signed_in(app, person).get("/account/") for role, person in people.items()}
    assert {role: page.status_code for role, page in pages.items()} == {role: 200 for role in people}
    text = {role: page.get_data(as_text=True) for role, page in pages.items()}
    for role, person in people.items():
        assert person.email in text[role] and person.organisation.name in text[role] and role.label in text[role]
        assert "With a password" in text[role] and 'href="/account/"' in text[role]  # in the navigation too
    assert "Facilitator assignments you made" in text[Role.LOCAL_LEAD]
    assert "Owners assigned to you as their facilitator" in text[Role.FACILITATOR]
    assert "ask your local lead (Lee Lead) or an administrator to deactivate it" in text[Role.FACILITATOR]
    assert "ask an administrator (Ada Admin) to deactivate it" in text[Role.MANAGER]  # a role she cannot give
    assert "ask an administrator (Ada Admin) to deactivate it" in text[Role.LOCAL_LEAD]
    assert "ask another administrator (there is none yet) to deactivate it" in text[Role.ADMIN]
    for role in (Role.LOCAL_LEAD, Role.FACILITATOR, Role.MANAGER, Role.ADMIN):
        assert "Delete your account" not in text[role] and "/account/export" not in text[role]
    # The owner keeps everything: the download and the deletion, and is counted in nobody's name.
    assert "/account/export" in text[Role.OWNER] and "Delete your account" in text[Role.OWNER]
    assert "What else carries your name" not in text[Role.OWNER]
