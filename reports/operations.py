"""Reading and sharing: the steps behind the report pages. They flush; the view commits.

Who facilitates whom is the facilitator package's (it sits above this one); reports asks through reports.hooks."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.accounts.operations import holds_duties_apart
from app.extensions import db
from app.models import Role, User, UserRole
from reports import sharing
from reports.access import read_capacity
from reports.hooks import LogLine, report_people
from reports.models import Report, ReportRead, ReportShare
from reports.read_log import GroupCommit, Row
from surveys.models import Cycle


def facilitator_of(owner_id: int) -> User | None:
    return report_people().facilitator_of(owner_id)


def report_for(cycle_id: int) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle_id))


def active_shares(report: Report) -> list[ReportShare]:
    return list(db.session.scalars(sa.select(ReportShare).where(ReportShare.report_id == report.id,
                                                                ReportShare.revoked_at.is_(None))))


def capacity(user: User, report: Report) -> str | None:
    owner_id = report.cycle.owner_id

    def facilitator_id() -> int | None:
        facilitator = facilitator_of(owner_id)
        return facilitator.id if facilitator else None

    def shared_with() -> set[int]:
        shared = set(db.session.scalars(_readers(report)))
        if user.id in shared and not holds_duties_apart(user):
            shared.discard(user.id)  # a local lead or administrator who was also a manager reads nothing (PRODUCT §1)
        return shared

    return read_capacity(user.id, owner_id, facilitator_id, shared_with,
                         held_from_owner=lambda: report_people().held_from_owner(report))


# The read log's row, by one INSERT built once and sent past the ORM's unit of work (an object to track, a flush to
# plan, then the same INSERT: that was two thirds of logging a read). `read_at` is the column's own default
# (utcnow), applied by Core as by the ORM.
_LOG_READ = sa.insert(ReportRead.__table__)
_GROUPS = "open360_report_reads"


def read_log_entry(report: Report, reader: User, as_: str, form: str) -> Row:
    """One read of the report, as the read log's row holds it."""
    return {"report_id": report.id, "reader_id": reader.id, "reader_name": reader.name, "capacity": as_, "form": form}


def log_read(read: Row) -> None:
    """The read, committed before this returns, with the reads of other requests waiting at the same time
    (reports/read_log.py); NotCommitted if it could not be. Only once the session's own writes are committed: on
    SQLite the session would otherwise hold the one writer's place this waits for."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    groups = app.extensions.get(_GROUPS) or app.extensions.setdefault(_GROUPS, GroupCommit(_LOG_READ, db.engine))
    groups.write(read)


def reads(report: Report) -> list[ReportRead]:
    return list(db.session.scalars(sa.select(ReportRead).where(ReportRead.report_id == report.id)
                                   .order_by(ReportRead.read_at.desc(), ReportRead.id.desc())))


SEARCH_LIMIT = sharing.SEARCH_LIMIT


def _readers(report: Report) -> sa.Select[tuple[int]]:
    return sa.select(ReportShare.user_id).where(ReportShare.report_id == report.id, ReportShare.revoked_at.is_(None))


def shareable_manager(owner: User, report: Report, person_id: str) -> User | None:
    return sharing.pick(owner, _readers(report), person_id)


def find_managers(owner: User, report: Report, query: str, limit: int = SEARCH_LIMIT) -> list[User]:
    return sharing.find(owner, _readers(report), query, limit)


def has_shareable_managers(owner: User, report: Report) -> bool:
    return sharing.any_left(owner, _readers(report))


def read_log(report: Report) -> list[LogLine]:
    """Every read of the report, and what other packages add (reads of the Preparation Document, the release),
    newest first, in the owner's words."""
    words = {"pdf": "Downloaded the PDF", "csv": "Downloaded the figures (CSV)"}
    lines = [LogLine(r.read_at, _reader(r), words.get(r.form, "Read the page"))
             for r in reads(report)]
    return sorted([*lines, *report_people().read_log(report)], key=lambda line: line.at, reverse=True)


def _reader(read: ReportRead) -> str:
    if read.capacity == "owner":
        return "You"
    return read.reader_name + (" (facilitator)" if read.capacity == "facilitator" else "")


def share(report: Report, person: User) -> ReportShare:
    return sharing.share(ReportShare, {"report_id": report.id}, person, "report_shared")


def revoke(report_share: ReportShare) -> None:
    sharing.revoke(report_share)


def readable_reports(user: User) -> list[tuple[Report, str]]:
    """Reports this person may read other than their own: as facilitator, or shared with them."""
    assigned = list(report_people().owners_of(user.id))
    shared = sa.select(ReportShare.report_id).where(ReportShare.user_id == user.id, ReportShare.revoked_at.is_(None))
    rows = db.session.scalars(sa.select(Report).join(Cycle).where(
        sa.or_(Cycle.owner_id.in_(assigned), Report.id.in_(shared))).order_by(Report.built_at.desc())).all()
    return [(report, capacity(user, report) or "") for report in rows]


def people_with_role(organisation_id: int, role: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(UserRole).where(
        UserRole.role == role, User.organisation_id == organisation_id).order_by(User.name)))
