"""The places where a person used to stumble (issue 17), seen as they see them."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import open_round, rater_email
from tests.browser.steps import answer_every_statement, follow, press_button

AREAS = 4


def _in_view(page: Page, target: Locator) -> bool:
    """The top of `target` is on the screen (not scrolled past, nor still below the fold)."""
    box = target.bounding_box()
    assert box is not None
    return 0 <= box["y"] < (page.viewport_size or {"height": 0})["height"] - 40


def test_change_on_the_check_page_lands_at_the_question_and_comes_back(
        live: LiveServer, new_phone: Callable[[], Page], audit: Auditor) -> None:
    with live.context():
        _owner, links = open_round({rater_email("cal"): "peer"})
    (link,) = links.values()
    page = new_phone()
    page.goto(link)
    press_button(page, "Start")
    for _ in range(AREAS):
        answer_every_statement(page, "Agree", quick=True)
        press_button(page, "Save and continue")
    press_button(page, "Save and continue")  # no comments

    row = page.locator(".nhsuk-summary-list__row").nth(24)  # well down a long page, in the third area
    statement = row.locator("dt").inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="Change").click()
    question = page.get_by_role("group", name=statement)
    assert page.evaluate("scrollY") > 400 and _in_view(page, question), "Change did not bring the question into view"
    audit(page, "rater-area-changing", "Values (3 of 6)", sizes=False)
    question.get_by_label("Disagree", exact=True).check()
    press_button(page, "Save and continue")

    assert "/check#check-" in page.url
    changed = page.locator(".nhsuk-summary-list__row", has=page.get_by_text(statement, exact=True))
    expect(changed.locator(".nhsuk-summary-list__value")).to_have_text("Disagree")
    assert _in_view(page, changed), "saving did not come back to the question on the check page"
    follow(page, "Change your answer to “What one thing could this person develop?”")
    page.get_by_label("What one thing could this person develop?").fill("Say no more often.")
    press_button(page, "Save and continue")
    assert page.url.endswith("/check#check-q-develop")
