"""The administrator's organisations and people, a password chosen from an emailed link, and the local lead's usage
page, each checked with axe-core at phone and desktop width, error states included."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect

from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import Person, person
from tests.browser.steps import follow, press_button, sign_in
from tests.fixtures.people import PASSWORD
from usage import jobs
from usage.periods import Quarter


def test_an_administrator_adds_an_organisation_and_invites_someone_who_chooses_a_password(
        live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN)
    page = contexts.page()
    sign_in(page, admin)
    follow(page, "Organisations")
    audit(page, "admin-organisations", "Organisations")
    press_button(page, "Add an organisation")
    page.get_by_label("Email domains").fill("not a domain")
    page.get_by_label("Days to keep a finished round").fill("5")
    press_button(page, "Add organisation")
    audit(page, "admin-organisation-errors", "Add an organisation", error=True)
    page.get_by_label("Name", exact=True).fill("Riverside Browser Trust")
    page.get_by_label("Email domains").fill("riverside.example")
    page.get_by_label("Days to keep a finished round").fill("1095")
    press_button(page, "Add organisation")
    expect(page.get_by_role("heading", level=1)).to_have_text("People at Riverside Browser Trust")
    audit(page, "admin-people", "People at Riverside Browser Trust")

    press_button(page, "Invite someone")
    page.get_by_label("Email address").fill("nia@elsewhere.example")
    press_button(page, "Send invitation")
    audit(page, "admin-invite-errors", "Invite someone to Riverside Browser Trust", error=True)
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@riverside.example")
    page.get_by_label("Local lead").check()
    press_button(page, "Send invitation")
    expect(page.get_by_role("status")).to_contain_text("We have emailed Nia Newcomer")
    follow(page, "Nia Newcomer")
    audit(page, "admin-person", "Nia Newcomer")

    mail = live.mail.to("nia@riverside.example")
    link = re.search(r"/account/link/[\w-]+", live.mail.text(mail[-1]))
    assert link
    newcomer = contexts.phone()
    newcomer.goto(link.group(0))
    audit(newcomer, "choose-password", "Choose a password")
    newcomer.get_by_label("New password", exact=True).fill("password1234")
    newcomer.get_by_label("Type the password again").fill("password1234")
    press_button(newcomer, "Save password")
    audit(newcomer, "choose-password-errors", "Choose a password", error=True)
    newcomer.get_by_label("New password", exact=True).fill("plum kettle orbit lantern")
    newcomer.get_by_label("Type the password again").fill("plum kettle orbit lantern")
    press_button(newcomer, "Save password")
    expect(newcomer.get_by_role("status")).to_contain_text("Your password has been set")
    newcomer.goto(link.group(0))
    audit(newcomer, "account-link-used", "This link does not work")


def test_anyone_asks_for_a_password_reset(live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    page = contexts.phone()
    page.goto("/sign-in")
    follow(page, "Forgotten your password?")
    audit(page, "forgot-password", "Reset your password")
    press_button(page, "Send me a link")
    audit(page, "forgot-password-errors", "Reset your password", error=True)
    page.get_by_label("Email address").fill("nobody-at-all@browser.example")
    press_button(page, "Send me a link")
    audit(page, "reset-sent", "Check your email")


def _usage_lead() -> Person:
    """A local lead of an organisation with two quarters of figures, one of them with a hidden cell."""
    org = Organisation(name="Usage Browser Trust")
    db.session.add(org)
    owners = [User(organisation=org, name=f"Usage Owner {n}", email=f"usage-owner{n}@browser.example",
                   password_hash="x", role_rows=[UserRole(role=Role.OWNER)]) for n in range(4)]
    lead = User(organisation=org, name="Lucy Usage", email="usage-lead@browser.example",
                password_hash=hash_password(PASSWORD), role_rows=[UserRole(role=Role.LOCAL_LEAD)])
    db.session.add_all([*owners, lead])
    db.session.flush()
    facilitator = User(organisation=org, name="Fran Usage", email="usage-facilitator@browser.example",
                       password_hash="x", role_rows=[UserRole(role=Role.FACILITATOR)])
    db.session.add(facilitator)
    db.session.flush()
    from tests.usage.test_usage import add_round, facilitate

    for n, owner in enumerate(owners[:3]):
        cycle = add_round(owner, datetime(2026, 4, 7 + n), datetime(2026, 5, 1), raters=5, responded=4)
        facilitate(cycle, facilitator, datetime(2026, 5, 10 + n), agreed=datetime(2026, 5, 20 + n),
                   evaluated=datetime(2026, 6, 1 + n) if n < 2 else datetime(2026, 7, 1 + n), overall=4 + n % 2)
    add_round(owners[3], datetime(2026, 7, 7))
    for quarter in (Quarter(2026, 1), Quarter(2026, 2)):
        assert jobs._build(org, quarter, notify=quarter == Quarter(2026, 2))
    return Person(lead.id, lead.name, lead.email)


def test_a_local_lead_reads_usage_with_hidden_figures(live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    with live.context():
        lead = _usage_lead()
    page = contexts.page()
    sign_in(page, lead)
    follow(page, "Usage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage at Usage Browser Trust")
    expect(page.get_by_role("cell", name="hidden").first).to_be_visible()
    expect(page.get_by_role("heading", name="Evaluation averages")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Fran Usage"))).to_be_visible()
    audit(page, "usage", "Usage at Usage Browser Trust")
    follow(page, "People")
    audit(page, "lead-people", "People at Usage Browser Trust")
    press_button(page, "Invite someone")
    press_button(page, "Send invitation")
    audit(page, "lead-invite-errors", "Invite someone to Usage Browser Trust", error=True)
