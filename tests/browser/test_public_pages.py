"""Pages anyone can reach without signing in."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.audit import Auditor
from tests.browser.steps import press_button


def test_start_sign_in_and_service_pages_pass_the_audit(desktop: Page, audit: Auditor) -> None:
    desktop.goto("/")
    audit(desktop, "start", "Feedback for your career conversation")
    desktop.goto("/sign-in")
    audit(desktop, "sign-in", "Sign in")
    press_button(desktop, "Sign in")
    audit(desktop, "sign-in-error", "Sign in", error=True)
    desktop.goto("/accessibility")
    audit(desktop, "accessibility", "Accessibility statement")
    desktop.goto("/privacy")
    audit(desktop, "privacy", "How your information is used")
