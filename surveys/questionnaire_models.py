"""Questionnaire and prompt versions kept in the database (PRODUCT §2.3, §5, §6).

A version is a row; its words are texts of it, one per language, each the YAML the product ships. A Welsh version
of the same questionnaire is a second text of the same row ("cy"), so it shares the status, the keys and the
rounds pinned to it. Administrators' actions here are kept in an audit log (who, what, when).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.timeutil import utcnow
from surveys.questionnaire_rules import DEFAULT_LANGUAGE, Status


class ContentVersion(db.Model):
    """One version of a questionnaire ("questionnaire") or of the session prompts ("prompts")."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (sa.UniqueConstraint("kind", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    version: so.Mapped[str] = so.mapped_column(sa.String(20))
    status: so.Mapped[Status] = so.mapped_column(
        sa.Enum(Status, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    published_at: so.Mapped[datetime | None] = so.mapped_column()
    retired_at: so.Mapped[datetime | None] = so.mapped_column()

    texts: so.Mapped[list[ContentText]] = so.relationship(back_populates="version_row", cascade="all, delete-orphan",
                                                          order_by="ContentText.language")

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        for text in self.texts:
            if text.language == language:
                return text.source
        raise LookupError(f"{self.kind} {self.version} has no text in '{language}'")


class ContentText(db.Model):
    """The words of a version in one language, as the YAML file the product ships."""

    __tablename__ = "questionnaire_texts"

    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("questionnaire_versions.id", ondelete="CASCADE"),
                                                  primary_key=True)
    language: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.Text)

    version_row: so.Mapped[ContentVersion] = so.relationship(back_populates="texts")


class ContentChoice(db.Model):
    """The version new rounds get, for each kind. Without a row, the setting (QUESTIONNAIRE_VERSION) decides."""

    __tablename__ = "questionnaire_choices"

    kind: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    version: so.Mapped[str] = so.mapped_column(sa.String(20))
    chosen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class ContentAudit(db.Model):
    """Who did what to which version, and when. The name is kept as it was, should the account change."""

    __tablename__ = "questionnaire_audit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    version: so.Mapped[str] = so.mapped_column(sa.String(20))
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    # What an edit on the site changed, such as "ability.professional.1: owner's wording, title".
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(300))
