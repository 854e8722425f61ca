"""Raters are real colleagues, by default (PRODUCT §2.4): an organisation that has not said who its colleagues are
opens no rounds, and says so to the owner and to its administrator; a withdrawn rater can never come back under
another spelling of their mailbox, so they can never answer twice."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from app.timeutil import today
from surveys import operations
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation
from tests.conftest import post_form
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher

SPELLINGS_OF_PAT = ["PAT@trust.example", "pat+again@trust.example", "Pat+X@Trust.Example", "pat@mail.trust.example",
                    "pat%mail.trust.example@trust.example", "pat@trust.example"]


def test_a_withdrawn_rater_never_comes_back_under_another_spelling(owner_client: FlaskClient, open_round: Cycle,
                                                                   mailbox: MailCatcher) -> None:
    pat = next(i for i in open_round.invitations if i.email == "pat@trust.example")
    assert post_form(owner_client, f"/round/raters/{pat.id}/withdraw", {}).status_code == 302
    for spelling in SPELLINGS_OF_PAT:
        one = post_form(owner_client, "/round/raters", {"add-name": "Pat", "add-email": spelling,
                                                        "add-category": "peer"}, prefix="add")
        assert one.status_code == 200 and "There is a problem" in one.get_data(as_text=True), spelling
        pasted = post_form(owner_client, "/round/raters/paste", {"paste-raters": f"Pat, {spelling}, peer"},
                           page="/round/raters", prefix="paste")
        assert pasted.status_code in (200, 302), spelling
    # One invitation ever reached Pat's mailbox: one link, so at most one answer.
    addresses = list(db.session.scalars(sa.select(Invitation.email).where(Invitation.cycle_id == open_round.id)))
    assert [a for a in addresses if a.split("@")[0].split("+")[0].split("%")[0] == "pat"] == ["pat@trust.example"]
    assert not any(mailbox.to(s.lower()) for s in SPELLINGS_OF_PAT if s.lower() != "pat@trust.example")


def _unset(organisation: Organisation) -> None:
    organisation.email_domains, organisation.allows_external_raters = [], False
    unit.commit()


def test_an_organisation_without_domains_opens_no_round_and_says_so(owner_client: FlaskClient, owner: User,
                                                                    organisation: Organisation,
                                                                    create_round: Callable[..., Cycle]) -> None:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")], open_it=False)
    _unset(organisation)
    raters = owner_client.get("/round/raters").get_data(as_text=True)
    assert "has not listed its email domains" in raters
    added = post_form(owner_client, "/round/raters", {"add-name": "Sam", "add-email": "sam@trust.example",
                                                      "add-category": "peer"}, prefix="add")
    assert "has not yet listed its email domains" in added.get_data(as_text=True)
    page = owner_client.get("/round/open").get_data(as_text=True)
    assert "Ask your organisation&#39;s administrator" in page or "Ask your organisation's administrator" in page
    assert owner_client.post("/round/open").status_code in (400, 409)
    assert operations.action_refusal(cycle, "open", today()) is not None
    db.session.refresh(cycle)
    assert cycle.state is CycleState.DRAFT

    organisation.allows_external_raters = True  # one of the two choices is enough
    unit.commit()
    assert operations.action_refusal(cycle, "open", today()) is None


def test_the_administrator_and_local_lead_are_told_what_to_do(app: Flask, organisation: Organisation,
                                                              create_user: Callable[..., User]) -> None:
    _unset(organisation)
    admin = signed_in(app, create_user(Role.ADMIN, email="alex@trust.example"))
    for url in (f"/admin/organisations/{organisation.id}", f"/organisations/{organisation.id}/people"):
        assert "cannot invite raters or open feedback rounds" in admin.get(url).get_data(as_text=True), url
    lead = signed_in(app, create_user(Role.LOCAL_LEAD, email="lucy@trust.example"))
    page = lead.get(f"/organisations/{organisation.id}/people").get_data(as_text=True)
    assert "cannot invite raters" in page and "Only an administrator can change this" in page
    # Saving the settings page without either is refused, so the page never leaves the organisation half set up.
    saved = post_form(admin, f"/admin/organisations/{organisation.id}", {
        "name": organisation.name, "email_domains": "", "allows_external_raters": "no",
        "requires_nomination_approval": "no", "facilitator_releases_report": "no", "rater_purge_days": "30",
        "retention_days": "1095", "min_round_interval_months": "6"})
    assert saved.status_code == 200 and "Enter the organisation&#39;s email domains" in saved.get_data(as_text=True)
    saved = post_form(admin, f"/admin/organisations/{organisation.id}", {
        "name": organisation.name, "email_domains": "trust.example", "allows_external_raters": "no",
        "requires_nomination_approval": "no", "facilitator_releases_report": "no", "rater_purge_days": "30",
        "retention_days": "1095", "min_round_interval_months": "6"})
    assert saved.status_code == 302
    assert "cannot invite raters" not in admin.get(f"/organisations/{organisation.id}/people").get_data(as_text=True)


def test_the_interval_between_rounds_is_set_on_the_settings_page(app: Flask, organisation: Organisation,
                                                                 create_user: Callable[..., User]) -> None:
    admin = signed_in(app, create_user(Role.ADMIN, email="alex@trust.example"))
    url = f"/admin/organisations/{organisation.id}"
    assert 'value="6"' in admin.get(url).get_data(as_text=True)
    form = {"name": organisation.name, "email_domains": "trust.example", "allows_external_raters": "no",
            "requires_nomination_approval": "no", "facilitator_releases_report": "no", "rater_purge_days": "30",
            "retention_days": "1095"}
    for bad in ("", "2", "25", "six", "1.5", "²", "-6", "9" * 40):
        page = post_form(admin, url, {**form, "min_round_interval_months": bad})
        assert page.status_code == 200, bad
        assert "Enter a whole number of months from 3 to 24" in page.get_data(as_text=True), bad
    assert post_form(admin, url, {**form, "min_round_interval_months": " 12 "}).status_code == 302
    db.session.refresh(organisation)
    assert organisation.min_round_interval_months == 12


def test_raters_added_while_outside_raters_were_allowed_are_not_invited_once_they_are_not(
        owner_client: FlaskClient, owner: User, organisation: Organisation, mailbox: MailCatcher,
        create_round: Callable[..., Cycle]) -> None:
    """Found by an adversarial review: the list was checked only as each rater was added, so an organisation that
    stopped allowing raters from outside still had them invited when the round opened."""
    organisation.allows_external_raters = True
    unit.commit()
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer"), ("Sock One", "sock.one@gmail.com",
                                                                              "peer")], open_it=False)
    organisation.allows_external_raters = False
    unit.commit()
    assert "Sock One: sock.one@gmail.com is not an address in your organisation" in (
        operations.action_refusal(cycle, "open", today()) or "")
    owner_client.post("/round/open")
    db.session.refresh(cycle)
    assert cycle.state is CycleState.DRAFT and not mailbox.to("sock.one@gmail.com")
