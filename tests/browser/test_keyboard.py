"""The rater survey with a keyboard alone: Tab, Shift+Tab, Space, Enter and the arrow keys, and a visible focus
indicator on whatever has focus at every step."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.browser.seed import open_round, rater_email

# What has focus, and whether anything shows it: an outline that is not transparent, or a box shadow, on the element
# or its ::before/::after; for a radio (whose input is invisible) on its label's circle, as NHS.UK draws it.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "body", visible: false};
  const drawn = s => (s.boxShadow && s.boxShadow !== "none")
    || (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        && !["transparent", "rgba(0, 0, 0, 0)"].includes(s.outlineColor));
  const styles = [getComputedStyle(el), getComputedStyle(el, "::before"), getComputedStyle(el, "::after")];
  if (el.type === "radio" || el.type === "checkbox") {
    for (const label of el.labels) styles.push(getComputedStyle(label, "::before"), getComputedStyle(label, "::after"));
  }
  const box = (el.type === "radio" && el.labels[0] ? el.labels[0] : el).getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", checked: !!el.checked,
          value: el.value || "", text: (el.labels?.[0]?.textContent || el.textContent || "").trim().slice(0, 60),
          visible: styles.some(drawn) && box.width > 0 && box.height > 0};
}"""


KEYS = frozenset({"Tab", "Shift+Tab", "Space", "Enter", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"})


@dataclass(frozen=True)
class Focus:
    tag: str
    type: str = ""
    name: str = ""
    checked: bool = False
    value: str = ""
    text: str = ""
    visible: bool = False


class Keyboard:
    """Presses keys and checks, after every one, that focus is somewhere and can be seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str) -> Focus:
        assert key in KEYS, f"{key} is not a key this test may use"
        self.page.keyboard.press(key)
        self.presses += 1
        return self.focus(after=key)

    def focus(self, after: str = "") -> Focus:
        focus = Focus(**self.page.evaluate(_FOCUS))
        assert focus.visible, f"no visible focus indicator after {after} on {self.page.url}: {focus}"
        return focus

    def tab_to(self, wanted: str, *, limit: int = 80) -> Focus:
        """Tab forward until the focused element's text (or label) is `wanted`, or a radio when `wanted` is 'radio'."""
        for _ in range(limit):
            focus = self.press("Tab")
            if focus.text == wanted or (wanted == "radio" and focus.type == "radio"):
                return focus
        raise AssertionError(f"{wanted!r} not reached with {limit} presses of Tab on {self.page.url}")

    def enter_to_next_page(self) -> None:
        """Press Enter on what has focus (a link or a button) and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.presses += 1


def _answer_area(keys: Keyboard, groups: int) -> dict[str, str]:
    """Answer every statement on the page: Space, arrows down or arrow up in turn; Tab between the groups."""
    chosen: dict[str, str] = {}
    focus = keys.tab_to("radio")
    for number in range(groups):
        assert focus.type == "radio" and focus.name not in chosen, f"expected the next statement, got {focus}"
        if number % 3 == 0:
            focus = keys.press("Space")  # the first choice
        elif number % 3 == 1:
            for _ in range(3):
                focus = keys.press("ArrowDown")  # each arrow moves to the next choice and selects it
        else:
            focus = keys.press("ArrowUp")  # from the first choice up to the last: "Not able to say"
        assert focus.checked, f"the focused choice was not selected: {focus}"
        chosen[focus.name] = focus.text
        if number < groups - 1:
            focus = keys.press("Tab")
    button = keys.press("Tab")
    assert button.text == "Save and continue", button
    back = keys.press("Shift+Tab")  # back into the last statement, onto the choice made there
    assert back.type == "radio" and back.checked and back.name == list(chosen)[-1], back
    assert keys.press("Tab").text == "Save and continue"
    keys.enter_to_next_page()
    return chosen


def test_a_rater_completes_the_survey_with_the_keyboard_alone(live: LiveServer, desktop: Page) -> None:
    with live.context():
        owner, links = open_round({rater_email("kim"): "peer"})
    (link,) = links.values()
    page, keys = desktop, Keyboard(desktop)
    page.goto(link)

    keys.tab_to("Start")
    keys.enter_to_next_page()
    chosen: dict[str, str] = {}
    for number in range(1, 5):
        assert page.url.endswith(f"/area/{number}")
        chosen |= _answer_area(keys, page.locator("form fieldset").count())
    assert page.url.endswith("/comments")
    assert set(chosen.values()) == {"Strongly disagree", "Agree", "Not able to say"}

    keys.tab_to("Save and continue")  # through the three comment boxes, each showing focus
    keys.enter_to_next_page()
    assert page.url.endswith("/check")
    expect(page.get_by_text("Not answered")).to_have_count(0)
    keys.tab_to("Send my feedback", limit=120)
    keys.enter_to_next_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback sent")
    assert owner.name and keys.presses > 100
