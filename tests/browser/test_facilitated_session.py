"""The facilitated session in a real browser, start to end, with every new page checked (axe-core at 1280 and 390
px, reflow, structure) including its error states: a local lead assigns; the facilitator reads the report and the
Preparation Document, records the session and proposes the summary beside the prompts; the owner asks for changes;
the facilitator revises; the owner agrees, records progress, shares the plan and evaluates; the manager reads the
shared plan; an administrator reads the evaluation."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Role, User
from app.timeutil import today
from surveys import operations
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import Person, person, rater_email
from tests.browser.steps import follow, press_button, sign_in
from tests.fixtures.answers import answer
from tests.fixtures.rounds import rater_entries, rater_rows


def _closed_round_with_preparation(owner: Person) -> None:
    user = db.session.get(User, owner.id)
    assert user is not None
    cycle = operations.start_cycle(user, today() + timedelta(days=21), today())
    operations.save_preparation(cycle, texts={"highs_and_lows": "Leading through winter.", "aims": "Lead a service."},
                                ratings={"fulfilment": 4}, position="broaden", submit=True)
    operations.add_raters(cycle, rater_entries(rater_rows({"manager": 1, "peer": 3, "direct_report": 3},
                                                          lambda group, _n: rater_email(group))))
    operations.open_round(cycle, today())
    operations.save_self_answers(cycle, {k: 4 for k in cycle.questionnaire().statement_keys()})
    answer(cycle, random.Random(3))
    operations.close_round_early(cycle)


def _fill_goal(page: Page) -> None:
    target = today() + timedelta(days=30)
    page.get_by_label("Short term (1 to 3 months)").check()
    page.get_by_label("What is the goal?").fill("Chair the weekly team meeting")
    page.get_by_label("How will success be measured?").fill("Chaired 4 meetings")
    page.get_by_label("What support is needed?").fill("Time with my manager to prepare")
    page.get_by_label("Which values or behaviours does it call on?").fill("Openness")
    page.get_by_label("Day", exact=True).fill(str(target.day))
    page.get_by_label("Month", exact=True).fill(str(target.month))
    page.get_by_label("Year", exact=True).fill(str(target.year))


def test_the_whole_facilitated_session(live: LiveServer, contexts: Contexts, audit: Auditor) -> None:
    started = time.perf_counter()
    with live.context():
        lead = person(Role.LOCAL_LEAD)
        admin = person(Role.ADMIN)
        manager = person(Role.MANAGER, name="Mina Manager")
        facilitator = person(Role.FACILITATOR, name="Faye Facilitator")
        owner = person(Role.OWNER, name="Omar Owner")
        _closed_round_with_preparation(owner)

    # Assign (the page itself is checked in test_report_pages).
    page = contexts.page()
    sign_in(page, lead)
    page.goto("/facilitators")
    page.get_by_label("Owner", exact=True).select_option(label=owner.name)
    page.get_by_label("Facilitator", exact=True).select_option(label=facilitator.name)
    press_button(page, "Assign")
    expect(page.get_by_role("status")).to_contain_text("We have emailed them both")

    fac = contexts.page()
    sign_in(fac, facilitator)
    follow(fac, "Your owners")
    audit(fac, "facilitator-portal", "Your owners")
    follow(fac, owner.name)
    audit(fac, "facilitator-owner-round", f"{owner.name}'s round")
    follow(fac, f"Read {owner.name}'s Preparation Document")
    audit(fac, "facilitator-preparation", f"{owner.name}'s Preparation Document")
    fac.go_back()
    fac.goto("/facilitator/prompts")
    audit(fac, "facilitator-prompts", "Question prompts")
    fac.go_back()
    press_button(fac, "Record the session")
    fac.get_by_label("Day", exact=True).fill("")
    press_button(fac, "Record the session")
    audit(fac, "facilitator-session-error", f"Record {owner.name}'s session", error=True)
    fac.get_by_label("Day", exact=True).fill(str(today().day))
    fac.get_by_label("Video call").check()
    press_button(fac, "Record the session")
    press_button(fac, "Write the summary")
    audit(fac, "facilitator-summary", f"Conversation summary for {owner.name}")
    press_button(fac, f"Propose this summary to {owner.name}")
    audit(fac, "facilitator-summary-error", f"Conversation summary for {owner.name}", error=True)
    fac.get_by_label("Key points").fill("Trusted and calm; wants to lead across sites.")
    fac.get_by_label("Strengths").fill("Relationships")
    fac.get_by_label("Development areas").fill("Delegation")
    _fill_goal(fac)
    press_button(fac, f"Propose this summary to {owner.name}")
    expect(fac.get_by_role("status")).to_contain_text("sent to")

    me = contexts.phone()
    sign_in(me, owner)
    expect(me.get_by_text(f"Your facilitator is {facilitator.name}.")).to_be_visible()
    follow(me, "Agree your conversation summary")
    audit(me, "owner-summary", "Your conversation summary")
    me.get_by_label("No, I would like changes").check()
    press_button(me, "Send my answer")
    audit(me, "owner-summary-error", "Your conversation summary", error=True)
    me.get_by_label("No, I would like changes").check()
    me.get_by_label("What would you like changed?").fill("Please add a longer-term goal.")
    press_button(me, "Send my answer")

    fac.goto("/facilitator")
    follow(fac, owner.name)
    press_button(fac, "Revise the summary")
    expect(fac.get_by_text("Please add a longer-term goal.")).to_be_visible()
    fac.get_by_label("Development areas").fill("Delegation; speaking up early")
    press_button(fac, f"Propose this summary to {owner.name}")

    me.goto("/round")
    follow(me, "Agree your conversation summary")
    me.get_by_label("Yes, I agree with it").check()
    press_button(me, "Send my answer")
    audit(me, "development-profile", "Your development profile")
    follow(me, "Update")
    me.get_by_label("On track").check()
    me.get_by_label("Day", exact=True).fill("1")
    press_button(me, "Save progress")
    audit(me, "goal-progress-error", "Progress on goal 1", error=True)
    me.get_by_label("Day", exact=True).fill("")
    press_button(me, "Save progress")
    follow(me, "Your personal development plan")
    audit(me, "development-plan", "Personal development plan")
    me.go_back()
    follow(me, "Share your plan with your manager")
    me.get_by_label("Your manager's name or email address").fill("M")
    press_button(me, "Find")
    audit(me, "plan-sharing-error", "Who can read your development plan", error=True)
    me.get_by_label("Your manager's name or email address").fill(manager.name.split()[-1].lower())
    press_button(me, "Find")
    press_button(me, f"Share your development plan with {manager.name}")
    expect(me.get_by_role("status")).to_contain_text(f"{manager.name} can now read your development plan")
    audit(me, "plan-sharing", "Who can read your development plan")
    me.goto("/round")
    follow(me, "Tell us how it went")
    press_button(me, "Send")
    audit(me, "evaluation-error", "Tell us how it went", error=True)
    for fieldset in me.locator("form fieldset").all():
        fieldset.get_by_label("4 – Agree").check()
    press_button(me, "Send")
    expect(me.get_by_role("status")).to_contain_text("Thank you")

    boss = contexts.page()
    sign_in(boss, manager)
    follow(boss, "Shared plans")
    audit(boss, "shared-plans", "Development plans shared with you")
    follow(boss, owner.name)
    audit(boss, "development-plan-shared", f"Personal development plan for {owner.name}", sizes=False)

    central = contexts.page()
    sign_in(central, admin)
    follow(central, "Evaluations")
    audit(central, "evaluations", "Evaluations")
    expect(central.get_by_text(owner.name).first).to_be_visible()
    print(f"\nfacilitated session flow: {time.perf_counter() - started:.1f} s, {len(audit.pages)} pages audited")
