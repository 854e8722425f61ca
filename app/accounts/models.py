"""One-time links to set a password. Only a hash of each link's token is kept: the token exists only in the email,
made when the email is rendered for sending (app.accounts.mails), so nothing stored or configured rebuilds it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts import rules
from app.extensions import db
from app.models import User
from app.timeutil import utcnow


class AccountLink(db.Model):
    __tablename__ = "account_links"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(10))  # rules.Purpose
    # SHA-256 of the token in the newest email sent for this link; None until that email has been rendered.
    token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column()

    user: so.Mapped[User] = so.relationship()

    def facts(self) -> rules.LinkFacts:
        return rules.LinkFacts(self.purpose, self.created_at, self.used_at, self.user.is_active_account)
