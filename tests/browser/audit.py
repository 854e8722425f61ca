"""What every page a browser test visits must pass: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, PRODUCT §8), one h1,
a <title> naming the step, labelled fields with hints and errors tied by aria-describedby, the error summary focused
after a failed submit, no sideways scrolling at 320 px or at 200% zoom, no heading broken inside a word on a phone,
and screenshots at phone and desktop width for people to look at.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
# Every WCAG 2.2 A and AA tag axe knows: without wcag22aa its target-size rule (2.5.8) never runs. axe 4.14 has no
# rule tagged wcag22a (it logs "Could not find tags" and runs the rest); the tag is here for the release that adds one.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SERVICE = "Open360"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 320 CSS px wide
# 200% zoom in a 1280 × 800 window: the browser lays the page out in 640 × 400 CSS px (media queries, rem and vw all
# see 640), which is exactly what Chromium's zoom does; a viewport of that size gives the same layout.
ZOOMED = {"width": 640, "height": 400}

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + (n.any.concat(n.all, n.none).map(c => " – " + c.message)
                                                      .slice(0, 1).join("")))}));
}"""

# Screen-reader structure: headings, names of fields, and what is tied to them.
_STRUCTURE = """() => {
  const problems = [];
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const h1s = [...document.querySelectorAll("h1")];
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements (want exactly one)`);
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]), select, textarea");
  for (const el of controls) {
    const named = el.labels.length > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`field without a label: ${describe(el)}`);
    for (const label of el.labels) {
      if (!label.textContent.trim()) problems.push(`empty label for ${describe(el)}`);
    }
    if (el.type === "radio" || el.type === "checkbox") {
      const fieldset = el.closest("fieldset");
      if (!fieldset || !fieldset.querySelector("legend")?.textContent.trim()) {
        problems.push(`${el.type} outside a fieldset with a legend: ${describe(el)}`);
      }
    }
  }
  const tied = id => document.querySelector(`[aria-describedby~="${CSS.escape(id)}"]`) !== null;
  for (const el of document.querySelectorAll(
      "form .nhsuk-hint, form .nhsuk-error-message, form .nhsuk-character-count__message")) {
    if (el.closest("[aria-hidden=true]")) continue;  // e.g. the character count's visible twin of a live message
    if (!el.id || !tied(el.id)) {
      const text = el.textContent.trim().slice(0, 60);
      problems.push(`${text}: not tied to its field by aria-describedby (${describe(el)})`);
    }
  }
  for (const el of document.querySelectorAll("[aria-describedby]")) {
    for (const id of el.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(`${describe(el)} is described by missing #${id}`);
    }
  }
  for (const link of document.querySelectorAll(".nhsuk-error-summary a")) {
    const target = link.hash && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) problems.push(`error summary link ${link.getAttribute("href")} leads nowhere`);
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  return problems;
}"""

# Elements whose right edge is past the viewport, to say what makes a page scroll sideways.
_OVERFLOW = """() => {
  const root = document.documentElement, limit = root.clientWidth;
  const wide = [];
  if (root.scrollWidth > limit || root.scrollWidth > window.innerWidth) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.right > limit + 0.5 && box.width > 0 && el.closest("[data-scroll-region]") === null) {
        const parentToo = el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 0.5;
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + [...el.classList].join(".");
        if (!parentToo) wide.push(`${name} right edge ${Math.round(box.right)}`);
      }
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: limit, innerWidth: window.innerWidth, wide: wide.slice(0, 8)};
}"""

# Where a line breaks between two letters or digits of one text: a word split across lines ("Com" / "ment"), as
# `overflow-wrap: anywhere` does when a narrow column squeezes it. A break a <wbr> allows (an address after its "@"
# or before a dot) is between two texts, so it is not one. Text in a box 1 px wide (visually hidden) is skipped.
_BROKEN_WORDS = """(selector) => {
  const found = [], word = /[\\p{L}\\p{N}]/u, range = document.createRange();
  const hidden = el => { for (let e = el; e; e = e.parentElement) { const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true; } return false; };
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim() || hidden(node.parentElement)) continue;
      let lastTop = null;
      for (let i = 0; i < node.data.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        if (lastTop !== null && rects[0].top > lastTop + 1 && word.test(node.data[i - 1]) && word.test(node.data[i]))
          found.push(node.data.slice(Math.max(0, i - 20), i).trim() + " / " + node.data.slice(i, i + 20).trim());
        lastTop = rects[0].top;
      }
    }
  }
  return found;
}"""
# Headings never break inside a word, on any page: a table's column headings and a responsive table's headings
# beside each value on a phone, and a summary list's keys.
HEADINGS = "main th, main .nhsuk-table-responsive__heading, main .nhsuk-table__heading, main .nhsuk-summary-list__key"

