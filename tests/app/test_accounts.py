"""People and passwords: invitations and resets by one-time link, roles, deactivation, and who may do what."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.accounts import rules
from app.accounts.models import AccountLink
from app.accounts.operations import NO_PASSWORD
from app.extensions import db
from app.models import Organisation, Role, User
from tests.conftest import post_form
from tests.fixtures.people import sign_in, signed_in

NEW_PASSWORD = "plum kettle orbit lantern"


def _link(mailbox, address: str) -> str:  # type: ignore[no-untyped-def]
    messages = mailbox.to(address)
    assert messages, f"no mail to {address}"
    match = re.search(r"http://localhost(/account/link/[\w-]+)", mailbox.text(messages[-1]))
    assert match
    return match.group(1)


# --- rules ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "problem"), [
    ("short", "at least 12 characters"),
    ("qwerty123456", "most commonly used"),
    ("password1234!", "most commonly used"),
    ("aaaaaaaaaaaa", "easy to guess"),
    ("olivia.okafor1", "easy to guess"),
    (NEW_PASSWORD, None),
])
def test_passwords_need_12_characters_and_must_not_be_common(password: str, problem: str | None) -> None:
    found = rules.password_problem(password, ["Olivia Okafor", "olivia.okafor@trust.example"])
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize("password", ["zara.newington@trust.example", " Zara.Newington@Trust.Example ",
                                      "zara.newington", "ZARA.NEWINGTON"])
def test_the_persons_own_email_address_or_its_local_part_is_refused(password: str) -> None:
    found = rules.password_problem(password, ["Zara Newington", "zara.newington@trust.example"])
    assert found is not None and "your email address" in found


def test_a_link_works_once_and_expires() -> None:
    made = datetime(2026, 12, 1, 9, 0)
    reset = rules.LinkFacts(rules.Purpose.RESET, made, None, True)
    assert rules.link_is_usable(reset, made + timedelta(minutes=59))
    assert not rules.link_is_usable(reset, made + timedelta(minutes=60))
    assert rules.link_is_usable(rules.LinkFacts(rules.Purpose.INVITE, made, None, True), made + timedelta(days=6))
    assert not rules.link_is_usable(rules.LinkFacts(rules.Purpose.INVITE, made, made, True), made)
    assert not rules.link_is_usable(rules.LinkFacts(rules.Purpose.INVITE, made, None, False), made)


def test_domains_are_checked_and_a_subdomain_is_not_its_parent() -> None:
    assert rules.parse_domains("NHS.net\n@trust.nhs.uk, nhs.net") == (["nhs.net", "trust.nhs.uk"], [])
    assert rules.parse_domains("nhs.net, not_a_domain; 10.0.0.1\n-x.com")[1] == ["not_a_domain", "10.0.0.1", "-x.com"]
    assert rules.parse_domains("nhs.net trust.nhs.uk\n\n") == (["nhs.net", "trust.nhs.uk"], [])
    assert rules.address_in_domains("a@nhs.net", ["nhs.net"])
    assert rules.address_in_domains("a@NHS.net", ["nhs.net"])
    assert not rules.address_in_domains("a@mail.nhs.net", ["nhs.net"])
    assert not rules.address_in_domains("a@evilnhs.net", ["nhs.net"])
    assert not rules.address_in_domains("a@anything.example", [])  # no domains listed: nobody, not anybody


def test_a_refused_domain_entry_is_quoted_whole() -> None:
    assert rules.parse_domains("nhs.net\n not a domain! \ntrust.nhs.uk") == (["nhs.net", "trust.nhs.uk"],
                                                                           ["not a domain!"])


def test_local_leads_grant_only_owner_and_facilitator_and_nobody_loses_their_last_role() -> None:
    lead = rules.grantable_roles(frozenset({Role.LOCAL_LEAD}))
    assert lead == {Role.OWNER, Role.FACILITATOR}
    assert rules.new_roles(frozenset({Role.MANAGER}), frozenset({Role.ADMIN, Role.FACILITATOR}), lead,
                           is_self=False) == {Role.MANAGER, Role.FACILITATOR}
    with pytest.raises(rules.AccountRuleError):
        rules.new_roles(frozenset({Role.OWNER}), frozenset(), lead, is_self=False)
    with pytest.raises(rules.AccountRuleError, match="your own administrator"):
        rules.new_roles(frozenset({Role.ADMIN}), frozenset({Role.OWNER}), frozenset(Role), is_self=True)


# --- invitations ---------------------------------------------------------------------------------------------------

@pytest.fixture
def admin_client(client: FlaskClient, create_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    admin = create_user(Role.ADMIN, name="Alex Admin", email="alex@trust.example")
    assert sign_in(client, admin).status_code == 302
    return client


def test_an_invited_person_chooses_a_password_once_and_is_signed_in(admin_client: FlaskClient, organisation,  # type: ignore[no-untyped-def]
                                                                   mailbox, app) -> None:
    url = f"/organisations/{organisation.id}/people/invite"
    response = post_form(admin_client, url, {"name": "Nia New", "email": "Nia@Trust.example",
                                             "roles": ["owner", "facilitator"]})
    assert response.status_code == 302
    nia = db.session.scalar(sa.select(User).where(User.email == "nia@trust.example"))
    assert nia is not None and nia.roles == {Role.OWNER, Role.FACILITATOR} and nia.password_hash == NO_PASSWORD
    link = _link(mailbox, "nia@trust.example")
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(sa.select(AccountLink.token_hash)).all()
    assert token not in str(stored) and len(stored) == 1 and stored[0]  # only a hash

    newcomer = app.test_client()
    opened = newcomer.get(link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/account/password"
    page = post_form(newcomer, "/account/password", {"password": "short", "confirm": "short"})
    assert "at least 12 characters" in page.get_data(as_text=True)
    page = post_form(newcomer, "/account/password", {"password": "Nia@Trust.example", "confirm": "Nia@Trust.example"})
    assert "cannot be your email address" in page.get_data(as_text=True)  # 17 characters
    page = post_form(newcomer, "/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "do not match" in page.get_data(as_text=True)
    done = post_form(newcomer, "/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "Nia New" in newcomer.get("/", follow_redirects=True).get_data(as_text=True)

    again = app.test_client().get(link)
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    assert sign_in(app.test_client(), nia, NEW_PASSWORD).status_code == 302


def test_an_invitation_refuses_a_taken_address_and_needs_a_role(admin_client: FlaskClient, organisation,  # type: ignore[no-untyped-def]
                                                                 create_user) -> None:
    create_user(Role.OWNER, email="olivia@trust.example")
    url = f"/organisations/{organisation.id}/people/invite"
    page = post_form(admin_client, url, {"name": "Liv", "email": "Olivia@trust.example", "roles": ["owner"]})
    assert "already an account with this email address" in page.get_data(as_text=True)
    # Another spelling of the same mailbox is the same person: one person, one account.
    page = post_form(admin_client, url, {"name": "Liv", "email": "olivia+2@trust.example", "roles": ["owner"]})
    assert "already an account" in page.get_data(as_text=True) and "reaches the same mailbox" in page.get_data(
        as_text=True)
    page = post_form(admin_client, url, {"name": "Al", "email": "al@trust.example"})
    assert "Choose at least one role" in page.get_data(as_text=True)
    page = post_form(admin_client, url, {"name": "", "email": "not an address", "roles": ["owner"]})
    text = page.get_data(as_text=True)
    assert "full name" in text and "correct format" in text and "<title>Error: " in text


def test_a_new_invitation_replaces_the_old_link(admin_client: FlaskClient, organisation, mailbox, app) -> None:  # type: ignore[no-untyped-def]
    post_form(admin_client, f"/organisations/{organisation.id}/people/invite",
              {"name": "Ola", "email": "ola@trust.example", "roles": ["owner"]})
    first = _link(mailbox, "ola@trust.example")
    ola = db.session.scalar(sa.select(User).where(User.email == "ola@trust.example"))
    post_form(admin_client, f"/people/{ola.id}/invite-again", {}, page=f"/people/{ola.id}", prefix="act")
    second = _link(mailbox, "ola@trust.example")
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 302


# --- password reset ------------------------------------------------------------------------------------------------

def test_a_reset_says_the_same_for_any_address_and_mails_only_an_account(client: FlaskClient, owner, mailbox,  # type: ignore[no-untyped-def]
                                                                        app) -> None:
    known = post_form(client, "/forgot-password", {"email": owner.email}).get_data(as_text=True)
    unknown = post_form(client, "/forgot-password", {"email": "nobody@trust.example"}).get_data(as_text=True)
    def same(page: str, address: str) -> str:
        return re.sub(r'nonce="[^"]+"', "", page.replace(address, "X"))

    assert same(known, owner.email) == same(unknown, "nobody@trust.example")
    assert len(mailbox.to(owner.email)) == 1 and mailbox.to("nobody@trust.example") == []
    post_form(client, "/forgot-password", {"email": owner.email})
    assert len(mailbox.to(owner.email)) == 1  # one email a window, however often it is asked for

    link = _link(mailbox, owner.email)
    resetter = app.test_client()
    assert resetter.get(link).status_code == 302
    assert post_form(resetter, "/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
                     ).status_code == 302
    assert sign_in(app.test_client(), owner, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(link).status_code == 404


def test_a_reset_link_expires_after_an_hour(client: FlaskClient, owner, mailbox, app) -> None:  # type: ignore[no-untyped-def]
    post_form(client, "/forgot-password", {"email": owner.email})
    link = _link(mailbox, owner.email)
    stored = db.session.scalar(sa.select(AccountLink))
    stored.created_at -= timedelta(minutes=61)
    db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_a_deactivated_account_gets_no_reset_and_its_session_ends(admin_client: FlaskClient, owner, mailbox,  # type: ignore[no-untyped-def]
                                                                  app) -> None:
    owner_client = signed_in(app, owner)
    assert owner_client.get("/round/start").status_code == 200
    post_form(admin_client, f"/people/{owner.id}/deactivate", {}, page=f"/people/{owner.id}", prefix="act")
    assert db.session.get(User, owner.id).is_active_account is False
    assert "/sign-in" in owner_client.get("/round/start").headers["Location"]
    assert sign_in(app.test_client(), owner).status_code == 200  # refused
    post_form(app.test_client(), "/forgot-password", {"email": owner.email})
    assert mailbox.to(owner.email) == []
    post_form(admin_client, f"/people/{owner.id}/reactivate", {}, page=f"/people/{owner.id}", prefix="act")
    assert sign_in(app.test_client(), owner).status_code == 302


# --- local leads ---------------------------------------------------------------------------------------------------

@pytest.fixture
def lead_client(app, create_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    lead = create_user(Role.LOCAL_LEAD, name="Lucy Lead", email="lucy@trust.example")
    client = signed_in(app, lead)
    return client


def test_a_local_lead_invites_owners_and_facilitators_but_grants_nothing_else(lead_client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                             organisation, mailbox) -> None:
    url = f"/organisations/{organisation.id}/people/invite"
    page = lead_client.get(url).get_data(as_text=True)
    assert 'value="facilitator"' in page and 'value="admin"' not in page
    assert "Choose at least one role" in post_form(lead_client, url, {
        "name": "Sneaky", "email": "sneaky@trust.example", "roles": ["admin"]}).get_data(as_text=True)
    assert post_form(lead_client, url, {"name": "Fay", "email": "fay@trust.example",
                                        "roles": ["facilitator", "admin"]}).status_code == 302
    fay = db.session.scalar(sa.select(User).where(User.email == "fay@trust.example"))
    assert fay.roles == {Role.FACILITATOR}
    assert mailbox.to("fay@trust.example")


def test_a_local_lead_invites_at_a_test_domain_as_the_demo_has(  # type: ignore[no-untyped-def]
        lead_client: FlaskClient, organisation, mailbox) -> None:
    organisation.email_domains = ["demo.open360.test"]
    db.session.commit()
    url = f"/organisations/{organisation.id}/people/invite"
    form = {"name": "Wendy", "email": "wendy@demo.open360.test", "roles": ["owner"]}
    assert post_form(lead_client, url, form).status_code == 302
    assert mailbox.to("wendy@demo.open360.test")


def test_people_who_have_left_are_listed_after_everyone_active(lead_client: FlaskClient, create_user,  # type: ignore[no-untyped-def]
                                                               organisation) -> None:
    gone = create_user(Role.OWNER, name="Aaron Left")
    gone.is_active_account = False
    create_user(Role.OWNER, name="Zoe Here")
    db.session.commit()
    page = lead_client.get(f"/organisations/{organisation.id}/people").get_data(as_text=True)
    assert page.index("Lucy Lead") < page.index("Zoe Here") < page.index("Aaron Left")


def test_a_local_lead_changes_only_facilitator_and_owner_roles(lead_client: FlaskClient, create_user) -> None:  # type: ignore[no-untyped-def]
    mark = create_user(Role.MANAGER, name="Mark Manager")
    assert post_form(lead_client, f"/people/{mark.id}", {"roles": ["facilitator", "admin"]}).status_code == 302
    assert db.session.get(User, mark.id).roles == {Role.MANAGER, Role.FACILITATOR}
    assert post_form(lead_client, f"/people/{mark.id}/deactivate", {}, page=f"/people/{mark.id}",
                     prefix="act").status_code == 403


# --- organisations -------------------------------------------------------------------------------------------------

ORG_FORM = {"name": "Riverside Trust", "email_domains": "riverside.nhs.uk\n@NHS.net", "allows_external_raters": "no",
            "requires_nomination_approval": "yes", "facilitator_releases_report": "yes", "rater_purge_days": "14",
            "retention_days": "730"}


def test_an_administrator_creates_and_edits_an_organisation(admin_client: FlaskClient) -> None:
    response = post_form(admin_client, "/admin/organisations/new", ORG_FORM)
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Riverside Trust"))
    assert org.email_domains == ["riverside.nhs.uk", "nhs.net"]
    assert (org.requires_nomination_approval, org.facilitator_releases_report, org.allows_external_raters) == (
        True, True, False)
    assert (org.rater_purge_days, org.retention_days) == (14, 730)
    assert (org.accessibility_contact_name, org.accessibility_contact_email) == ("", "")  # the operator's, then
    page = admin_client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "riverside.nhs.uk\nnhs.net" in page
    post_form(admin_client, f"/admin/organisations/{org.id}", ORG_FORM | {"name": "Riverside NHS Trust",
                                                                          "email_domains": ""})
    assert db.session.get(Organisation, org.id).name == "Riverside Trust"  # refused: no domains, no outsiders


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email_domains", "riverside.nhs.uk\nnot a domain", "“not a domain” is not an email domain"),
    ("name", "Test Trust", "already an organisation with this name"),
    ("rater_purge_days", "0", "from 1 to 365"),
    ("retention_days", "lots", "from 30 to 3650"),
    ("email_domains", "", "or allow raters from outside"),
    ("accessibility_contact_email", "not-an-email", "Enter an email address in the correct format"),
    ("accessibility_contact_name", "Digital Team", "Enter the email address accessibility requests go to"),
])
def test_organisation_settings_are_checked_with_a_clear_message(admin_client: FlaskClient, organisation,  # type: ignore[no-untyped-def]
                                                                field: str, value: str, message: str) -> None:
    page = post_form(admin_client, "/admin/organisations/new", ORG_FORM | {field: value}).get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Riverside Trust")) is None


def test_an_email_domain_belongs_to_one_organisation_only() -> None:
    others = [("North Trust", ["north.nhs.uk"]), ("Shared Trust", ["nhs.net"])]
    assert rules.domain_clash(["south.nhs.uk"], others) is None
    assert rules.domain_clash(["North.nhs.uk".lower()], others) == (
        "north.nhs.uk is already an email domain of North Trust. An email domain can belong to one organisation only")
    assert "of Shared Trust (nhs.net covers it)" in str(rules.domain_clash(["mail.nhs.net"], others))
    assert "of North Trust (it covers north.nhs.uk)" in str(rules.domain_clash(["nhs.uk"], others))
    assert rules.domain_clash(["thenorth.nhs.uk"], others) is None  # another domain, not a part of one


def test_a_domain_another_organisation_holds_is_refused_naming_it(admin_client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                 organisation) -> None:
    organisation.email_domains = ["riverside.nhs.uk"]
    db.session.commit()
    form = " ".join(admin_client.get("/admin/organisations/new").get_data(as_text=True).split())
    assert "A domain belongs to one organisation only" in form  # said before it is refused
    page = post_form(admin_client, "/admin/organisations/new", ORG_FORM).get_data(as_text=True)
    assert "riverside.nhs.uk is already an email domain of Test Trust" in page and "There is a problem" in page
    assert 'value="Riverside Trust"' in page or "Riverside Trust" in page  # what was typed is kept
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Riverside Trust")) is None
    # its own domains are no clash when it saves its settings again
    response = post_form(admin_client, f"/admin/organisations/{organisation.id}",
                         ORG_FORM | {"name": "Test Trust", "email_domains": "riverside.nhs.uk"})
    assert response.status_code == 302


def test_nhs_net_is_held_by_one_organisation_in_the_database_whatever_writes_it(organisation) -> None:  # type: ignore[no-untyped-def]
    """Issue 25, seam 7: the form's check is not the only guard. A domain is the key of its row, stored normalised,
    so a second organisation given it by any path (a script, the ORM, two saves at once) is refused."""
    organisation.email_domains = ["NHS.net."]  # normalised as stored
    db.session.commit()
    assert organisation.email_domains == ["nhs.net"]
    org_id = organisation.id
    db.session.expunge_all()  # as another process would: it has not loaded the first organisation's rows
    db.session.add(Organisation(name="Second Trust", email_domains=["@nhs.net"]))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):  # nor can a statement that bypasses the ORM store it in capitals
        db.session.execute(sa.text("INSERT INTO organisation_domains (domain, organisation_id) VALUES "
                                   "('TRUST.example', :id)"), {"id": org_id})
    db.session.rollback()


def test_two_administrators_saving_one_domain_at_once_get_a_message_not_an_error(  # type: ignore[no-untyped-def]
        admin_client: FlaskClient, organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other administrator's save lands between this form's check and its commit: the database refuses it,
    and the form says which organisation holds the domain, keeping what was typed."""
    from app.accounts import organisation_settings

    organisation.email_domains = ["nhs.net"]
    db.session.commit()
    real = organisation_settings._other_organisations
    calls: list[object] = []

    def read_before_the_other_save_then_after(org):  # type: ignore[no-untyped-def]
        calls.append(org)
        return [] if len(calls) == 1 else real(org)

    monkeypatch.setattr(organisation_settings, "_other_organisations", read_before_the_other_save_then_after)
    response = post_form(admin_client, "/admin/organisations/new", ORG_FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "nhs.net is already an email domain of Test Trust" in page and "Riverside Trust" in page
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Riverside Trust")) is None
    assert db.session.get(Organisation, organisation.id).email_domains == ["nhs.net"]
    assert len(calls) == 2  # the form's check passed; the database refused; the message was read again


def test_an_invitation_outside_the_organisations_domains_is_refused(admin_client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                    organisation) -> None:
    organisation.email_domains = ["trust.example"]
    db.session.commit()
    url = f"/organisations/{organisation.id}/people/invite"
    page = post_form(admin_client, url, {"name": "Out", "email": "out@gmail.example", "roles": ["owner"]})
    assert "must end in @trust.example" in page.get_data(as_text=True)
    page = post_form(admin_client, url, {"name": "Sub", "email": "in@mail.trust.example", "roles": ["owner"]})
    assert "must end in @trust.example" in page.get_data(as_text=True)  # a subdomain is not its parent domain
    assert post_form(admin_client, url, {"name": "In", "email": "in@trust.example", "roles": ["owner"]}
                     ).status_code == 302


def test_an_invited_account_cannot_be_signed_in_to_before_its_password_is_chosen(admin_client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                                organisation, app) -> None:
    post_form(admin_client, f"/organisations/{organisation.id}/people/invite",
              {"name": "Ivy", "email": "ivy@trust.example", "roles": ["owner"]})
    ivy = db.session.scalar(sa.select(User).where(User.email == "ivy@trust.example"))
    for guess in ("not a real password", "", NEW_PASSWORD):
        assert sign_in(app.test_client(), ivy, guess).status_code == 200  # refused


def test_an_organisation_is_reached_by_any_id_a_table_can_hold_and_a_missing_one_is_404(
        admin_client: FlaskClient) -> None:
    far = Organisation(id=2**31 - 1, name="Far Trust")
    db.session.add(far)
    db.session.commit()
    assert admin_client.get(f"/organisations/{far.id}/people").status_code == 200
    assert admin_client.get(f"/organisations/{far.id - 1}/people").status_code == 404
