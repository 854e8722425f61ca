"""The places where a person used to stumble (issue 17), seen as they see them."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from app.models import Role
from surveys.questionnaire import QUESTIONNAIRES_DIR, load_file
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import closed_round_with_report, open_round, person, rater_email
from tests.browser.steps import answer_every_statement, follow, press_button, sign_in

AREAS = 4

# The shipped version's ratings: every test round is on it.
QUESTIONS = [r.question for r in load_file(QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").preparation.ratings]


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


def _task_status(page: Page, task: str) -> str:
    return page.locator(".nhsuk-task-list__item", has_text=task).locator(".nhsuk-task-list__status").inner_text()


def test_an_owner_part_way_through_setting_up_a_round(live: LiveServer, desktop: Page, audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER)
    page = desktop
    sign_in(page, owner)
    page.goto("/round/start")
    press_button(page, "Start my round")
    assert _task_status(page, "Write your preparation document") == "To do"

    follow(page, "Write your preparation document")
    for question in QUESTIONS:  # each rating is a question of its own
        expect(page.get_by_role("group", name=question, exact=True)).to_be_visible()
    page.get_by_role("group", name="How manageable is your workload?").get_by_label("2", exact=True).check()
    press_button(page, "Save and come back later")
    page.goto("/round/self/1")
    answer_every_statement(page, "Agree", limit=2)
    press_button(page, "Save and come back later")
    assert _task_status(page, "Write your preparation document") == "In progress"
    assert _task_status(page, "Rate yourself") == "In progress"
    audit(page, "owner-dashboard-in-progress", "Your feedback round", sizes=False)

    page.goto("/round/raters")
    good, boss = rater_email("gil"), rater_email("bo")
    page.get_by_label("Paste your list").fill(f"Gil Good, {good}, Peer\nNo Email, , Peer\nBo Boss, {boss}, Boss")
    press_button(page, "Add these people")
    assert page.url.endswith("/round/raters"), "the page after a paste is still the POST"
    audit(page, "owner-raters-paste-renumbered", "Choose who to ask for feedback", error=True)
    expect(page.get_by_label("Paste your list")).to_have_value(f"No Email, , Peer\nBo Boss, {boss}, Boss")
    problems = page.locator("#paste-raters-problems li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Line 1: add an email address")
    expect(problems.nth(1)).to_contain_text("Line 2: 'Boss' is not a rater group")
    page.reload()  # nothing is sent again, and the lines fixed once are not asked about again
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page.locator(".nhsuk-summary-list__key", has_text="Gil Good")).to_have_count(1)


def test_an_owner_whose_round_has_closed(live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    with live.context():
        data = closed_round_with_report({"manager": 1, "peer": 3})
    page = contexts.page()
    sign_in(page, data.owner)
    expect(page.get_by_role("heading", name="Responses", exact=True)).to_be_visible()
    expect(page.get_by_text("Responses so far")).to_have_count(0)
    page.goto("/round/raters")
    audit(page, "owner-raters-after-close", "The people you asked for feedback", sizes=False)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Your round has closed and your report is ready, so the people you asked")
    assert "report_ready" not in main.inner_text() and "report ready" not in main.inner_text()
    for action, title, button in [("close", "You cannot close your round now", "Close the round"),
                                  ("cancel", "You cannot cancel your round now", "Cancel the round"),
                                  ("start", "You cannot start a new round now", "Start my round")]:
        page.goto(f"/round/{action}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    audit(page, "owner-start-cannot", "You cannot start a new round now", sizes=False)


def test_values_statements_have_column_headings_and_leads_see_no_reports(live: LiveServer, contexts: Contexts,
                                                                         audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN)
    page = contexts.page()
    sign_in(page, admin)
    page.goto("/admin/statements")
    expect(page.get_by_text("Start with “I”, for example")).to_be_visible()
    page.get_by_label("How the owner reads it").fill("I speak up for patients.")
    page.get_by_label("How raters read it").fill("This person speaks up for patients.")
    press_button(page, "Add statement")
    table = page.get_by_role("table")
    for heading in ("How the owner reads it", "How raters read it"):
        expect(table.get_by_role("columnheader", name=heading)).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Reports")).to_have_count(0)
    response = page.goto("/reports")
    assert response is not None and response.status == 403
    audit(page, "reports-as-admin", "You do not have access to this page", sizes=False)
