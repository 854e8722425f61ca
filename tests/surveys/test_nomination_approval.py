"""Nomination approval (PRODUCT §2.4, issue 12): where the organisation asks for it, the owner's facilitator confirms
the rater list before any invitation goes out, and again for raters added later. The sock-puppet round never
reaches invitations without them."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from facilitator.operations import assign
from surveys.cycle import CycleState, RoundFacts, progress
from surveys.models import Cycle, Invitation, ReturnedList
from surveys.rules.nomination import (
    ListFacts,
    answer_refusal,
    asked_words,
    confirmed_words,
    may_request,
    note_serves,
    open_refusal,
    owner_returned_words,
    step_status,
)
from tests.conftest import post_form
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher

PUPPETS = "Rita Peer, rita@trust.example, Peer\nPuppet, puppet.account@trust.example, Peer"


def test_the_rules_of_the_step() -> None:
    off = ListFacts(requires_approval=False, listed=3, awaiting=3, unrequested=3)
    assert step_status(off) is None and open_refusal(off) is None
    assert step_status(ListFacts(True, 0, 0, 0)) == "not_yet"
    assert step_status(ListFacts(True, 3, 3, 3)) == "to_do"
    assert step_status(ListFacts(True, 3, 2, 0)) == "waiting"
    assert step_status(ListFacts(True, 4, 1, 1)) == "to_do"  # someone added since the last confirmation
    assert step_status(ListFacts(True, 3, 0, 0)) == "done"
    assert open_refusal(ListFacts(True, 3, 1, 0)) is not None and open_refusal(ListFacts(True, 3, 0, 0)) is None
    nobody = may_request(ListFacts(True, 2, 2, 2), has_approver=False, local_leads="Lee Lead") or ""
    assert "until you have a facilitator" in nobody and "Ask Lee Lead, your organisation's local lead," in nobody
    assert asked_words(2, "Fay", is_open=False) == ("We have asked Fay to confirm 2 people. We will email you when "
                                                    "they have; then send the invitations from your round page.")
    assert "Their invitations go out as soon as Fay does" in asked_words(1, "Fay", is_open=True)
    assert may_request(ListFacts(True, 2, 2, 0), has_approver=True) is not None  # already asked about all
    assert may_request(ListFacts(True, 2, 2, 1), has_approver=True) is None


def test_the_progress_indicator_shows_the_step_only_where_it_is_asked_for() -> None:
    base = RoundFacts(state=CycleState.DRAFT, preparation_submitted=False, self_assessment_submitted=False,
                      rater_count=2)
    assert "confirm" not in [s.key for s in progress(base)]
    steps = {s.key: s.status for s in progress(RoundFacts(**{**base.__dict__, "approval": "waiting"}))}
    assert steps["confirm"] == "waiting" and steps["open"] == "not_yet"
    steps = {s.key: s.status for s in progress(RoundFacts(**{**base.__dict__, "approval": "done"}))}
    assert steps["confirm"] == "done" and steps["open"] == "to_do"


@pytest.fixture
def approving_org(organisation: Organisation) -> Organisation:
    organisation.requires_nomination_approval = True
    organisation.email_domains = ["trust.example"]
    unit.commit()
    return organisation


def _start_with_raters(owner_client: FlaskClient) -> None:
    from tests.surveys.test_owner_round import _start

    _start(owner_client)
    post_form(owner_client, "/round/raters/paste", {"paste-raters": PUPPETS}, page="/round/raters", prefix="paste")


def _asked(owner: User, owner_client: FlaskClient, create_user: Callable[..., User]) -> tuple[Cycle, User]:
    """The owner's two raters put to Fay, their facilitator: the round and Fay."""
    _start_with_raters(owner_client)
    fay = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign(owner, fay, create_user(Role.LOCAL_LEAD))
    unit.commit()
    post_form(owner_client, "/round/raters/ask-to-confirm", {}, page="/round/raters", prefix="ask")
    return db.session.scalar(sa.select(Cycle)), fay


