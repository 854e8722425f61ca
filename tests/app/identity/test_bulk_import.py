"""Bulk import from a CSV file: every bad line named in the preview, the good ones added on confirming, invitations
by email where the organisation has no single sign-on, and formula-like cells kept as plain text."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts.rules import roles_conflict
from app.extensions import db
from app.identity import import_rules
from app.identity.import_rules import Directory, ImportFileError
from app.identity.models import SsoSettings
from app.models import Organisation, Role, User
from tests.conftest import csrf_from
from tests.fixtures.people import signed_in

HEADER = "name,email,role,manager email\n"
DIRECTORY = Directory(domains=("trust.example",), taken_emails=frozenset({"taken@trust.example"}),
                      members=frozenset({"taken@trust.example", "boss@trust.example"}),
                      grantable=frozenset({Role.OWNER, Role.FACILITATOR}))


def problems(text: str, directory: Directory = DIRECTORY) -> dict[int, list[str]]:
    return {line.number: line.problems for line in import_rules.check(import_rules.read_lines(text), directory)}


def test_each_kind_of_bad_line_is_named() -> None:
    found = problems(HEADER + "\n".join([
        "Ann Good,ann@trust.example,owner,boss@trust.example",
        "Bad Address,not-an-address,owner,",
        "Outside,out@elsewhere.example,owner,",
        "Both Roles,both@trust.example,facilitator;local lead,",
        "Unknown Boss,ub@trust.example,owner,nobody@trust.example",
        "Ann Again,ANN@trust.example,owner,",
        "Taken,taken@trust.example,owner,",
        "Odd Role,odd@trust.example,wizard,",
        "Manager In File,mif@trust.example,owner,ann@trust.example",
    ]))
    assert found[2] == [] and found[10] == []
    assert "is not an email address" in found[3][0]
    assert "outside the organisation's email domains" in found[4][0]
    assert any("cannot also be a facilitator" in p for p in found[5]) and any("cannot give" in p for p in found[5])
    assert "is not someone at the organisation" in found[6][0]
    assert "same address is on line 2" in found[7][0]
    assert "already an account" in found[8][0]
    assert "is not a role" in found[9][0]


def test_a_file_without_the_columns_is_refused_whole() -> None:
    with pytest.raises(ImportFileError, match="lacks manager email"):
        import_rules.read_lines("name,email,role\nA,a@trust.example,owner\n")
    with pytest.raises(ImportFileError, match="empty"):
        import_rules.read_lines("")


def test_the_instructions_name_the_roles_one_may_give() -> None:
    assert import_rules.role_words(frozenset(Role)) == "owner, facilitator, manager, local lead or administrator"
    assert import_rules.role_words({Role.FACILITATOR, Role.OWNER}) == "owner or facilitator"


def test_roles_conflict_is_separation_of_duties() -> None:
    assert roles_conflict(frozenset({Role.FACILITATOR, Role.ADMIN})) is not None
    assert roles_conflict(frozenset({Role.FACILITATOR, Role.LOCAL_LEAD})) is not None
    assert roles_conflict(frozenset({Role.FACILITATOR, Role.OWNER, Role.MANAGER})) is None
    assert roles_conflict(frozenset({Role.ADMIN, Role.LOCAL_LEAD})) is None


def _upload(client, org: Organisation, text: str):  # type: ignore[no-untyped-def]
    url = f"/organisations/{org.id}/people/import"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "people.csv")},
                       content_type="multipart/form-data")


def _confirm(client, org: Organisation, preview_html: str):  # type: ignore[no-untyped-def]
    import html
    import re

    text = html.unescape(re.search(r'name="text" type="hidden" value="([^"]*)"', preview_html).group(1))  # type: ignore[union-attr]
    return client.post(f"/organisations/{org.id}/people/import/confirm",
                       data={"csrf_token": csrf_from(preview_html), "text": text})


def test_a_local_lead_previews_then_adds_the_good_lines_by_invitation(
        app: Flask, organisation: Organisation, create_user: Callable[..., User], mailbox) -> None:  # type: ignore[no-untyped-def]
    organisation.email_domains = ["trust.example"]
    db.session.commit()
    client = signed_in(app, create_user(Role.LOCAL_LEAD))
    instructions = client.get(f"/organisations/{organisation.id}/people/import").get_data(as_text=True)
    assert "The role is owner or facilitator (several" in instructions  # only the roles she may give
    preview = _upload(client, organisation, HEADER + "=HYPERLINK(\"http://evil.example\"),eve@trust.example,owner,\n"
                      "Fay Facilitator,fay@trust.example,facilitator,\nAdam Admin,adam@trust.example,administrator,\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 of 3 people are ready" in page and "Line" in page
    assert "You cannot give the role Administrator" in page
    response = _confirm(client, organisation, page)
    assert response.status_code == 302
    added = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(
        ["eve@trust.example", "fay@trust.example", "adam@trust.example"])))}
    assert set(added) == {"eve@trust.example", "fay@trust.example"}
    assert added["eve@trust.example"].name == "=HYPERLINK(\"http://evil.example\")"  # data, not a formula
    assert mailbox.to("eve@trust.example") and mailbox.to("fay@trust.example")


def test_where_the_organisation_signs_in_with_its_provider_nobody_is_emailed(
        app: Flask, organisation: Organisation, create_user: Callable[..., User], mailbox) -> None:  # type: ignore[no-untyped-def]
    organisation.email_domains = ["trust.example"]
    db.session.add(SsoSettings(organisation=organisation, provider_name="NHSmail", issuer="https://idp.example",
                               client_id="c", credential="s"))
    db.session.commit()
    client = signed_in(app, create_user(Role.ADMIN))
    page = _upload(client, organisation, HEADER + "Gus Good,gus@trust.example,owner,\n").get_data(as_text=True)
    assert _confirm(client, organisation, page).status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "gus@trust.example")) is not None
    assert not mailbox.to("gus@trust.example")


def test_a_local_lead_of_another_organisation_cannot_import_here(
        app: Flask, organisation: Organisation, create_user: Callable[..., User]) -> None:
    other = Organisation(name="Other")
    db.session.add(other)
    db.session.commit()
    client = signed_in(app, create_user(Role.LOCAL_LEAD, org=other))
    assert client.get(f"/organisations/{organisation.id}/people/import").status_code == 404
