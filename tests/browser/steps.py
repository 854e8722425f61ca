"""Steps people take in the browser, shared by the tests."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.seed import Person


def sign_in(page: Page, who: Person) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    press_button(page, "Sign in")
    assert "/sign-in" not in page.url, f"{who.email} could not sign in"


def press_button(page: Page, name: str) -> None:
    """Click a button (or a link styled as one) and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).first.click()


def follow(page: Page, name: str) -> None:
    """Click a link and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("link", name=name).first.click()


def answer_every_statement(page: Page, choice: str, *, skip: int = 0, limit: int | None = None,
                           quick: bool = False) -> int:
    """Choose `choice` in each statement's radio group on the page (from the `skip`th, at most `limit`), by clicking
    its label as a person would. Returns how many were answered. `quick` clicks every matching radio in one go
    (for raters whose pages another rater has already been through the slow way)."""
    if quick:
        return page.locator("form input[type=radio]").evaluate_all(
            "(inputs, choice) => inputs.filter(i => i.labels[0].textContent.trim() === choice)"
            "                          .map(i => i.click()).length", choice)
    groups = page.locator("form fieldset").filter(has=page.locator("input[type=radio]")).all()
    chosen = groups[skip:] if limit is None else groups[skip:skip + limit]
    for group in chosen:
        group.get_by_label(choice, exact=True).check()
    return len(chosen)


def checked_values(page: Page) -> dict[str, str]:
    """Radio group name → the value checked, for every group on the page that has one checked."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("input[type=radio]:checked")]
                                  .map(input => [input.name, input.value]))""")
