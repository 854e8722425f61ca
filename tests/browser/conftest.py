"""Browser tests: Debian's Chromium, driven by Playwright, against the real app served on loopback.

One browser and one live server serve the whole run; each test gets fresh browser contexts (no shared cookies) and
makes its own people, so tests do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from app.timeutil import system_utcnow
from tests.browser.audit import SCREENSHOTS, Auditor
from tests.browser.browser import CHROMIUM, Contexts, launch
from tests.browser.live import LiveServer
from tests.fixtures.clock import TestClock
from tests.fixtures.smtp import MailCatcher

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live(mail_server: MailCatcher, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live"), mail_server)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browsers installs it)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    for old in SCREENSHOTS.glob("*.png"):  # this run's screenshots only, so none of them is stale
        old.unlink()
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def contexts(browser: Browser, live: LiveServer) -> Iterator[Contexts]:
    opened = Contexts(browser, live.url)
    yield opened
    opened.close()
    assert not opened.problems, "the browser reported problems:\n" + "\n".join(opened.problems)


@pytest.fixture
def desktop(contexts: Contexts) -> Page:
    return contexts.page()


@pytest.fixture
def new_phone(contexts: Contexts) -> Callable[[], Page]:
    return contexts.phone


@pytest.fixture
def audit() -> Iterator[Auditor]:
    auditor = Auditor()
    yield auditor
    auditor.finish()


@pytest.fixture(autouse=True)
def _clock_held(clock: TestClock) -> None:
    """The live server reads this test's clock too. It starts at the real time, so rows of the one live database
    keep their order from test to test, and then holds: no test sees the date change while it runs."""
    clock.set(system_utcnow())


@pytest.fixture(autouse=True)
def _no_server_errors(live: LiveServer) -> Iterator[None]:
    live.errors.clear()
    yield
    errors, live.errors[:] = list(live.errors), []
    assert not errors, "the live server logged errors:\n" + "\n".join(errors)
