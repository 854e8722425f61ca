"""An administrator sets an organisation's single sign-on; the secret is stored encrypted and never shown again."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.identity.models import SsoSettings
from app.models import Organisation, Role, User
from tests.conftest import post_form
from tests.fixtures.people import signed_in

FORM = {"provider_name": "NHSmail", "issuer": "https://login.microsoftonline.com/organizations/v2.0",
        "client_id": "abc", "auth_method": "client_secret_basic", "credential": "the-secret-value",
        "tenant_ids": "tenant-a\ntenant-b", "acr": "", "is_enabled": "yes", "allows_password_sign_in": "no"}


def test_an_administrator_saves_settings_and_the_secret_is_encrypted(
        app, organisation: Organisation, create_user: Callable[..., User]) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, create_user(Role.ADMIN))
    url = f"/admin/organisations/{organisation.id}/sign-in"
    assert post_form(client, url, FORM).status_code == 302
    row = db.session.get(SsoSettings, organisation.id)
    assert row is not None and row.credential == "the-secret-value" and row.tenant_ids == ["tenant-a", "tenant-b"]
    stored = db.session.execute(sa.text("SELECT credential FROM sso_settings")).scalar_one()
    assert "the-secret-value" not in stored and stored.startswith("v1.")
    page = client.get(url).get_data(as_text=True)
    assert "the-secret-value" not in page and "Leave this empty to keep it" in page
    # Saved again with the box left empty: the secret stays.
    assert post_form(client, url, {**FORM, "credential": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SsoSettings, organisation.id).credential == "the-secret-value"  # type: ignore[union-attr]


def test_bad_settings_are_named_field_by_field(app, organisation: Organisation,
                                               create_user: Callable[..., User]) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, create_user(Role.ADMIN))
    response = post_form(client, f"/admin/organisations/{organisation.id}/sign-in",
                         {**FORM, "issuer": "http://idp.example", "auth_method": "private_key_jwt",
                          "credential": "not a key", "provider_name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Error:" in page
    for message in ("Enter the issuer", "Enter a private key in PEM form", "Enter the name people know"):
        assert message in page
    assert db.session.get(SsoSettings, organisation.id) is None


def test_only_administrators_reach_the_settings(app, organisation: Organisation,
                                                create_user: Callable[..., User]) -> None:  # type: ignore[no-untyped-def]
    client: FlaskClient = signed_in(app, create_user(Role.LOCAL_LEAD))
    assert client.get(f"/admin/organisations/{organisation.id}/sign-in").status_code == 403
