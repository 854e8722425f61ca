"""The mail a manager gets when an owner shares a report with them. It says who shared it and where to read it;
nothing of the report itself."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from app.extensions import db
from app.mail import Message, renderer
from app.models import User
from reports.models import Report, ReportShare


@renderer("report_shared")
def report_shared_mail(share_id: int) -> Message | None:
    share = db.session.get(ReportShare, share_id)
    if share is None or share.revoked_at is not None:
        return None  # sharing was stopped before the mail went out
    report = db.session.get(Report, share.report_id)
    if report is None:
        return None
    owner = report.cycle.owner
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"link": current_app.config["PUBLIC_URL"] + url_for("reports.report_page", report_id=share.report_id)}
        return shared_mail(share.user, owner, "feedback report", "360-degree feedback report", context["link"])


def shared_mail(manager: User, owner: User, short: str, thing: str, link: str) -> Message:
    """The one mail for anything an owner shares with a manager (reports.sharing): who, what, and where to read it."""
    context = {"manager": manager, "owner": owner, "thing": thing, "link": link}
    return Message(to=manager.email, subject=f"{owner.name} has shared their {short} with you",
                   text=render_template("reports/mail/shared.txt", **context),
                   html=render_template("reports/mail/shared.html", **context))
