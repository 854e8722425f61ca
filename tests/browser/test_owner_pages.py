"""The owner's pages in their error states (each form sent empty or wrong) and the pages the journey does not reach."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Role, User
from app.timeutil import today
from surveys import operations
from surveys.categories import Category
from surveys.cycle import default_close_date
from surveys.rater_list import RaterEntry
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import person, rater_email
from tests.browser.steps import follow, press_button, sign_in


def test_owner_forms_sent_empty_show_errors_that_pass_the_audit(live: LiveServer, desktop: Page,
                                                                 audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER)
    page = desktop
    sign_in(page, owner)

    page.goto("/round/start")
    for part in ("Day", "Month", "Year"):
        page.get_by_label(part, exact=True).fill("")
    press_button(page, "Start my round")
    audit(page, "owner-start-round-error", "Start a feedback round", error=True)
    close = default_close_date(today())  # a working day: 1 January, typed before, is a bank holiday
    page.get_by_label("Day", exact=True).fill(str(close.day))
    page.get_by_label("Month", exact=True).fill(str(close.month))
    page.get_by_label("Year", exact=True).fill(str(close.year))
    press_button(page, "Start my round")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback round")

    page.goto("/round/preparation")
    press_button(page, "Submit my preparation document")
    audit(page, "owner-preparation-error", "Preparation document", error=True)

    page.goto("/round/self/1")
    press_button(page, "Save and continue")
    audit(page, "owner-self-1-error", "Ability (1 of 5)", error=True)
    page.goto("/round/self/check")
    audit(page, "owner-self-check-incomplete", "Check your self-assessment")

    page.goto("/round/raters")
    press_button(page, "Add this person")
    audit(page, "owner-raters-add-error", "Choose who to ask for feedback", error=True)
    press_button(page, "Add these people")
    audit(page, "owner-raters-paste-empty-error", "Choose who to ask for feedback", error=True)
    page.get_by_label("Paste your list").fill("Nobody, not-an-email, Peer\nSam Patel, sam@raters.example, Cousin")
    press_button(page, "Add these people")
    audit(page, "owner-raters-paste-problems", "Choose who to ask for feedback", error=True)

    page.goto("/round/open")  # nobody to invite yet: no confirmation, but why not
    audit(page, "owner-open-cannot", "You cannot send invitations now")
    expect(page.get_by_role("main")).to_contain_text("Add at least one rater before you send invitations")

    page.goto("/round/raters")
    page.get_by_label("Full name").fill("Sam Patel")
    page.get_by_label("Email address").fill(rater_email("sam"))
    page.get_by_role("group", name="How do they know you?").get_by_label("Peer", exact=True).check()
    press_button(page, "Add this person")
    follow(page, "Change Sam Patel")
    audit(page, "owner-rater-edit", "Change Sam Patel's details")
    page.get_by_label("Full name").fill("")
    page.get_by_label("Email address").fill("")
    press_button(page, "Save changes")
    audit(page, "owner-rater-edit-error", "Change Sam Patel's details", error=True)
    page.goto("/round/raters")
    follow(page, "Remove Sam Patel")
    audit(page, "owner-rater-remove", "Remove Sam Patel?")
    page.goto("/round/cancel")
    audit(page, "owner-cancel-confirm", "Cancel your round?")


def test_closing_a_round_nobody_answered_ends_it_without_a_report(live: LiveServer, desktop: Page,
                                                                   audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER)
        cycle = operations.start_cycle(db.session.get(User, owner.id), today() + timedelta(days=21), today())  # type: ignore[arg-type]
        operations.add_raters(cycle, [RaterEntry("Ali Other", rater_email("ali"), Category.OTHER)])
        operations.open_round(cycle, today())
    sign_in(desktop, owner)
    follow(desktop, "Close the round early")  # offered whatever anyone has done: the page shows no live count
    audit(desktop, "owner-close-confirm", "Close your round now?")
    expect(desktop.get_by_role("main")).to_contain_text("If nobody has responded, the round ends without a report")
    desktop.get_by_role("button", name="Close the round").click()
    audit(desktop, "owner-closed-no-responses", "Your feedback round")
    expect(desktop.get_by_role("main")).to_contain_text("Nobody had responded when your round closed, so there is "
                                                        "no report")
    expect(desktop.get_by_role("button", name="Start a new feedback round")).to_be_visible()
    expect(desktop.get_by_role("main")).not_to_contain_text("go through your report")  # there is none
