"""The mails the round sends, rendered at send time so the rater's link is never stored."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from app.extensions import db
from app.mail import Message, renderer
from surveys import tokens
from surveys.models import Invitation, InvitationStatus


def rater_link(invitation: Invitation) -> str:
    token = tokens.token_for(current_app.config["LINK_KEY"], invitation.link_nonce)
    return current_app.config["PUBLIC_URL"] + url_for("surveys.rater_start", token=token)


@renderer("invitation")
def invitation_mail(invitation_id: int) -> Message | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.status is not InvitationStatus.INVITED:
        return None  # removed, or answered, before the mail went out
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"invitation": invitation, "owner": invitation.cycle.owner, "link": rater_link(invitation),
                   "close_on": invitation.cycle.close_on}
        return Message(
            to=invitation.email,
            subject=f"{invitation.cycle.owner.name} would value your feedback",
            text=render_template("surveys/mail/invitation.txt", **context),
            html=render_template("surveys/mail/invitation.html", **context),
        )
