"""Where questionnaire and prompt versions come from, and what an administrator does to them (PRODUCT §2.3, §6).

The YAML files shipped in surveys/questionnaires and facilitator/prompts seed the database: the first time an
administrator opens the versions page, any shipped version the database lacks is stored as published. Until then,
and outside a request, a shipped version is read from its file, so rounds pinned to it keep working either way.

Operations flush and never commit; every one writes a line to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context

from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from surveys.questionnaire_models import ContentAudit, ContentChoice, ContentText, ContentVersion
from surveys.questionnaire_rules import (
    DEFAULT_LANGUAGE,
    Status,
    refusal_to_choose,
    refusal_to_discard,
    refusal_to_publish,
    refusal_to_retire,
)


@dataclass(frozen=True)
class Kind:
    """A kind of versioned content. The package that owns it registers it (prompts belong to facilitator/)."""

    name: str  # "questionnaire" or "prompts"
    label: str  # as the page names it, "Questionnaire"
    setting: str  # the setting that names the version new rounds get until an administrator chooses one
    file_name: Callable[[str], str]  # version → the shipped file's name
    shipped: Callable[[], dict[str, Path]]  # version → path of each shipped file
    check: Callable[[str, list[str]], Any]  # (YAML text, versions taken) → the checked content, or UploadError
    pinned_to_rounds: bool  # whether a round records the version it started with
    edit_endpoint: str | None = None  # the page that edits a draft of this kind on the site, given its version_id


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    KINDS[kind.name] = kind


class VersionError(ValueError):
    """An action on a version that its state forbids; the message says why, for the page."""


def published_text(kind: str, version: str, error: type[Exception]) -> str | None:
    """A published or retired version's English text from the database; None outside an app or where it is not
    stored (its shipped file serves). A draft raises `error`: no round, rater or facilitator is ever given one."""
    if not has_app_context():
        return None
    row = db.session.scalar(sa.select(ContentVersion).where(ContentVersion.kind == kind,
                                                            ContentVersion.version == version))
    if row is None:
        return None
    if row.status is Status.DRAFT:
        raise error(f"{KINDS[kind].file_name(version) if kind in KINDS else version}: version '{version}' is a "
                    "draft, not yet published")
    return row.text()


def chosen_version(kind: str) -> str:
    """The version new rounds get."""
    choice = db.session.get(ContentChoice, kind)
    return choice.version if choice else str(current_app.config[KINDS[kind].setting])


def seed_shipped() -> int:
    """Store every shipped version the database lacks, as published. Returns how many were added. The versions
    page, upload and download call it: the first look stores the shipped files, and any shipped since."""
    added = 0
    for kind in KINDS.values():
        have = set(db.session.scalars(sa.select(ContentVersion.version).where(ContentVersion.kind == kind.name)))
        for version, path in kind.shipped().items():
            if version not in have:
                db.session.add(ContentVersion(kind=kind.name, version=version, status=Status.PUBLISHED,
                                              published_at=utcnow(), texts=[ContentText(
                                                  language=DEFAULT_LANGUAGE,
                                                  source=path.read_text(encoding="utf-8"))]))
                added += 1
    db.session.flush()
    return added


@dataclass(frozen=True)
class Listed:
    row: ContentVersion
    rounds: int | None  # rounds pinned to it; None where rounds are not pinned to this kind
    is_chosen: bool


def listing(kind: Kind) -> list[Listed]:
    """Every stored version of a kind, newest first, with how many rounds use it."""
    from surveys.models import Cycle

    rows = db.session.scalars(sa.select(ContentVersion).where(ContentVersion.kind == kind.name)
                              .order_by(ContentVersion.created_at.desc(), ContentVersion.id.desc())).all()
    counts: dict[str, int] = {}
    if kind.pinned_to_rounds:
        counts = dict(db.session.execute(sa.select(Cycle.questionnaire_version, sa.func.count())  # type: ignore[arg-type]
                                         .group_by(Cycle.questionnaire_version)).all())
    chosen = chosen_version(kind.name)
    return [Listed(row, counts.get(row.version, 0) if kind.pinned_to_rounds else None, row.version == chosen)
            for row in rows]


def audit_log(limit: int = 500) -> list[ContentAudit]:
    return list(db.session.scalars(sa.select(ContentAudit).order_by(ContentAudit.at.desc(), ContentAudit.id.desc())
                                   .limit(limit)))


def _record(actor: User, kind: str, version: str, action: str, detail: str | None = None) -> None:
    db.session.add(ContentAudit(user_id=actor.id, user_name=actor.name, kind=kind, version=version, action=action,
                                detail=detail[:300] if detail else None))


def taken_versions(kind: Kind) -> list[str]:
    """Every version number a new draft may not take: stored ones of any status, and shipped ones."""
    return [*db.session.scalars(sa.select(ContentVersion.version).where(ContentVersion.kind == kind.name)),
            *kind.shipped()]


def upload_draft(kind: Kind, text: str, actor: User) -> ContentVersion:
    """A new draft from an uploaded YAML file, checked as the shipped files are (UploadError names the lines)."""
    seed_shipped()  # so that the shipped versions are listed beside it
    content = kind.check(text, taken_versions(kind))
    row = ContentVersion(kind=kind.name, version=content.version, status=Status.DRAFT,
                         texts=[ContentText(language=DEFAULT_LANGUAGE, source=text)])
    db.session.add(row)
    _record(actor, kind.name, row.version, "Uploaded as a draft")
    db.session.flush()
    return row


def start_draft(source: ContentVersion, version: str, actor: User) -> ContentVersion:
    """A new draft with the words of `source` (any status) under a new number, checked as an upload is. Every text of
    the source is copied, each language under the same new number."""
    from surveys.questionnaire_edit_rules import with_version

    kind = KINDS[source.kind]
    texts = {text.language: with_version(text.source, version) for text in source.texts}
    kind.check(texts[DEFAULT_LANGUAGE], taken_versions(kind))  # UploadError if the number is taken or malformed
    row = ContentVersion(kind=kind.name, version=version, status=Status.DRAFT,
                         texts=[ContentText(language=language, source=text) for language, text in texts.items()])
    db.session.add(row)
    _record(actor, kind.name, version, f"Draft started from {source.version}")
    db.session.flush()
    return row


def save_edit(row: ContentVersion, text: str, actor: User, action: str, detail: str,
              language: str = DEFAULT_LANGUAGE) -> None:
    """A draft's words after an edit on the site, stored as its file; the caller has checked them."""
    from surveys.questionnaire_edit_rules import refusal_to_edit

    _refuse(refusal_to_edit(row.status))
    for stored in row.texts:
        if stored.language == language:
            stored.source = text
            break
    else:
        row.texts.append(ContentText(language=language, source=text))
    _record(actor, row.kind, row.version, action, detail)
    db.session.flush()


