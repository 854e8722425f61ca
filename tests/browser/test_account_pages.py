"""The owner's own information: the page, deleting a round, deleting the account (with its error), audited."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from app.timeutil import today
from facilitator import operations as facilitation
from surveys import operations
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import person
from tests.browser.steps import follow, press_button, sign_in


def test_your_information_and_deleting_pass_the_audit(live: LiveServer, desktop: Page, audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER)
        operations.start_cycle(db.session.get(User, owner.id), today() + timedelta(days=21), today())  # type: ignore[arg-type]
        unit.commit()
    page = desktop
    sign_in(page, owner)
    page.goto("/account/")
    audit(page, "account", "Your information")
    follow(page, "Delete this round")
    audit(page, "account-delete-round", "Delete this round?")
    press_button(page, "Delete this round")
    expect(page.get_by_text("Your round and everything in it have been deleted.")).to_be_visible()
    page.goto("/account/delete")
    audit(page, "account-delete", "Delete your account")
    press_button(page, "Delete my account and everything in it")
    audit(page, "account-delete-error", "Delete your account", error=True)


def test_a_facilitators_information_and_her_deactivation_pass_the_audit(live: LiveServer, desktop: Page,
                                                                        audit: Auditor) -> None:
    with live.context():
        lead = person(Role.LOCAL_LEAD, name="Lee Lead")
        fay = person(Role.FACILITATOR, name="Fay Facilitator")
        owner = person(Role.OWNER, name="Olu Owner")
        # An organisation of their own: the live server's database is shared, and other tests' facilitators would
        # still be active in the browser tests' organisation when Fay is deactivated.
        own = Organisation(name="Fay's trust", email_domains=["fays-trust.example"])
        for someone in (lead, fay, owner):
            db.session.get(User, someone.id).organisation = own  # type: ignore[union-attr]
        facilitation.assign(db.session.get(User, owner.id), db.session.get(User, fay.id),  # type: ignore[arg-type]
                            db.session.get(User, lead.id))  # type: ignore[arg-type]
        unit.commit()
    page = desktop
    sign_in(page, fay)
    page.goto("/account/")
    audit(page, "account-facilitator", "Your information")
    # Named (tests/app/test_your_information.py holds whom); other tests' local leads may share this database
    expect(page.get_by_text(re.compile(r"ask your local leads? \(.+\)"))).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, lead)
    page.goto(f"/people/{fay.id}")
    press_button(page, "Deactivate account")  # a link drawn as a button (role="button")
    audit(page, "deactivate-confirm", "Deactivate Fay Facilitator's account")
    expect(page.get_by_text("Fay Facilitator facilitates 1 owner.")).to_be_visible()
    press_button(page, "Deactivate Fay Facilitator's account")
    page.goto("/facilitators")
    audit(page, "facilitators-none-active", "Facilitators")
    expect(page.get_by_text("There is no active facilitator")).to_be_visible()
