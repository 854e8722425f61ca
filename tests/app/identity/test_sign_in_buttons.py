"""The sign-in page's "Sign in with …" buttons are read once a while per process, not once a request: a change in this
process shows at once, one made by another process within BUTTONS_SECONDS, and nothing secret is kept."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.db import counting_statements
from app.extensions import db
from app.identity.models import SsoSettings
from app.identity.operations import BUTTONS_SECONDS, SignInButtons, sign_in_buttons
from app.models import Organisation


def _settings(org: Organisation, name: str = "Trust account", enabled: bool = True) -> SsoSettings:
    row = SsoSettings(organisation=org, provider_name=name, issuer="https://login.example", client_id="open360",
                      credential="s3cret", is_enabled=enabled)
    db.session.add(row)
    db.session.commit()
    return row


def _page(client: FlaskClient) -> str:
    return client.get("/sign-in").get_data(as_text=True)


def test_a_change_made_here_shows_on_the_next_sign_in_page(client: FlaskClient, organisation: Organisation) -> None:
    assert "Sign in with" not in _page(client)
    row = _settings(organisation)
    assert "Sign in with Trust account" in _page(client)
    row.provider_name = "NHSmail"
    db.session.commit()
    assert "Sign in with NHSmail" in _page(client)
    row.is_enabled = False
    db.session.commit()
    assert "Sign in with" not in _page(client)
    row.is_enabled = True
    db.session.commit()
    assert "Sign in with NHSmail" in _page(client)
    db.session.delete(row)
    db.session.commit()
    assert "Sign in with" not in _page(client)


def test_a_change_rolled_back_forgets_nothing_and_keeps_nothing(app: Flask, client: FlaskClient,
                                                               organisation: Organisation) -> None:
    row = _settings(organisation)
    assert "Sign in with Trust account" in _page(client)
    row.provider_name = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert "Sign in with Trust account" in _page(client)


def test_the_page_reads_them_once_then_not_again_for_a_while(client: FlaskClient, organisation: Organisation) -> None:
    _settings(organisation)
    _page(client)
    db.session.remove()
    with counting_statements() as statements:
        assert "Sign in with Trust account" in _page(client)
    assert statements == []


def test_another_process_change_shows_after_buttons_seconds(app: Flask, organisation: Organisation) -> None:
    now = [100.0]
    buttons = SignInButtons(clock=lambda: now[0])
    row = _settings(organisation)
    assert buttons() == [(organisation.id, "Trust account")]
    # Another process's change: no object of this process is written, so nothing here forgets.
    db.session.execute(sa.update(SsoSettings).where(SsoSettings.organisation_id == row.organisation_id)
                       .values(provider_name="NHSmail"))
    db.session.commit()
    now[0] += BUTTONS_SECONDS - 0.5
    assert buttons() == [(organisation.id, "Trust account")]
    now[0] += 0.5
    assert buttons() == [(organisation.id, "NHSmail")]


def test_a_read_overtaken_by_a_change_is_not_kept(app: Flask, organisation: Organisation) -> None:
    row = _settings(organisation)
    reads: list[str] = []
    buttons: SignInButtons

    def read_then_changed() -> list[tuple[int, str]]:
        reads.append("read")
        found = sign_in_buttons()
        if len(reads) == 1:
            buttons.forget()  # a change committed while this first read was on its way
        return found

    buttons = SignInButtons(read=read_then_changed, clock=lambda: 0.0)
    assert buttons() == [(row.organisation_id, "Trust account")]
    assert buttons() == buttons() and len(reads) == 2  # read again, then kept


def test_only_names_are_read_and_no_credential_is_opened(app: Flask, organisation: Organisation,
                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _settings(organisation, "Trust account")
    other = Organisation(name="Other trust")
    db.session.add(other)
    _settings(other, "Other account", enabled=False)
    org_id = organisation.id
    db.session.expunge_all()  # nothing of the rows left in the session: the read must not open them either

    def refused(*_args: object) -> None:
        raise AssertionError("the buttons opened an encrypted value")

    monkeypatch.setattr(SsoSettings.__table__.c.credential.type, "open", refused)
    assert sign_in_buttons() == [(org_id, "Trust account")]
