"""Single sign-on in a real browser: the administrator's settings page (with its errors), the sign-in page's button,
the whole flow through a local OpenID provider (timed), and the page for someone nobody has added. Each audited."""

from __future__ import annotations

import time

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.identity.models import SsoSettings
from app.models import Organisation, Role, User
from tests.browser.audit import NARROW, PHONE, Auditor, broken_words, resize
from tests.browser.live import LiveServer
from tests.browser.seed import person
from tests.browser.steps import press_button, sign_in
from tests.fixtures.oidc import CLIENT_ID, MockProvider

PROVIDER_NAME = "Browser Trust account"


def _no_cdn(page: Page) -> None:
    # The mock provider's page asks a CDN for its stylesheet; this machine has no internet, and it is not our page.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(status=200, content_type="text/css", body=""))


def test_settings_sign_in_button_and_the_whole_flow(live: LiveServer, desktop: Page, new_phone,  # type: ignore[no-untyped-def]
                                                   audit: Auditor, mock_provider: MockProvider) -> None:
    with live.context():
        admin = person(Role.ADMIN)
        owner = person(Role.OWNER, name="Sid Single")
        org = db.session.get(User, owner.id).organisation  # type: ignore[union-attr]
        org_id = org.id
    page = desktop
    sign_in(page, admin)
    page.goto(f"/admin/organisations/{org_id}/sign-in")
    audit(page, "sso-settings", "Single sign-on for Browser Test Trust")
    page.get_by_label("Issuer").fill("http://idp.example")
    press_button(page, "Save single sign-on settings")
    audit(page, "sso-settings-error", "Single sign-on for Browser Test Trust", error=True)
    page.get_by_label("Provider's name").fill(PROVIDER_NAME)
    page.get_by_label("Issuer").fill(mock_provider.url)
    page.get_by_label("Client ID").fill(CLIENT_ID)
    page.get_by_label("Client secret or private key").fill("browser-secret")
    press_button(page, "Save single sign-on settings")
    expect(page.get_by_text("single sign-on settings have been saved")).to_be_visible()
    try:
        with live.context():
            org = db.session.get(Organisation, org_id)
            org.email_domains = [*(org.email_domains or []), "browser.example"]  # type: ignore[union-attr]
        mock_provider.set_user("sid-subject", email=owner.email, email_verified=True)
        mock_provider.set_user("stranger", email="stranger@browser.example", email_verified=True)
        phone = new_phone()
        _no_cdn(phone)
        phone.goto("/sign-in")
        audit(phone, "sign-in-with-sso", "Sign in")
        started = time.perf_counter()
        press_button(phone, f"Sign in with {PROVIDER_NAME}")
        phone.locator("input[name=sub]").fill("sid-subject")
        press_button(phone, "Authorize")
        expect(phone.get_by_text("Sid Single").first).to_be_visible()
        print(f"\nSSO browser flow (button to signed-in page): {time.perf_counter() - started:.2f} s")
        stranger = new_phone()
        _no_cdn(stranger)
        stranger.goto("/sign-in")
        press_button(stranger, f"Sign in with {PROVIDER_NAME}")
        stranger.locator("input[name=sub]").fill("stranger")
        press_button(stranger, "Authorize")
        audit(stranger, "sso-not-provisioned", "You do not have an account yet")
    finally:
        with live.context():
            db.session.execute(sa.delete(SsoSettings).where(SsoSettings.organisation_id == org_id))
            org = db.session.get(Organisation, org_id)
            org.email_domains = [d for d in org.email_domains or [] if d != "browser.example"]  # type: ignore[union-attr]


def test_bulk_import_pages(live: LiveServer, desktop: Page, audit: Auditor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with live.context():
        lead = person(Role.LOCAL_LEAD)
        org_id = db.session.get(User, lead.id).organisation_id  # type: ignore[union-attr]
    page = desktop
    sign_in(page, lead)
    page.goto(f"/organisations/{org_id}/people/import")
    audit(page, "import", "Add people from a file")
    press_button(page, "Check the file")
    audit(page, "import-error", "Add people from a file", error=True)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email,role,manager email\nNew Owner,new.owner@browser.example,owner,\n"
                        "Bad One,not-an-address,owner,\nBoth,both@browser.example,facilitator;local lead,\n"
                        "Amy Admin,amy.longname@demo.browser.example,administrator,\n")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    press_button(page, "Check the file")
    audit(page, "import-preview", "Check the people to add")
    expect(page.get_by_text("is not an email address")).to_be_visible()
    # On a phone neither a heading nor an address breaks inside a word ("Wh" / "at is wro" / "ng", "open360.t" /
    # "est"): addresses wrap after the @ or before a dot.
    for size in (PHONE, NARROW):
        resize(page, size)
        assert broken_words(page, "main td") == [], size


def test_provisioning_page(live: LiveServer, desktop: Page, audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN)
        org_id = db.session.get(User, admin.id).organisation_id  # type: ignore[union-attr]
    page = desktop
    sign_in(page, admin)
    page.goto(f"/admin/organisations/{org_id}/provisioning")
    audit(page, "provisioning", "Provisioning for Browser Test Trust")
    press_button(page, "Create a token")
    expect(page.get_by_text("shown once only")).to_be_visible()
    audit(page, "provisioning-token", "Provisioning for Browser Test Trust")
    page.get_by_role("button", name="Revoke").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("The token has been revoked")).to_be_visible()
