"""The owner's "remind all outstanding" (PRODUCT §2.5), through the test client with CSRF on: at most once a day."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.mail import OutboundMail
from app.timeutil import today, utcnow
from surveys import operations, responses
from surveys.models import Cycle, InvitationStatus
from tests.conftest import post_form
from tests.fixtures.clock import TestClock
from tests.fixtures.rounds import invited_days_ago
from tests.fixtures.smtp import MailCatcher

BUTTON = "Send everyone who has not replied a reminder now"
SUBJECT = "Reminder: Olivia Owner would value your feedback"


def _reminded(mailbox: MailCatcher) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages if m["Subject"] == SUBJECT)


def _remind(client: FlaskClient):  # type: ignore[no-untyped-def]
    return post_form(client, "/round/remind", {}, page="/round")


def test_an_owner_reminds_everyone_who_has_not_replied_once_a_day(owner_client: FlaskClient, open_round: Cycle,
                                                                  mailbox: MailCatcher) -> None:
    mo, pat, pip, dee = open_round.invitations
    responses.decline(pip)
    dee.status = InvitationStatus.DONE
    operations.update_counts(open_round, utcnow())  # the morning's update
    unit.commit()
    invited_days_ago(open_round, 2)
    mailbox.clear()

    page = owner_client.get("/round").get_data(as_text=True)
    assert "At the last update, 2 people had not replied." in " ".join(page.split()) and BUTTON in page
    response = _remind(owner_client)
    assert response.status_code == 302
    assert _reminded(mailbox) == ["mo@trust.example", "pat@trust.example"]
    page = owner_client.get("/round").get_data(as_text=True)
    assert "A reminder is on its way to everyone who has not replied yet, except anyone we already emailed " \
           "today." in page
    tomorrow = (today() + timedelta(days=1)).strftime("%-d %B %Y")
    assert f"You sent a reminder today. You can send another from {tomorrow}." in " ".join(page.split())
    assert BUTTON not in page

    again = post_form(owner_client, "/round/remind", {}, page="/round/raters")  # e.g. from a second tab
    assert again.status_code == 302
    page = owner_client.get("/round").get_data(as_text=True)
    assert f"You have already sent a reminder today. You can send another from {tomorrow}." in page
    assert _reminded(mailbox) == ["mo@trust.example", "pat@trust.example"]
    assert db.session.get(Cycle, open_round.id).reminded_all_on == today()
    keys = set(db.session.scalars(sa.select(OutboundMail.dedupe_key).where(OutboundMail.kind == "reminder")))
    assert keys == {f"reminder:{i.id}:all-{today().isoformat()}" for i in (mo, pat)}


@pytest.mark.clock_at("2026-09-30T23:59:59")  # the last second of a quarter
def test_a_reminder_sent_in_the_last_second_of_a_day_uses_up_that_day_only(owner_client: FlaskClient,
                                                                            open_round: Cycle, clock: TestClock,
                                                                            mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 2)
    assert _remind(owner_client).status_code == 302
    page = " ".join(owner_client.get("/round").get_data(as_text=True).split())
    assert "You sent a reminder today. You can send another from 1 October 2026." in page and BUTTON not in page
    clock.set(datetime(2026, 10, 1, 0, 0, 1))
    assert BUTTON in owner_client.get("/round").get_data(as_text=True)


def test_raters_already_emailed_today_are_left_out_and_the_owner_is_told(owner_client: FlaskClient,
                                                                         open_round: Cycle,
                                                                         mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 2)
    open_round.invitations[0].invited_at = utcnow()  # their address was corrected this morning
    unit.commit()
    mailbox.clear()
    _remind(owner_client)
    assert len(_reminded(mailbox)) == 3
    page = owner_client.get("/round").get_data(as_text=True)
    # No number: how many were reminded would be how many have not replied, live.
    assert "A reminder is on its way to everyone who has not replied yet, except anyone we already emailed " \
           "today." in page and "3 people" not in page


def test_a_round_whose_raters_were_all_invited_today_cannot_be_reminded_yet(owner_client: FlaskClient,
                                                                            open_round: Cycle,
                                                                            mailbox: MailCatcher) -> None:
    mailbox.clear()
    _remind(owner_client)
    assert _reminded(mailbox) == []
    page = owner_client.get("/round").get_data(as_text=True)
    assert "already had an email from us today, so no reminder was sent" in page
    assert db.session.get(Cycle, open_round.id).reminded_all_on is None  # the day is not used up
    assert BUTTON in page


def test_no_reminder_section_when_everyone_has_replied(owner_client: FlaskClient, open_round: Cycle) -> None:
    for invitation in open_round.invitations:
        invitation.status = InvitationStatus.DONE
    unit.commit()
    page = owner_client.get("/round").get_data(as_text=True)
    assert BUTTON in page  # until the next daily update, the owner cannot tell that the last one has answered
    operations.update_counts(open_round, utcnow())
    unit.commit()
    page = owner_client.get("/round").get_data(as_text=True)
    assert BUTTON not in page and "not replied" not in page


def test_reminding_needs_the_forms_csrf_token(owner_client: FlaskClient, open_round: Cycle,
                                              mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 2)
    mailbox.clear()
    assert owner_client.post("/round/remind", data={}).status_code == 400
    assert _reminded(mailbox) == []


def test_a_draft_round_offers_no_reminders(owner_client: FlaskClient, owner, create_round) -> None:  # type: ignore[no-untyped-def]
    create_round(owner, [("Pat Peer", "pat@trust.example", "peer")], open_it=False)
    assert BUTTON not in owner_client.get("/round").get_data(as_text=True)
    post_form(owner_client, "/round/remind", {}, page="/round/raters")  # a stale page, say
    assert "You can only send reminders while your round is open." in owner_client.get("/round").get_data(as_text=True)


def test_the_reminder_forms_own_hidden_field_carries_a_token_the_post_accepts(
        owner_client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    invited_days_ago(open_round, 2)
    mailbox.clear()
    page = owner_client.get("/round").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/round/remind" novalidate>\s*'
                     r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">', page)
    assert form is not None
    assert owner_client.post("/round/remind", data={"csrf_token": form.group(1)}).status_code == 302
    assert _reminded(mailbox)