def test_nothing_goes_out_until_the_facilitator_confirms_the_list(
        app: Flask, approving_org: Organisation, owner: User, owner_client: FlaskClient,
        create_user: Callable[..., User], mailbox: MailCatcher) -> None:
    lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
    _start_with_raters(owner_client)
    # No facilitator yet: the owner is told why they cannot ask, and whom to ask, and cannot send invitations; the
    # local lead sees that the owner's list waits for a facilitator.
    page = html.unescape(" ".join(owner_client.get("/round/raters").get_data(as_text=True).split()))
    assert "Ask Lee Lead, your organisation's local lead, to assign you one" in page and "Not yet confirmed" in page
    leads_page = " ".join(signed_in(app, lead).get("/facilitators").get_data(as_text=True).split())
    assert "Not assigned: their rater list is waiting for a facilitator to confirm it" in leads_page
    assert "Have your list confirmed by your facilitator" in owner_client.get("/round").get_data(as_text=True)
    refused = post_form(owner_client, "/round/open", {}, page="/round/raters")
    assert refused.status_code == 409 and "confirm your list of raters" in refused.get_data(as_text=True)

    fay, fred = create_user(Role.FACILITATOR, name="Fay Facilitator"), create_user(Role.FACILITATOR, name="Fred")
    assign(owner, fay, lead)
    unit.commit()
    mailbox.clear()
    asked = post_form(owner_client, "/round/raters/ask-to-confirm", {}, page="/round/raters", prefix="ask")
    assert asked.status_code == 302
    page = " ".join(owner_client.get("/round/raters").get_data(as_text=True).split())
    assert "We have asked Fay Facilitator to confirm 2 people. We will email you when they have; then send the " \
           "invitations from your round page." in page
    assert "Their invitations go out once they have" not in page
    [request_mail] = mailbox.to(fay.email)
    assert "Please confirm Olivia Owner's raters" in request_mail["Subject"]
    cycle = db.session.scalar(sa.select(Cycle))
    assert post_form(owner_client, "/round/open", {}, page="/round/raters").status_code == 409  # asked is not confirmed

    # Another facilitator cannot see or confirm the list; the owner cannot confirm their own.
    other = signed_in(app, fred)
    assert other.get(f"/rater-lists/{cycle.id}").status_code == 404
    assert "Olivia Owner" not in other.get("/rater-lists").get_data(as_text=True)
    assert owner_client.get(f"/rater-lists/{cycle.id}").status_code == 403

    facilitator = signed_in(app, fay)
    assert "Olivia Owner" in facilitator.get("/rater-lists").get_data(as_text=True)
    page = facilitator.get(f"/rater-lists/{cycle.id}").get_data(as_text=True)
    assert "puppet.account@trust.example" in page and "Do these people look right?" in page
    assert post_form(facilitator, f"/rater-lists/{cycle.id}",
                     {"rater": [str(i.id) for i in cycle.invitations], "decision": "confirm"}).status_code == 302
    assert mailbox.to(owner.email)[-1]["Subject"] == "Your list of raters has been confirmed"
    # The round is not open: nothing went by itself, and the mail says the owner sends the invitations.
    said = " ".join(MailCatcher.text(mailbox.to(owner.email)[-1]).split())
    assert "Nothing has been sent to them yet: send the invitations from your round page" in said
    assert "on their way" not in said and not mailbox.to("rita@trust.example")
    assert post_form(owner_client, "/round/open", {}, page="/round/raters").status_code == 302
    assert len(mailbox.to("rita@trust.example")) == 1

    # Someone added to the open round waits for their own confirmation before their invitation.
    post_form(owner_client, "/round/raters", {"add-name": "Nia New", "add-email": "nia@trust.example",
                                              "add-category": "peer"}, prefix="add")
    assert not mailbox.to("nia@trust.example")
    post_form(owner_client, "/round/raters/ask-to-confirm", {}, page="/round/raters", prefix="ask")
    nia = db.session.scalar(sa.select(Invitation).where(Invitation.email == "nia@trust.example"))
    assert post_form(facilitator, f"/rater-lists/{cycle.id}", {"rater": str(nia.id), "decision": "confirm"}
                     ).status_code == 302
    assert len(mailbox.to("nia@trust.example")) == 1


