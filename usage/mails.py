"""The email that tells a local lead their quarterly usage report is ready."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from app.extensions import db
from app.mail import Message, renderer
from app.models import Role, User
from usage.models import UsageQuarter


@renderer("usage_report")
def usage_report_mail(user_id: int) -> Message | None:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_account or not user.has_role(Role.LOCAL_LEAD):
        return None
    latest = db.session.scalar(sa.select(UsageQuarter).where(UsageQuarter.organisation_id == user.organisation_id)
                               .order_by(UsageQuarter.quarter.desc()).limit(1))
    if latest is None:
        return None
    subject = f"Open360 usage report: {latest.period.label}"
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"user": user, "subject": subject, "organisation": user.organisation.name,
                   "quarter": latest.period, "link": current_app.config["PUBLIC_URL"] + url_for("usage.index")}
        return Message(to=user.email, subject=subject,
                       text=render_template("usage/mail/report_ready.txt", **context),
                       html=render_template("usage/mail/report_ready.html", **context))