def _refuse(reason: str | None) -> None:
    if reason:
        raise VersionError(reason)


def publish(row: ContentVersion, actor: User) -> None:
    _refuse(refusal_to_publish(row.status))
    row.status, row.published_at = Status.PUBLISHED, utcnow()
    _record(actor, row.kind, row.version, "Published")
    db.session.flush()


def retire(row: ContentVersion, actor: User) -> None:
    _refuse(refusal_to_retire(row.status, chosen_version(row.kind) == row.version))
    row.status, row.retired_at = Status.RETIRED, utcnow()
    _record(actor, row.kind, row.version, "Retired for new rounds")
    db.session.flush()


def choose(row: ContentVersion, actor: User) -> None:
    _refuse(refusal_to_choose(row.status))
    choice = db.session.get(ContentChoice, row.kind)
    if choice is None:
        db.session.add(ContentChoice(kind=row.kind, version=row.version, chosen_at=utcnow()))
    else:
        choice.version, choice.chosen_at = row.version, utcnow()
    _record(actor, row.kind, row.version, "Chosen for new rounds")
    db.session.flush()


def discard(row: ContentVersion, actor: User) -> None:
    _refuse(refusal_to_discard(row.status))
    _record(actor, row.kind, row.version, "Draft deleted")
    db.session.delete(row)
    db.session.flush()


def record_download(row: ContentVersion, actor: User) -> None:
    _record(actor, row.kind, row.version, "Downloaded")
    db.session.flush()
