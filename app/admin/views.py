"""Mail delivery, as an administrator sees it: what is waiting, what is being retried, what failed for good, and
what a stopped worker cut off. Never who it was to or what it said: a rater's address is not the administrator's
business, and the page must not become a way to see who was invited to whose round."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for

from app import db as unit
from app.access import roles
from app.extensions import db
from app.mail import OutboundMail, Status, send_again
from app.models import Role
from app.timeutil import utcnow

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

KIND_LABELS = {
    "invitation": "Invitation to a rater",
    "reminder": "Reminder to a rater",
    "round_closed": "Round closed, to its owner",
    "report_ready": "Report ready, to its owner",
}
SHOWN = 200  # the newest first; older ones wait for the next look


@bp.route("/mail")
@roles(Role.ADMIN)
def mail():  # type: ignore[no-untyped-def]
    week_ago = utcnow() - timedelta(days=7)
    counts: dict[str, int] = dict(db.session.execute(  # type: ignore[arg-type]
        sa.select(OutboundMail.status, sa.func.count()).where(
            (OutboundMail.status != Status.SENT) | (OutboundMail.sent_at >= week_ago)
        ).group_by(OutboundMail.status)
    ).all())
    needs_attention = db.session.scalars(
        sa.select(OutboundMail).where(
            (OutboundMail.status == Status.FAILED)
            | ((OutboundMail.status.in_([Status.PENDING, Status.SENDING])) & OutboundMail.last_error.is_not(None))
            | ((OutboundMail.interrupted > 0) & (OutboundMail.created_at >= week_ago))
        ).order_by(OutboundMail.created_at.desc()).limit(SHOWN)
    ).all()
    return render_template("admin/mail.html", counts=counts, mails=needs_attention, labels=KIND_LABELS,
                           Status=Status)


@bp.route("/mail/<int:mail_id>/send-again", methods=["POST"])
@roles(Role.ADMIN)
def mail_send_again(mail_id: int):  # type: ignore[no-untyped-def]
    """CSRF is checked for every POST by CSRFProtect."""
    if db.session.get(OutboundMail, mail_id) is None:
        abort(404)
    if send_again(mail_id):
        unit.commit()
        flash("The mail is queued to be sent again.")
    else:
        flash("That mail is not one that failed, so there is nothing to send again.")
    return redirect(url_for("admin.mail"))
