"""An administrator changes one word of a statement on the site: a new draft from the version in use, the statement
edited (first with a mistake, refused at its field), published and given to new rounds; an owner's new round then
asks it. Every editor page is checked by axe (WCAG 2.2 AA) at phone (390 px) and desktop (1280 px) width, and the
time from signing in to the owner's new round asking the new words is printed, less the time the checks take."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from app.models import Role
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import person
from tests.browser.steps import follow, press_button, sign_in

VERSION = "2028.3"  # a number of its own: other browser tests share the live server's database
NEW_WORDS = "I keep my clinical skills up to date."


class TimedAuditor:
    """The audit, with the time it takes kept apart, so the figure is what a person would wait."""

    def __init__(self, audit: Auditor) -> None:
        self.audit, self.spent = audit, 0.0

    def __call__(self, page: Page, name: str, title: str, **options: bool) -> None:
        started = time.perf_counter()
        self.audit(page, name, title, **options)
        self.spent += time.perf_counter() - started


def test_an_administrator_publishes_a_one_word_change_edited_on_the_site(live: LiveServer, contexts: Contexts,
                                                                        audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN, name="Ada Editor")
        owner = person(Role.OWNER, name="Owen Newround")
    check = TimedAuditor(audit)
    page = contexts.page()
    started = time.perf_counter()
    sign_in(page, admin)
    follow(page, "Questionnaires")
    follow(page, "Start a new draft from questionnaire version 2026.1")
    check(page, "questionnaire-new-draft", "New draft from questionnaire version 2026.1")
    page.get_by_label("Version number of the new draft").fill(VERSION)
    press_button(page, "Start the draft")
    expect(page.get_by_role("status")).to_contain_text(f"Version {VERSION} is a new draft")
    check(page, "questionnaire-editor", f"Edit draft questionnaire {VERSION}")

    follow(page, "Change statement ability.professional.1")
    check(page, "questionnaire-edit-statement", f"Statement ability.professional.1 – draft {VERSION}")
    expect(page.get_by_text("Reading ease:").first).to_be_visible()
    wording = page.get_by_label("Owner's wording")
    wording.fill("We keep our clinical skills up to date.")
    press_button(page, "Save changes")
    check(page, "questionnaire-edit-statement-refused", f"Statement ability.professional.1 – draft {VERSION}",
          error=True)
    expect(page.get_by_role("alert")).to_contain_text("Owner's wording must start with 'I '")
    wording.fill(NEW_WORDS)
    press_button(page, "Save changes")
    expect(page.get_by_role("status")).to_contain_text("your changes are saved")
    expect(page.get_by_text(NEW_WORDS)).to_be_visible()

    follow(page, f"Publish version {VERSION}")
    press_button(page, "Publish")
    follow(page, f"Use for new rounds questionnaire version {VERSION}")
    press_button(page, "Use for new rounds")
    expect(page.get_by_role("status")).to_contain_text(f"New rounds now get version {VERSION}")

    owner_page = contexts.page()
    sign_in(owner_page, owner)
    press_button(owner_page, "Start a feedback round")
    press_button(owner_page, "Start my round")
    owner_page.goto("/round/self/1")
    expect(owner_page.get_by_text(NEW_WORDS)).to_be_visible()
    elapsed = time.perf_counter() - started - check.spent
    print(f"\nFIGURE one-word change, sign-in to a new round asking it: {elapsed:.1f} s "
          f"(browser, less {check.spent:.1f} s of page checks)")

    follow(page, "See everything administrators have done here")
    expect(page.get_by_role("cell", name="Edited a statement: ability.professional.1: Owner's wording")
           ).to_be_visible()


def test_every_editor_page_passes_the_checks_at_phone_and_desktop_width(live: LiveServer, contexts: Contexts,
                                                                        audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN, name="Ada Pages")
    page = contexts.page()
    sign_in(page, admin)
    for kind, label, version in (("questionnaire", "questionnaire", "2028.4"), ("prompts", "session prompts",
                                                                                "2028.4")):
        page.goto("/admin/questionnaires")
        follow(page, f"Start a new draft from {label} version 2026.1")
        page.get_by_label("Version number of the new draft").fill(version)
        press_button(page, "Start the draft")
        if kind == "prompts":
            audit(page, "prompts-editor", f"Edit draft session prompts {version}")
            follow(page, "Change the prompts for Where are you now?")
            page.get_by_label("Conversation openers").fill("")
            press_button(page, "Save changes")
            audit(page, "prompts-edit-question-refused", f"Where are you now? – draft {version}", error=True)
            continue
        editor = page.url
        for link, name, title in [
                ("Change the title, summary and sub-areas of Insight", "questionnaire-edit-area",
                 "Area: Insight"),
                ("Change the title and answers", "questionnaire-edit-general", "Title and answers"),
                ("Change open question 1", "questionnaire-edit-open-questions", "Open questions"),
                ("Change rating Fulfilment", "questionnaire-edit-preparation", "Preparation Document"),
                ("Add a statement to Ability: Leadership", "questionnaire-add-statement",
                 "New statement ability.leadership.5"),
                ("Remove statement ability.professional.5", "questionnaire-remove-statement",
                 "Remove statement ability.professional.5?")]:
            page.goto(editor)
            follow(page, link)
            audit(page, name, title if name == "questionnaire-remove-statement" else f"{title} – draft {version}")
