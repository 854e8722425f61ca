"""The rater survey's error states on a phone, the page every broken link gets, and the service's 404 page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from surveys.answers import MAX_COMMENT_LENGTH
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import open_round, rater_email
from tests.browser.steps import answer_every_statement, press_button


def test_rater_pages_sent_empty_or_too_long_show_errors_that_pass_the_audit(
        live: LiveServer, new_phone: Callable[[], Page], audit: Auditor) -> None:
    with live.context():
        owner, links = open_round({rater_email("pat"): "peer"})
    (link,) = links.values()
    page = new_phone()

    page.goto(link)  # the token is swapped for a cookie, and the pages have addresses of their own
    page.goto("/feedback/area/1")
    press_button(page, "Save and continue")
    audit(page, "rater-area-1-error", "Ability (1 of 6)", error=True)
    expect(page.locator(".nhsuk-error-summary li")).to_have_count(9)

    answer_every_statement(page, "Not able to say", limit=2)
    press_button(page, "Save and continue")  # what was chosen is kept; the rest is asked for again
    audit(page, "rater-area-1-partly-answered-error", "Ability (1 of 6)", error=True, sizes=False)
    expect(page.locator(".nhsuk-error-summary li")).to_have_count(7)

    page.goto("/feedback/comments")
    page.get_by_label("Is there anything else you would like to say?").fill("x" * (MAX_COMMENT_LENGTH + 1))
    press_button(page, "Save and continue")
    audit(page, "rater-comments-error", "Your comments (5 of 6)", error=True)

    page.goto("/feedback/check")
    audit(page, "rater-check-incomplete", "Check your answers (6 of 6)")
    expect(page.get_by_role("button", name="Send my feedback")).to_have_count(0)
    assert owner.name in page.inner_text("main")


def test_a_broken_link_and_an_unknown_address_get_plain_pages(new_phone: Callable[[], Page], desktop: Page,
                                                              audit: Auditor) -> None:
    page = new_phone()
    response = page.goto("/r/not-a-real-token-at-all")
    assert response is not None and response.status == 404
    audit(page, "rater-bad-token", "This link does not work")
    response = desktop.goto("/no-such-page")
    assert response is not None and response.status == 404
    audit(desktop, "not-found", "Page not found")
    desktop.goto("/feedback/thank-you")
    audit(desktop, "rater-thanks-desktop", "Feedback sent", sizes=False)
