"""The owner's raters page once invitations have gone: the same one action, withdrawal, for every invited rater
whatever they did; the withdrawal page; a refused sock-puppet paste; and the confirmation step where the
organisation asks for nomination approval. Each state passes the accessibility audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Organisation, Role, User
from app.timeutil import today
from facilitator.operations import assign
from surveys import operations, responses
from surveys.categories import Category
from surveys.rater_list import RaterEntry
from tests.browser.audit import Auditor
from tests.browser.live import LiveServer
from tests.browser.seed import person, rater_email
from tests.browser.steps import press_button, sign_in


def test_the_raters_page_after_invitations_tells_nobody_apart(live: LiveServer, desktop: Page,
                                                                audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER, name="Olu Raters")
        user = db.session.get(User, owner.id)
        cycle = operations.start_cycle(user, today() + timedelta(days=21), today())
        operations.add_raters(cycle, [RaterEntry(f"Peer {n}", rater_email(f"peer{n}"), Category.PEER)
                                      for n in range(1, 5)])
        operations.open_round(cycle, today())
        db.session.flush()
        answered, declined = cycle.invitations[0], cycle.invitations[1]
        responses.save_answers(answered, dict.fromkeys(cycle.questionnaire().statement_keys(), 4))
        responses.submit(answered)
        responses.decline(declined)
    sign_in(desktop, owner)
    desktop.goto("/round/raters")
    audit(desktop, "owner-raters-invited", "Choose who to ask for feedback")
    main = desktop.get_by_role("main")
    expect(main.get_by_role("link", name="Withdraw")).to_have_count(4)
    expect(main).not_to_contain_text("Has replied")

    main.get_by_role("link", name="Withdraw Peer 1").click()
    audit(desktop, "owner-withdraw-confirm", "Withdraw Peer 1?")
    press_button(desktop, "Withdraw")
    expect(desktop.get_by_role("status")).to_contain_text("Peer 1 has been withdrawn")
    audit(desktop, "owner-raters-withdrawn", "Choose who to ask for feedback")

    desktop.get_by_label("Paste your list").fill(f"Me Again, {owner.email.replace('@', '+peer@')}, Peer")
    press_button(desktop, "Add these people")
    audit(desktop, "owner-raters-own-address", "Choose who to ask for feedback", error=True)
    expect(main).to_contain_text("reaches your own mailbox")


def test_the_raters_page_asks_for_confirmation_where_the_organisation_wants_it(
        live: LiveServer, desktop: Page, new_phone: Callable[[], Page], audit: Auditor) -> None:
    with live.context():
        owner = person(Role.OWNER, name="Ola Approval")
        # Its own domain: a domain is one organisation's, and the seed's holds raters.example.
        org = Organisation(name="Approving Browser Trust", requires_nomination_approval=True,
                           email_domains=["approving.example"])
        db.session.add(org)
        user = db.session.get(User, owner.id)
        user.organisation = org
        cycle = operations.start_cycle(user, today() + timedelta(days=21), today())
        operations.add_raters(cycle, [RaterEntry("Pam Peer", rater_email("pam"), Category.PEER)])
        db.session.flush()
        cycle_id = cycle.id
    sign_in(desktop, owner)
    desktop.goto("/round/raters")
    audit(desktop, "owner-raters-approval-no-facilitator", "Choose who to ask for feedback")
    expect(desktop.get_by_role("main")).to_contain_text("Nobody can confirm your list until you have a facilitator")
    desktop.goto("/round")
    expect(desktop.get_by_role("main")).to_contain_text("Have your list confirmed by your facilitator")

    # Issue 25, seam 9: the facilitator, on a phone, sends the list back with a note; the owner reads it.
    with live.context():
        fay, lead = person(Role.FACILITATOR, name="Fay Sendback"), person(Role.LOCAL_LEAD, name="Lee Sendback")
        people = {p.id: db.session.get(User, p.id) for p in (owner, fay, lead)}
        for someone in people.values():
            someone.organisation = db.session.get(User, owner.id).organisation
        assign(people[owner.id], people[fay.id], people[lead.id])
    desktop.goto("/round/raters")
    press_button(desktop, "Ask Fay Sendback to confirm your list")
    phone = new_phone()
    sign_in(phone, fay)
    phone.goto(f"/rater-lists/{cycle_id}")
    audit(phone, "facilitator-confirm-list", "Confirm Ola Approval's raters")
    phone.get_by_label("No, send the list back with a note").check()
    press_button(phone, "Send my answer")
    audit(phone, "facilitator-confirm-list-no-note", "Confirm Ola Approval's raters", error=True)
    phone.get_by_label("What should Ola Approval change?").fill("Pam left the team in March: ask someone newer.")
    press_button(phone, "Send my answer")
    expect(phone.get_by_role("main")).to_contain_text("You have sent Ola Approval's list back")
    desktop.goto("/round/raters")
    audit(desktop, "owner-raters-list-sent-back", "Choose who to ask for feedback")
    expect(desktop.get_by_role("main")).to_contain_text("Pam left the team in March: ask someone newer.")
