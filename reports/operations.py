"""Reading and sharing: the steps behind the report pages. They flush; the view commits.

Who facilitates whom is the facilitator package's (it sits above this one); reports asks through reports.hooks."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.operations import holds_duties_apart
from app.accounts.rules import ASSIGNING_ROLES
from app.extensions import db
from app.mail import queue_mail
from app.models import Role, User, UserRole
from app.timeutil import utcnow
from reports.access import read_capacity
from reports.hooks import LogLine, report_people
from reports.models import Report, ReportRead, ReportShare
from surveys.models import Cycle


def facilitator_of(owner_id: int) -> User | None:
    return report_people().facilitator_of(owner_id)


def report_for(cycle_id: int) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle_id))


def active_shares(report: Report) -> list[ReportShare]:
    return list(db.session.scalars(sa.select(ReportShare).where(ReportShare.report_id == report.id,
                                                                ReportShare.revoked_at.is_(None))))


def capacity(user: User, report: Report) -> str | None:
    facilitator = facilitator_of(report.cycle.owner_id)
    shared = {share.user_id for share in active_shares(report)}
    if user.id in shared and not holds_duties_apart(user):
        shared.discard(user.id)  # a local lead or administrator who was also a manager reads nothing (PRODUCT §1)
    return read_capacity(user.id, report.cycle.owner_id, facilitator.id if facilitator else None, shared,
                         held_from_owner=report_people().held_from_owner(report))


def record_read(report: Report, reader: User, as_: str, form: str) -> None:
    db.session.add(ReportRead(report_id=report.id, reader_id=reader.id, reader_name=reader.name,
                              capacity=as_, form=form))


def reads(report: Report) -> list[ReportRead]:
    return list(db.session.scalars(sa.select(ReportRead).where(ReportRead.report_id == report.id)
                                   .order_by(ReportRead.read_at.desc(), ReportRead.id.desc())))


SEARCH_LIMIT = 10


def _managers_of(owner: User) -> sa.Select[tuple[User]]:
    """Managers in the owner's own organisation, other than the owner, with an account in use: whom an owner may
    share a report or a development plan with."""
    assigning = sa.select(UserRole.user_id).where(UserRole.role.in_(ASSIGNING_ROLES))
    return (sa.select(User).join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.id != owner.id, User.is_active_account,
                   User.organisation_id == owner.organisation_id, User.id.not_in(assigning)))


def _shareable(owner: User, report: Report) -> sa.Select[tuple[User]]:
    """The owner's managers who cannot already read this report."""
    shared = sa.select(ReportShare.user_id).where(ReportShare.report_id == report.id,
                                                  ReportShare.revoked_at.is_(None))
    return _managers_of(owner).where(User.id.not_in(shared))


def shareable_manager(owner: User, report: Report, person_id: str) -> User | None:
    if not person_id.isdigit() or len(person_id) > 18:
        return None
    return db.session.scalar(_shareable(owner, report).where(User.id == int(person_id)))


def find_managers(owner: User, report: Report, query: str, limit: int = SEARCH_LIMIT) -> list[User]:
    """Managers the owner may share with whose name or email address contains `query`, in any case: at most
    `limit` of them (the owner narrows the search rather than reads the organisation's whole list)."""
    words = query.strip().lower()
    matches = sa.or_(sa.func.lower(User.name).contains(words, autoescape=True),
                     sa.func.lower(User.email).contains(words, autoescape=True))
    return list(db.session.scalars(_shareable(owner, report).where(matches).order_by(User.name, User.id)
                                   .limit(limit)))


def has_shareable_managers(owner: User, report: Report) -> bool:
    return db.session.scalar(sa.select(_shareable(owner, report).exists())) or False


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


def managers_for(owner: User) -> list[User]:
    """The people an owner may share a development plan with."""
    return list(db.session.scalars(_managers_of(owner).order_by(User.name)))



def share(report: Report, person: User) -> ReportShare:
    existing = db.session.scalar(sa.select(ReportShare).where(ReportShare.report_id == report.id,
                                                              ReportShare.user_id == person.id))
    if existing is None:
        existing = ReportShare(report_id=report.id, user_id=person.id)
        db.session.add(existing)
    existing.shared_at, existing.revoked_at = utcnow(), None
    db.session.flush()
    # The manager is told each time it is shared with them (again, after a revocation), once per sharing.
    queue_mail("report_shared", existing.id, f"report_shared:{existing.id}:{existing.shared_at.isoformat()}")
    return existing


def revoke(report_share: ReportShare) -> None:
    report_share.revoked_at = utcnow()
    db.session.flush()


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
