"""Debian's Chromium, and the browser contexts a test opens in it: each context is one person with their own
cookies, and everything the browser reports going wrong is kept so the test can fail on it."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Response

from tests.browser.audit import DESKTOP, PHONE

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser downloaded by `playwright install`
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)


class Contexts:
    """Browser contexts for one test, closed when it ends; `problems` collects console errors, uncaught script
    errors and failed loads of anything a page needs."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list[BrowserContext] = []
        self.problems: list[str] = []

    def page(self, viewport: dict[str, int] = DESKTOP, *, phone: bool = False) -> Page:
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport,  # type: ignore[arg-type]
                                           is_mobile=phone, has_touch=phone, locale="en-GB")
        context.set_default_timeout(10_000)
        self.opened.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught script error: {error}"))
        page.on("response", self._response)
        return page

    def phone(self) -> Page:
        return self.page(PHONE, phone=True)

    def _console(self, message: ConsoleMessage) -> None:
        # Errors include Content-Security-Policy refusals, which would mean part of a page silently does not work;
        # every one counts (the stylesheet is served without the NHS font's @font-face, see app/assets.py). Failed
        # loads are reported by `_response`, which knows whether they were the page itself (a 404 page is sometimes
        # what a test means to see) or something the page needed.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url} ({response.request.resource_type})")

    def close(self) -> None:
        for context in self.opened:
            context.close()
