"""The report and the pages around it, as each person who may see them: the owner reads and shares it, the manager
and the facilitator read it, the owner sees the read log; a local lead assigns facilitators; an administrator adds
values statements. Plus the development outbox pages."""

from __future__ import annotations

import mailbox
import time
from email.message import EmailMessage

from playwright.sync_api import Page, expect

from app.mail import Message, message_id, send
from app.models import Role
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import closed_round_with_report, person
from tests.browser.steps import follow, press_button, sign_in


def test_report_pages_for_owner_manager_and_facilitator(live: LiveServer, contexts: Contexts,
                                                        audit: Auditor) -> None:
    with live.context():
        data = closed_round_with_report({"manager": 1, "peer": 2, "direct_report": 4, "other": 1})
    report_title = f"Feedback report for {data.owner.name}"

    owner = contexts.page()
    sign_in(owner, data.owner)
    audit(owner, "owner-dashboard-report-ready", "Your feedback round")
    follow(owner, "Read your feedback report")
    audit(owner, "report-page", report_title)
    expect(owner.get_by_role("heading", level=2, name="At a glance")).to_be_visible()
    expect(owner.get_by_role("heading", level=2, name="Where your view and others’ differ")).to_be_visible()
    # On a phone, each statement's All others and own figures are on screen without scrolling sideways.
    owner.set_viewport_size({"width": 390, "height": 844})
    for cell in (owner.locator(".app-all-others").first, owner.locator(".app-self").first):
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        expect(cell).to_be_visible()
    owner.set_viewport_size({"width": 1280, "height": 800})
    owner.goto("/round")
    follow(owner, "Share your report, and see who has read it")
    audit(owner, "report-sharing", "Who can read your report")
    owner.get_by_label("Your manager's name or email address").fill("M")
    press_button(owner, "Find")
    audit(owner, "report-sharing-error", "Who can read your report", error=True)
    owner.get_by_label("Your manager's name or email address").fill(data.manager.name.split()[1].lower())
    press_button(owner, "Find")
    audit(owner, "report-sharing-found", "Who can read your report")
    press_button(owner, f"Share your report with {data.manager.name}")
    expect(owner.get_by_role("status")).to_contain_text(f"{data.manager.name} can now read your report")
    assert live.mail.to(data.manager.email), "the manager was not told"

    manager = contexts.page()
    sign_in(manager, data.manager)
    audit(manager, "manager-home", "Your account")
    follow(manager, "Reports")
    audit(manager, "reports-index", "Reports you can read")
    follow(manager, data.owner.name)
    audit(manager, "report-page-as-manager", report_title, sizes=False)

    facilitator = contexts.page()
    sign_in(facilitator, data.facilitator)
    facilitator.goto("/reports")
    audit(facilitator, "reports-index-facilitator", "Reports you can read", sizes=False)
    follow(facilitator, data.owner.name)
    audit(facilitator, "report-page-as-facilitator", report_title, sizes=False)
    expect(facilitator.get_by_role("heading", level=2, name=f"Where {data.owner.name}’s view and others’ differ")
           ).to_be_visible()
    assert "you rated yourself" not in facilitator.content().lower()

    owner.reload()
    audit(owner, "report-sharing-read-log", "Who can read your report")
    log = owner.locator("table").filter(has_text="Who").inner_text()
    assert data.manager.name in log and f"{data.facilitator.name} (facilitator)" in log


def test_facilitator_assignment_and_values_statements_pages(live: LiveServer, contexts: Contexts,
                                                           audit: Auditor) -> None:
    with live.context():
        lead = person(Role.LOCAL_LEAD)
        admin = person(Role.ADMIN)
        owner = person(Role.OWNER, name="Nia Newowner")
        facilitator = person(Role.FACILITATOR, name="Fin Facilitator")

    page = contexts.page()
    sign_in(page, lead)
    follow(page, "Facilitators")
    audit(page, "facilitators", "Facilitators")
    press_button(page, "Assign")
    audit(page, "facilitators-error", "Facilitators", error=True)
    page.get_by_label("Owner", exact=True).select_option(label=owner.name)
    page.get_by_label("Facilitator", exact=True).select_option(label=facilitator.name)
    press_button(page, "Assign")
    expect(page.get_by_role("status")).to_contain_text(f"{facilitator.name} is now {owner.name}'s facilitator")

    page = contexts.page()
    sign_in(page, admin)
    page.goto("/facilitators")
    audit(page, "facilitators-as-admin", "Facilitators", sizes=False)
    page.goto("/admin/statements")
    audit(page, "admin-statements", "Your organisation's values statements")
    press_button(page, "Add statement")
    audit(page, "admin-statements-error", "Your organisation's values statements", error=True)
    page.get_by_label("How the owner reads it").fill("I treat everyone with compassion.")
    page.get_by_label("How raters read it").fill("This person treats everyone with compassion.")
    press_button(page, "Add statement")
    audit(page, "admin-statements-added", "Your organisation's values statements")


def _arrived(live: LiveServer, subject: str, timeout: float = 10.0) -> EmailMessage:
    """The captured mail with this subject, as soon as the mail server has it (a condition, not a fixed wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with live.mail.lock:
            found = [m for m in live.mail.messages if m["Subject"] == subject]
        if found:
            return found[-1]
        time.sleep(0.02)
    raise AssertionError(f"no mail with subject {subject!r} arrived within {timeout} s")


def test_development_outbox_pages(live: LiveServer, desktop: Page, audit: Auditor) -> None:
    """Served when SHOW_OUTBOX is on (development); the live server turns it on, so they are checked too."""
    # A mail of its own, sent over SMTP by the product's sender, so the test passes alone and in any order.
    subject = "Outbox check: a mail of this test's own"
    with live.context():
        send(Message(to="someone@trust.example", subject=subject, text="Plain text.", html="<p>HTML.</p>"),
             message_id(1))
    sent = _arrived(live, subject)
    box = mailbox.Maildir(live.outbox_dir, create=True)
    box.add(sent)
    desktop.goto("/dev/outbox/")
    audit(desktop, "outbox", "Outbox (development)")
    assert desktop.locator("tbody td").first.inner_text().strip(), "the mail's Date is not shown"
    follow(desktop, subject)
    audit(desktop, "outbox-message", f"{subject} (outbox)")
