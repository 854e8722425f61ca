"""A goal check-in in the browser, on a 390 px phone, with axe (wcag22aa) on every page: the owner sends one from
the development profile (an error first), a rater answers eight goals on one page (timed), and once it closes the
owner and their facilitator read the figures beside the owner's own progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app import db as unit
from app.extensions import db
from app.models import Role, User
from app.timeutil import today, utcnow
from facilitator.models import Summary
from facilitator.operations import assign as assign_facilitator
from followup.checkin import operations as checkins
from followup.checkin.models import CheckIn
from surveys import operations
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import Person, person, rater_email
from tests.browser.steps import press_button, sign_in
from tests.fixtures.rounds import rater_entries
from tests.followup.checkins import GOALS

GOAL_COUNT = 8


def _owner_with_plan() -> tuple[Person, Person]:
    """An owner whose round's summary was agreed 100 days ago (past the first review date), with eight goals, and a
    facilitator assigned to them."""
    owner = person(Role.OWNER, name="Priya Planowner")
    facilitator = person(Role.FACILITATOR, name="Farah Checkin")
    lead = person(Role.LOCAL_LEAD)
    user = db.session.get(User, owner.id)
    assert user is not None
    cycle: Cycle = operations.start_cycle(user, today() + timedelta(days=21), today())
    operations.add_raters(cycle, rater_entries([("Ann Peer", rater_email("ann"), "peer"),
                                                ("Ben Peer", rater_email("ben"), "peer"),
                                                ("Cat Report", rater_email("cat"), "direct_report")]))
    cycle.state = CycleState.SUMMARY_AGREED
    goals = [{"key": f"{n:032x}", "term": "short", "what": GOALS[n], "measure": "m", "support": "s", "values": "v",
              "target_on": (today() + timedelta(days=60)).isoformat()} for n in range(GOAL_COUNT)]
    db.session.add(Summary(cycle_id=cycle.id, version=1, content={"goals": goals}, status="agreed",
                           agreed_at=utcnow() - timedelta(days=100)))
    assign_facilitator(user, db.session.get(User, facilitator.id), db.session.get(User, lead.id))  # type: ignore[arg-type]
    unit.commit()
    return owner, facilitator


def test_a_check_in_sent_answered_on_a_phone_and_read_when_closed(
        live: LiveServer, new_phone: Callable[[], Page], audit: Auditor) -> None:
    with live.context():
        owner, facilitator = _owner_with_plan()
    page = new_phone()
    sign_in(page, owner)
    page.goto("/development")
    audit(page, "checkin-profile-before", "Your development profile")
    press_button(page, "Send a goal check-in")
    audit(page, "checkin-send", "Ask how your goals are going")
    box = page.get_by_label("Who should we ask?")
    expect(box).to_contain_text("Ann Peer")  # the last round's people, to check
    box.fill("Ann Peer, " + rater_email("ann2"))
    press_button(page, "Send my check-in")
    audit(page, "checkin-send-error", "Ask how your goals are going", error=True)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Add at least 3 people")
    box = page.get_by_label("Who should we ask?")
    box.fill("\n".join(f"Person {n}, {rater_email(f'asked{n}')}" for n in range(4)))
    press_button(page, "Send my check-in")
    audit(page, "checkin-status-open", "Your goal check-in")
    expect(page.get_by_role("heading", name="Replies so far")).to_be_visible()

    with live.context():
        found = db.session.scalars(sa.select(CheckIn).order_by(CheckIn.id.desc()).limit(1)).one()
        links = [checkins.issue(r) for r in found.raters]
        unit.commit()
        checkin_id = found.id

    rater = new_phone()
    rater.goto(f"/c/{links[0]}")
    audit(rater, "checkin-rater-answer", "How are Priya Planowner’s goals going?")
    press_button(rater, "Send my answers")
    audit(rater, "checkin-rater-answer-error", "How are Priya Planowner’s goals going?", error=True)
    expect(rater.locator(".nhsuk-error-summary li")).to_have_count(GOAL_COUNT)

    timed = new_phone()
    timed.goto(f"/c/{links[1]}")
    started = time.perf_counter()
    for n, label in enumerate(["+1 A little more effective", "+2 Much more effective", "0 No change",
                               "Not able to say"] * 2):
        timed.locator("fieldset").nth(n).get_by_label(label, exact=True).check()
    timed.get_by_label("Anything you would like to add? (optional)").fill("Much calmer in handovers.")
    press_button(timed, "Send my answers")
    seconds = time.perf_counter() - started
    print(f"\ncheck-in of {GOAL_COUNT} goals answered on a 390 px phone in {seconds:.1f} s")
    assert seconds < 120
    audit(timed, "checkin-rater-thanks", "Feedback sent")
    timed.goto(f"/c/{links[1]}")
    audit(timed, "checkin-rater-used-link", "This link does not work")

    for n in (2, 3):
        other = new_phone()
        other.goto(f"/c/{links[n]}")
        other.locator("input[type=radio][value='2']").evaluate_all("(inputs) => inputs.forEach(i => i.click())")
        press_button(other, "Send my answers")
        expect(other.get_by_role("heading", name="Feedback sent")).to_be_visible()
    rater.goto("/check-in/decline")
    audit(rater, "checkin-rater-decline", "You would rather not answer")

    page.goto(f"/development/check-ins/{checkin_id}/close")
    audit(page, "checkin-close-confirm", "Close your check-in now?")
    press_button(page, "Close my check-in")
    audit(page, "checkin-status-closed", "Your goal check-in")
    expect(page.locator("main")).to_contain_text("3 people answered")
    expect(page.locator("main")).to_contain_text("+1.7 from 3 answers")
    page.goto("/development")
    audit(page, "checkin-profile-after", "Your development profile")
    expect(page.locator("main")).to_contain_text("Too few answers to show")

    reader = new_phone()
    sign_in(reader, facilitator)
    reader.goto(f"/facilitator/owners/{owner.id}/check-ins")
    audit(reader, "checkin-facilitator", "Goal check-ins: Priya Planowner")
    expect(reader.locator("main")).to_contain_text("Much calmer in handovers.")
