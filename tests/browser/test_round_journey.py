"""A whole feedback round in a real browser: the owner prepares and opens it, raters answer on their phones from
the links in their mail, and the owner watches the counts. Every page on the way is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.models import Role
from app.timeutil import utcnow
from surveys import operations
from surveys.questionnaire import QUESTIONNAIRES_DIR, load_file
from surveys.rules.daily_counts import next_update_moment
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import person, rater_email
from tests.browser.steps import answer_every_statement, checked_values, follow, press_button, sign_in

AREAS = ["Ability", "Insight", "Values", "Ambition"]
PREPARATION_TEXTS = {
    "Highs and lows of your career so far": "Leading the ward move was a high; the 2020 winter was a low.",
    "What these imply for your future roles": "I do my best work where I can improve how a team runs.",
    "Opportunities to grow in your current role": "Taking on the rota and the budget.",
    "What you want to achieve": "Lead a service within five years.",
    "The support you would need": "A mentor and the leadership course.",
    "Other things in your life that may have an impact (optional)": "Nothing I need to mention.",
}

# The shipped version's ratings: every test round is on it.
QUESTIONS = [r.question for r in load_file(QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").preparation.ratings]


def _prepare(page: Page, audit: Auditor) -> None:
    follow(page, "Write your preparation document")
    audit(page, "owner-preparation", "Preparation document")
    for label, text in PREPARATION_TEXTS.items():
        page.get_by_label(label, exact=True).fill(text)
    for question in QUESTIONS:
        page.get_by_role("group", name=question, exact=True).get_by_label("4", exact=True).check()
    page.get_by_label("Considering a move to a higher level").check()
    press_button(page, "Submit my preparation document")
    expect(page.get_by_role("status")).to_contain_text("Your preparation document has been submitted")


def _rate_self(page: Page, audit: Auditor) -> None:
    follow(page, "Rate yourself")
    for number, area in enumerate(AREAS, start=1):
        audit(page, f"owner-self-{number}", f"{area} ({number} of 5)", sizes=number == 1)
        answer_every_statement(page, "Agree")
        press_button(page, "Save and continue")
    audit(page, "owner-self-check", "Check your self-assessment")
    press_button(page, "Submit my self-assessment")
    expect(page.get_by_role("status")).to_contain_text("Your self-assessment has been submitted")


def _choose_raters(page: Page, audit: Auditor, raters: dict[str, tuple[str, str]]) -> None:
    follow(page, "Choose who to ask for feedback")
    audit(page, "owner-raters-empty", "Choose who to ask for feedback")
    pasted = "\n".join(f"{name}, {email}, {group}" for email, (name, group) in raters.items())
    page.get_by_label("Paste your list").fill(pasted)
    press_button(page, "Add these people")
    expect(page.get_by_role("status")).to_contain_text(f"{len(raters)} people have been added")
    audit(page, "owner-raters-chosen", "Choose who to ask for feedback")
    for name, _group in raters.values():
        expect(page.locator(".nhsuk-summary-list__key", has_text=name)).to_be_visible()


def _answer_survey(page: Page, link: str) -> None:
    """A rater who answers everything in one go, on pages another rater's journey has already audited."""
    page.goto(link)
    press_button(page, "Start")
    for _area in AREAS:
        answer_every_statement(page, "Agree", quick=True)
        press_button(page, "Save and continue")
    page.get_by_label("What strengths should this person keep using?").fill("Calm in a crisis.")
    press_button(page, "Save and continue")
    press_button(page, "Send my feedback")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback sent")


