"""The audit itself: a page with known faults must fail every check that should catch them (a checker that passes
everything would make every other browser test meaningless)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.audit import check_page

FAULTY = """<!DOCTYPE html><html lang="en"><head><title>Something else – Open360</title></head><body><main>
<h1>One heading</h1><h1>Another heading</h1>
<form>
  <input type="text" name="unlabelled">
  <div class="nhsuk-hint" id="loose-hint">A hint nobody points to</div>
  <input type="radio" name="choice" id="choice-1"><label for="choice-1">Yes</label>
  <input type="text" name="described" aria-label="Described" aria-describedby="gone">
</form>
<p style="color: #c0c0c0; background: #ffffff">Faint text</p>
<p><a href="#a" style="display: inline-block; width: 10px; height: 10px">a</a><a href="#b"
  style="display: inline-block; width: 10px; height: 10px">b</a></p>
<div style="width: 2000px">Too wide</div>
</main></body></html>"""


def test_the_audit_catches_a_page_with_known_faults(desktop: Page) -> None:
    desktop.set_content(FAULTY)
    found = "\n".join(check_page(desktop, "faulty", "The step", sizes=False))
    for expected in [
        "2 h1 elements",
        "<title> is 'Something else – Open360', want 'The step – Open360'",
        "field without a label: input[name=unlabelled]",
        "A hint nobody points to: not tied to its field by aria-describedby",
        "radio outside a fieldset with a legend",
        "described by missing #gone",
        "axe color-contrast",
        "axe label",
        "axe target-size",  # WCAG 2.2 (2.5.8): runs only with the wcag22aa tag
        "scrolls sideways at 1280 px",
    ]:
        assert expected in found, f"{expected!r} not reported in:\n{found}"


def test_the_keyboard_check_catches_focus_that_cannot_be_seen(desktop: Page) -> None:
    from tests.browser.test_keyboard import Keyboard

    desktop.set_content('<style>a:focus { outline: none; box-shadow: none; }</style>'
                        '<button style="outline: 3px solid black">Seen</button> <a href="#here">Unseen</a>')
    keys = Keyboard(desktop)
    assert keys.press("Tab").text == "Seen"
    try:
        keys.press("Tab")
    except AssertionError as error:
        assert "no visible focus indicator" in str(error)
    else:
        raise AssertionError("focus without an indicator was not reported")


_COMMENT_ROW = """() => document.querySelector("main").insertAdjacentHTML("afterbegin", `
<table class="nhsuk-table-responsive"><tbody class="nhsuk-table__body"><tr class="nhsuk-table__row">
<td class="nhsuk-table__cell app-pre-line"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Comment
  </span>A long comment with a longwordthatmustwrapsomewhereinthenarrowcolumnofaphone</td>
</tr></tbody></table>`)"""


def test_a_heading_broken_inside_a_word_is_caught_and_the_stylesheet_prevents_it(desktop: Page) -> None:
    """The cell lets its value wrap anywhere (app-pre-line), as /evaluations' comment did ("Com" / "ment" at
    390 px): the stylesheet keeps its heading whole, and the check finds the heading once that is undone."""
    from tests.browser.audit import NARROW, broken_words, resize

    desktop.goto("/accessibility")
    resize(desktop, NARROW)
    desktop.evaluate(_COMMENT_ROW)
    assert broken_words(desktop) == []
    # Set through the CSSOM: the Content-Security-Policy (rightly) refuses a style attribute.
    desktop.evaluate("() => { document.querySelector('main .nhsuk-table-responsive__heading').style.overflowWrap = "
                     "'anywhere'; }")
    assert any(w.replace(" / ", "") == "Comment" for w in broken_words(desktop)), broken_words(desktop)
