"""The administrator's mail delivery page, with a mail that failed for good and then went out when sent again."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app import db as unit
from app.extensions import db
from app.mail import MAX_ATTEMPTS, OutboundMail, Status
from app.models import Role
from tests.browser.audit import Auditor
from tests.browser.browser import Contexts
from tests.browser.live import LiveServer
from tests.browser.seed import open_round, person, rater_email
from tests.browser.steps import follow, sign_in


def test_mail_delivery_page_with_a_failed_mail_sent_again(live: LiveServer, contexts: Contexts,
                                                          audit: Auditor) -> None:
    with live.context():
        admin = person(Role.ADMIN)
        email = rater_email("pat-failing")
        open_round({email: "peer"})
        mail = db.session.scalar(db.select(OutboundMail).where(OutboundMail.kind == "invitation")
                                 .order_by(OutboundMail.id.desc()))
        assert mail is not None
        mail.status, mail.attempts = Status.FAILED, MAX_ATTEMPTS
        mail.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
        unit.commit()  # failed before its delivery ran: nothing has gone to the rater
    assert live.mail.to(email) == []

    page = contexts.page()
    sign_in(page, admin)
    follow(page, "Mail delivery")
    audit(page, "admin-mail-failed", "Mail delivery")
    expect(page.get_by_role("cell", name=f"Failed after {MAX_ATTEMPTS} tries")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Send again – invitation to a rater queued")).click()
    expect(page.get_by_role("status")).to_contain_text("queued to be sent again")
    audit(page, "admin-mail-sent-again", "Mail delivery")
    assert len(live.mail.to(email)) == 1
