"""The administrator's mail delivery page: what failed and what is waiting, never to whom."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from app.extensions import db
from app.mail import MAX_ATTEMPTS, OutboundMail, Status
from app.models import Role, User
from tests.conftest import post_form
from tests.fixtures.people import signed_in
from tests.fixtures.rounds import open_link
from tests.fixtures.smtp import MailCatcher


def test_an_administrator_sees_failed_mail_without_its_address_and_sends_it_again(
        app: Flask, create_user: Callable[..., User], create_round, mailbox: MailCatcher) -> None:  # type: ignore[no-untyped-def]
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    invitation = db.session.scalar(db.select(OutboundMail).where(OutboundMail.kind == "invitation"))
    assert invitation is not None and invitation.status == Status.SENT
    invitation.status, invitation.attempts = Status.FAILED, MAX_ATTEMPTS
    invitation.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    db.session.commit()
    mailbox.clear()

    client = signed_in(app, create_user(Role.ADMIN))
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Invitation to a rater" in page and f"Failed after {MAX_ATTEMPTS} tries" in page
    assert "Connection unexpectedly closed" in page
    assert "pat@trust.example" not in page and "Pat Peer" not in page and owner.name not in page

    response = post_form(client, f"/admin/mail/{invitation.id}/send-again", {}, page="/admin/mail")
    assert response.status_code == 302
    assert "queued to be sent again" in client.get("/admin/mail").get_data(as_text=True)
    resent = mailbox.to("pat@trust.example")
    assert len(resent) == 1
    db.session.refresh(invitation)
    assert invitation.status == Status.SENT and invitation.ref_id == cycle.invitations[0].id
    found = re.search(r"/r/[A-Za-z0-9_\-]{43}", MailCatcher.text(resent[0]))
    assert found is not None
    assert open_link(app.test_client(), found.group(0)) == "/feedback"  # the mail sent again opens Pat's survey


def test_nothing_to_look_at_says_so(app: Flask, create_user: Callable[..., User]) -> None:
    client = signed_in(app, create_user(Role.ADMIN))
    assert "every email has gone out" in client.get("/admin/mail").get_data(as_text=True)
