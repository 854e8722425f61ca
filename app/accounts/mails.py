"""The account emails. Each link's token is made here, when the email is rendered for sending, and only its hash
is written (committed with the mail's "sent" mark): a retried send makes a new token, and the one before stops
working, so only the newest email's link ever opens."""

from __future__ import annotations

import secrets

from flask import current_app, render_template, url_for

from app.accounts import rules
from app.accounts.models import AccountLink
from app.accounts.operations import token_hash
from app.extensions import db
from app.identity.operations import provider_only
from app.mail import Message, renderer
from app.timeutil import utcnow

TOKEN_BYTES = 32  # 256 bits


def _link_mail(link_id: int, subject: str, template: str, provider_subject: str | None = None) -> Message | None:
    link = db.session.get(AccountLink, link_id)
    if link is None or not rules.link_is_usable(link.facts(), utcnow()):
        return None  # used, replaced, expired or the account deactivated before the mail went out
    # With password sign-in switched off, the email points at the organisation's own sign-in and carries no link
    # that sets a password nobody could use.
    provider = provider_only(link.user)
    subject = provider_subject if provider and provider_subject else subject
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        context = {"user": link.user, "subject": subject, "expires": rules.lifetime(link.purpose),
                   "provider": provider, "sign_in": current_app.config["PUBLIC_URL"] + url_for("auth.login")}
        if provider is None:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            link.token_hash = token_hash(token)
            context["link"] = current_app.config["PUBLIC_URL"] + url_for("accounts.open_link", token=token)
        return Message(to=link.user.email, subject=subject,
                       text=render_template(f"accounts/mail/{template}.txt", **context),
                       html=render_template(f"accounts/mail/{template}.html", **context))


@renderer("account_invite")
def invitation_mail(link_id: int) -> Message | None:
    return _link_mail(link_id, "You have been invited to Open360", "invitation")


@renderer("password_reset", waited_for=True)
def reset_mail(link_id: int) -> Message | None:
    return _link_mail(link_id, "Reset your Open360 password", "reset", "How to sign in to Open360")