_FOCUSED_SUMMARY = "() => document.activeElement?.classList.contains('nhsuk-error-summary') ?? false"


class PageProblems(AssertionError):
    pass


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations, one line each: rule id, what it checks, and where."""
    # Evaluated rather than added as a <script>: the app's Content-Security-Policy (rightly) refuses inline scripts,
    # and the test should see the page under the policy people get.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(_AXE_RUN, AXE_TAGS)
    return [f"axe {v['id']} ({v['help']}): " + "; ".join(v["nodes"]) for v in violations]


def structure_problems(page: Page) -> list[str]:
    return list(page.evaluate(_STRUCTURE))


_NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => " \
               "requestAnimationFrame(done))))"


def resize(page: Page, size: dict[str, int]) -> None:
    """Resize, then let the page settle as a person would see it: the NHS.UK header moves navigation that no longer
    fits into its "More" menu in the animation frame after a resize (and its resize observer may ask for one more)."""
    page.set_viewport_size(size)  # type: ignore[arg-type]
    page.evaluate(_NEXT_FRAMES)


def reflow_problem(page: Page, label: str) -> str | None:
    found = page.evaluate(_OVERFLOW)
    if found["scrollWidth"] <= found["clientWidth"] and found["scrollWidth"] <= found["innerWidth"]:
        return None
    return (f"scrolls sideways at {label}: scrollWidth {found['scrollWidth']} > {found['clientWidth']}; "
            + ", ".join(found["wide"]))


def broken_words(page: Page, selector: str = HEADINGS) -> list[str]:
    """Words of `selector`'s text that the layout splits across two lines, as "Com / ment"."""
    return list(page.evaluate(_BROKEN_WORDS, selector))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check_page(page: Page, name: str, title: str, *, error: bool = False, sizes: bool = True) -> list[str]:
    """Check the page as it is now (after a navigation or a submit; nothing is reloaded, so error states stay).

    `title` is the step the <title> must name: the whole title is "{title} – Open360", with "Error: " first after a
    failed submit. With `sizes`, the page is also resized to phone, 320 px and 200% zoom widths (then back), checked
    there, and photographed at phone and desktop width.
    """
    page.wait_for_load_state("load")
    problems: list[str] = []
    if error:
        try:
            page.wait_for_function(_FOCUSED_SUMMARY, timeout=3000)
        except Exception:
            focused = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 80)")
            problems.append(f"after a failed submit the error summary does not have focus (focus is on {focused})")
    want = f"{'Error: ' if error else ''}{title} – {SERVICE}"
    got = page.title()
    if got != want:
        problems.append(f"<title> is {got!r}, want {want!r}")
    problems += structure_problems(page)
    original = page.viewport_size or DESKTOP
    here = "phone" if original["width"] < 600 else "desktop"
    problems += [f"[{here}] {v}" for v in axe_violations(page)]
    if sizes:
        shots = [("desktop", DESKTOP), ("phone", PHONE)]
        for label, size in [*shots, ("320 px", NARROW), ("1280 px at 200% zoom", ZOOMED)]:
            resize(page, size)
            problem = reflow_problem(page, label)
            if problem:
                problems.append(problem)
            if size["width"] < 600:
                problems += [f"a heading breaks inside a word at {label}: {w}" for w in broken_words(page)]
            if (label, size) in shots:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{_slug(name)}-{label}.png", full_page=True)
        if here == "desktop":  # axe again at the narrowest width, where the header folds its menu away
            resize(page, NARROW)
            problems += [f"[320 px] {v}" for v in axe_violations(page) if f"[{here}] {v}" not in problems]
        resize(page, original)
    else:
        problem = reflow_problem(page, f"{original['width']} px")
        if problem:
            problems.append(problem)
    return [f"{name}: {p}" for p in problems]


class Auditor:
    """Checks pages as a test visits them. Fails at once, naming every problem on the page; with
    BROWSER_AUDIT_SOFT=1 it gathers problems from every page and the test fails at its end (for fixing many)."""

    def __init__(self) -> None:
        self.soft = os.environ.get("BROWSER_AUDIT_SOFT") == "1"
        self.problems: list[str] = []
        self.pages: list[str] = []

    def __call__(self, page: Page, name: str, title: str, *, error: bool = False, sizes: bool = True) -> None:
        self.pages.append(name)
        started = time.perf_counter()
        found = check_page(page, name, title, error=error, sizes=sizes)
        if os.environ.get("BROWSER_AUDIT_TIMES"):
            print(f"audit {name}: {time.perf_counter() - started:.2f}s")
        if found and not self.soft:
            raise PageProblems("\n".join(found))
        self.problems += found

    def finish(self) -> None:
        if self.problems:
            raise PageProblems("\n".join(self.problems))