def test_a_rater_changed_after_confirmation_is_confirmed_again(
        app: Flask, approving_org: Organisation, owner: User, owner_client: FlaskClient,
        create_user: Callable[..., User]) -> None:
    cycle, fay = _asked(owner, owner_client, create_user)
    post_form(signed_in(app, fay), f"/rater-lists/{cycle.id}", {"rater": [str(i.id) for i in cycle.invitations],
                                                                "decision": "confirm"})
    rita = cycle.invitations[0]
    post_form(owner_client, f"/round/raters/{rita.id}/edit",
              {"name": "Rita Peer", "email": "someone.else@trust.example", "category": "peer"})
    db.session.expire_all()
    assert db.session.get(Invitation, rita.id).confirmed_at is None
    assert post_form(owner_client, "/round/open", {}, page="/round/raters").status_code == 409


def test_a_rater_still_unconfirmed_when_the_round_closes_leaves_no_step_to_take(
        app: Flask, organisation: Organisation, owner: User, owner_client: FlaskClient,
        create_round: Callable[..., Cycle]) -> None:
    from app.timeutil import utcnow

    cycle = create_round(owner, [("Rita Peer", "rita@trust.example", "peer")])
    cycle.requires_nomination_approval = True  # the round asks for it: a rater added late waits for it
    organisation.email_domains = ["trust.example"]
    unit.commit()
    post_form(owner_client, "/round/raters", {"add-name": "Nia New", "add-email": "nia@trust.example",
                                              "add-category": "peer"}, prefix="add")
    assert "Have your list confirmed" in owner_client.get("/round").get_data(as_text=True)
    cycle.state, cycle.closed_at = CycleState.CLOSED, utcnow()  # the close date passed with Nia unconfirmed
    unit.commit()
    main = owner_client.get("/round").get_data(as_text=True).split("<main")[1]
    assert "To do" not in main  # no one can ask about or confirm Nia now


def test_the_rules_of_sending_a_list_back() -> None:
    assert answer_refusal(send_back=False, note="") is None  # confirming needs nothing more
    assert answer_refusal(send_back=False, note="x" * 5000) is None  # and keeps no note
    assert answer_refusal(send_back=True, note="  \n ") == "Say what the owner should change"
    assert answer_refusal(send_back=True, note="Swap Puppet for your manager") is None
    assert "2000 characters or fewer" in (answer_refusal(send_back=True, note="x" * 2001) or "")
    assert note_serves(ListFacts(True, 3, 1, 1)) and note_serves(ListFacts(True, 3, 1, 0))
    assert not note_serves(ListFacts(True, 3, 0, 0)) and not note_serves(ListFacts(False, 3, 3, 3))
    assert owner_returned_words("Fay", unrequested=2).endswith("then ask Fay to confirm your list again.")
    assert owner_returned_words("Fay", unrequested=0) == ("Fay sent your list back with this note. You have asked "
                                                         "them to confirm it again.")
    assert confirmed_words(1, "Olivia", is_open=True).endswith("Their invitations are on their way.")
    assert "Olivia sends the invitations when their round is ready" in confirmed_words(2, "Olivia", is_open=False)


NOTE = "Puppet is your own second account. Remove it and add your manager instead."


