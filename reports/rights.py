"""What the owner's export holds of their reports: each report's PDF and table of figures, who it was shared with
and every read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from app.db import after_commit
from app.extensions import db
from app.mail import forget_mails
from app.models import User
from app.owner_data import ExportPart, iso
from reports.build import figures_csv, forget_files, pdf_for
from reports.models import Report, ReportRead, ReportShare
from surveys.models import Cycle


def _reports(owner: User) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).join(Cycle).where(Cycle.owner_id == owner.id)
                                   .order_by(Report.built_at)))


def _pdf_name(report: Report) -> str:
    return f"reports/round-{report.cycle_id}-report.pdf"


def _figures_name(report: Report) -> str:
    return f"reports/round-{report.cycle_id}-figures.csv"


def _report(report: Report) -> dict[str, Any]:
    shares = db.session.scalars(sa.select(ReportShare).where(ReportShare.report_id == report.id)
                                .order_by(ReportShare.shared_at))
    reads = db.session.scalars(sa.select(ReportRead).where(ReportRead.report_id == report.id)
                               .order_by(ReportRead.read_at, ReportRead.id))
    return {"round_id": report.cycle_id, "built_at": iso(report.built_at), "pdf": _pdf_name(report),
            "figures": _figures_name(report),
            "shared_with": [{"name": s.user.name, "shared_at": iso(s.shared_at), "revoked_at": iso(s.revoked_at)}
                            for s in shares],
            "reads": [{"reader": r.reader_name, "as": r.capacity, "form": r.form, "read_at": iso(r.read_at)}
                      for r in reads]}


def _files(owner: User) -> Iterator[tuple[str, bytes]]:
    for report in _reports(owner):
        yield _pdf_name(report), pdf_for(report, "pdf")
        yield _figures_name(report), figures_csv(report)


EXPORT = ExportPart(
    key="reports", description="your feedback reports, with who they were shared with and every read",
    fields={"round_id": "the round the report belongs to (see rounds)", "built_at": "when it was built",
            "pdf": "the report itself, a file in this ZIP",
            "figures": "the report's table of figures (each shown average and its number of answers), a CSV file in "
                       "this ZIP",
            "shared_with": "people you shared it with: name, shared_at, revoked_at (empty while still shared)",
            "reads": "every read: reader, as (owner, facilitator or shared), form (page, pdf or csv), read_at"},
    collect=lambda owner: [_report(r) for r in _reports(owner)], files=_files)


def forget_round_mail(cycle: Cycle) -> None:
    """Mail about sharing the round's report is claimed with the share's id; the shares go by cascade."""
    share_ids = list(db.session.scalars(sa.select(ReportShare.id).join(Report)
                                        .where(Report.cycle_id == cycle.id)))
    for share_id in share_ids:
        forget_mails(("report_shared",), share_id)


def forget_round_files(cycle: Cycle) -> None:
    """The report's pages and PDFs are files outside the database (reports/files.py): deleted once the round's
    deletion has committed (a deletion rolled back keeps its report; a file deleted early would be rendered again
    anyway)."""
    report_id = db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id))
    if report_id is not None:
        after_commit(lambda: forget_files(report_id))


def what_round_deletion_removes(cycle: Cycle) -> list[str]:
    if db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id)) is None:
        return []
    return ["the report, its PDF and table of figures, who it was shared with and the record of who read it"]