def test_a_whole_round_from_preparation_to_completion_counts(
        live: LiveServer, desktop: Page, new_phone: Callable[[], Page], audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER, name="Olivia Journey")
    raters = {rater_email("mo"): ("Mo Manager", "Manager"), rater_email("pat"): ("Pat Peer", "Peer"),
              rater_email("pip"): ("Pip Peer", "Peer"), rater_email("pen"): ("Pen Peer", "Peer"),
              rater_email("dee"): ("Dee Report", "Direct report")}
    mo, pat, pip, pen, dee = raters

    # The owner: start, prepare, rate themselves, choose raters and open the round.
    sign_in(desktop, owner)
    audit(desktop, "owner-no-round", "Your feedback round")
    press_button(desktop, "Start a feedback round")
    audit(desktop, "owner-start-round", "Start a feedback round")
    press_button(desktop, "Start my round")
    audit(desktop, "owner-dashboard-draft", "Your feedback round")
    _prepare(desktop, audit)
    _rate_self(desktop, audit)
    desktop.goto("/round/preparation")  # submitted: shown, no longer editable
    audit(desktop, "owner-preparation-submitted", "Preparation document")
    expect(desktop.get_by_role("textbox")).to_have_count(0)  # shown as text, not as faint disabled fields
    expect(desktop.get_by_text(PREPARATION_TEXTS["What you want to achieve"])).to_be_visible()
    desktop.goto("/round/self/1")
    audit(desktop, "owner-self-1-submitted", "Ability (1 of 5)", sizes=False)
    expect(desktop.get_by_role("radio")).to_have_count(0)
    desktop.goto("/round")
    _choose_raters(desktop, audit, raters)
    follow(desktop, "Back to your round")
    follow(desktop, "Send invitations")
    audit(desktop, "owner-open-confirm", "Send invitations and open your round?")
    press_button(desktop, "Send invitations")
    expect(desktop.get_by_role("status")).to_contain_text("Invitations are on their way")
    audit(desktop, "owner-dashboard-open", "Your feedback round")

    links = live.rater_links(list(raters))

    # Pat starts on their phone, saves a draft half-way and closes the tab.
    phone = new_phone()
    phone.goto(links[pat])
    audit(phone, "rater-start", f"Give feedback for {owner.name}")
    press_button(phone, "Start")
    answer_every_statement(phone, "Strongly agree", limit=4)
    answer_every_statement(phone, "Not able to say", skip=4, limit=1)
    given = checked_values(phone)
    assert len(given) == 5
    press_button(phone, "Save and come back later")
    audit(phone, "rater-saved", "Your answers have been saved")
    phone.context.close()

    # Later, in a new tab (a new browser session: no cookies), the link brings the answers back.
    phone = new_phone()
    phone.goto(links[pat])
    expect(phone.get_by_text("You have started already")).to_be_visible()
    audit(phone, "rater-start-resume", f"Give feedback for {owner.name}")
    press_button(phone, "Continue where you left off")
    assert phone.url.endswith("/area/1")
    assert checked_values(phone) == given
    answer_every_statement(phone, "Agree", skip=5)
    press_button(phone, "Save and continue")
    for number, area in enumerate(AREAS[1:], start=2):
        audit(phone, f"rater-area-{number}", f"{area} ({number} of 6)", sizes=number == 2)
        answer_every_statement(phone, "Disagree")
        press_button(phone, "Save and continue")
    audit(phone, "rater-comments", "Your comments (5 of 6)")
    phone.get_by_label("What one thing could this person develop?").fill("Delegating more.")
    press_button(phone, "Save and continue")
    audit(phone, "rater-check", "Check your answers (6 of 6)")
    expect(phone.locator(".nhsuk-summary-list__value", has_text="Delegating more.")).to_be_visible()
    press_button(phone, "Send my feedback")
    audit(phone, "rater-thanks", "Feedback sent")

    # The link stops working once used.
    phone.goto(links[pat])
    audit(phone, "rater-link-used", "This link does not work")

    # Pip answers too and Pen declines; Mo and Dee have not replied yet.
    _answer_survey(new_phone(), links[pip])
    phone = new_phone()
    phone.goto(links[pen])
    follow(phone, "I do not want to give feedback")
    audit(phone, "rater-decline", "Do not give feedback")
    press_button(phone, "I do not want to give feedback")
    audit(phone, "rater-declined", "You have declined")

    # The owner sees how many replied in each group, never who, once the next morning's update has counted them.
    with live.context():
        operations.update_due_counts(next_update_moment(utcnow()) + timedelta(minutes=1))
    desktop.goto("/round")
    audit(desktop, "owner-dashboard-responses", "Your feedback round")
    rows = desktop.locator("table tbody tr")
    counts = {row.locator("th").inner_text(): [c.inner_text() for c in row.locator("td").all()] for row in rows.all()}
    assert counts == {"Managers": ["1", "0", "0"], "Peers": ["3", "2", "1"], "Direct reports": ["1", "0", "0"]}
    assert {mo, dee} <= set(links)