def test_the_facilitator_sends_the_list_back_with_a_note_and_confirms_it_once_changed(
        app: Flask, approving_org: Organisation, owner: User, owner_client: FlaskClient,
        create_user: Callable[..., User], mailbox: MailCatcher) -> None:
    cycle, fay = _asked(owner, owner_client, create_user)
    facilitator = signed_in(app, fay)
    ids = [str(i.id) for i in cycle.invitations]
    assert "Confirm their list of raters, or send it back with a note" in facilitator.get("/facilitator").get_data(
        as_text=True)

    # Sending it back needs a note; the form says so in the design system's pattern and changes nothing.
    refused = post_form(facilitator, f"/rater-lists/{cycle.id}", {"rater": ids, "decision": "send_back"})
    assert refused.status_code == 200 and "Error: Confirm Olivia Owner" in refused.get_data(as_text=True)
    assert "Say what Olivia Owner should change" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(ReturnedList)) is None
    mailbox.clear()
    sent = post_form(facilitator, f"/rater-lists/{cycle.id}", {"rater": ids, "decision": "send_back", "note": NOTE})
    assert sent.status_code == 302
    said = html.unescape(" ".join(facilitator.get("/rater-lists").get_data(as_text=True).split()))
    assert "You have sent Olivia Owner's list back" in said and "No list is waiting for you." in said
    assert "You sent their list of raters back: waiting for them to change it" in html.unescape(
        facilitator.get("/facilitator").get_data(as_text=True))

    # Kept encrypted, bound to its round; the owner is emailed that it is there, not what it says (a mail cannot be
    # deleted; the note is, once it serves no more).
    raw = db.session.execute(sa.text("SELECT note FROM returned_lists")).scalar_one()
    assert "Puppet" not in raw
    [mail] = mailbox.to(owner.email)
    assert mail["Subject"] == "Your facilitator has sent your list of raters back"
    assert "Puppet" not in MailCatcher.text(mail) and "/round/raters#confirmation" in MailCatcher.text(mail)

    # It is held about the owner, so it is in what they download (PRODUCT §7).
    from app.owner_data import read_export

    exported, _files = read_export(owner_client.get("/account/export").data)
    assert exported["rounds"][0]["list_sent_back"]["note"] == NOTE

    # The owner reads the note where they choose raters, still cannot send invitations, changes the list and asks again.
    page = html.unescape(" ".join(owner_client.get("/round/raters").get_data(as_text=True).split()))
    assert NOTE in page and "Fay Facilitator has sent your list back with a note" in page
    assert "Ask Fay Facilitator to confirm your list" in page
    assert "Have your list confirmed by your facilitator" in owner_client.get("/round").get_data(as_text=True)
    assert post_form(owner_client, "/round/open", {}, page="/round/raters").status_code == 409
    puppet = next(i for i in cycle.invitations if i.email.startswith("puppet"))
    post_form(owner_client, f"/round/raters/{puppet.id}/remove", {})
    post_form(owner_client, "/round/raters", {"add-name": "Mo Manager", "add-email": "mo@trust.example",
                                              "add-category": "manager"}, prefix="add")
    post_form(owner_client, "/round/raters/ask-to-confirm", {}, page="/round/raters", prefix="ask")
    page = html.unescape(" ".join(owner_client.get("/round/raters").get_data(as_text=True).split()))
    assert "You have asked them to confirm it again" in page

    # The facilitator sees their note beside the changed list, confirms it, and the note is deleted.
    page = html.unescape(facilitator.get(f"/rater-lists/{cycle.id}").get_data(as_text=True))
    assert NOTE in page and "mo@trust.example" in page and "puppet.account" not in page
    db.session.expire_all()
    ids = [str(i.id) for i in db.session.get(Cycle, cycle.id).invitations if i.withdrawn_at is None]
    assert post_form(facilitator, f"/rater-lists/{cycle.id}", {"rater": ids, "decision": "confirm"}
                     ).status_code == 302
    assert db.session.scalar(sa.select(ReturnedList)) is None
    assert NOTE not in html.unescape(owner_client.get("/round/raters").get_data(as_text=True))
    assert post_form(owner_client, "/round/open", {}, page="/round/raters").status_code == 302


def test_a_note_is_deleted_when_the_round_stops_taking_raters(
        app: Flask, approving_org: Organisation, owner: User, owner_client: FlaskClient,
        create_user: Callable[..., User]) -> None:
    from app.timeutil import utcnow
    from surveys import operations
    from surveys.nominations import send_back

    cycle, fay = _asked(owner, owner_client, create_user)
    assert send_back(cycle, fay, [i.id for i in cycle.invitations], NOTE, utcnow()) == 2
    unit.commit()
    operations.cancel_round(cycle)
    unit.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReturnedList)) == 0


def test_a_facilitator_is_offered_rater_lists_only_where_the_organisation_asks_for_them(
        app: Flask, organisation: Organisation, create_user: Callable[..., User]) -> None:
    """A seam found walking the demo (issue 25): Northshire asks for no approval, yet every facilitator's header
    offered "Rater lists to confirm", whose page said their organisation asks them to confirm lists."""
    facilitator = signed_in(app, create_user(Role.FACILITATOR, name="Fay Facilitator"))
    home = facilitator.get("/").get_data(as_text=True)
    assert "Rater lists to confirm" not in home
    page = " ".join(facilitator.get("/rater-lists").get_data(as_text=True).split())
    assert "Your organisation does not ask facilitators to confirm" in page
    assert "Your organisation asks you to confirm" not in page
    organisation.requires_nomination_approval = True
    unit.commit()
    assert "Rater lists to confirm" in facilitator.get("/").get_data(as_text=True)
    assert "Your organisation asks you to confirm" in facilitator.get("/rater-lists").get_data(as_text=True)
