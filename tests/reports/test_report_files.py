"""A report's sealed PDFs live outside the database (reports/files.py): written once, sealed, and deleted with
their round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import User
from reports.build import pdf_for
from reports.files import FolderStore, file_name, report_files
from reports.models import Report
from surveys.models import Cycle
from surveys.rights import delete_round
from tests.fixtures.people import signed_in

SIZES = {"manager": 1, "peer": 3, "direct_report": 3}


def test_the_first_stored_wins_and_only_report_names_are_taken(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "files")
    assert store.read("report-1-pdf") is None and store.names() == set()
    store.write_once("report-1-pdf", b"first")
    store.write_once("report-1-pdf", b"second")
    assert store.read("report-1-pdf") == b"first"
    assert store.names() == {"report-1-pdf"}  # no temporary file left behind
    for name in ("../report-1-pdf", "report-1-pdf/../../x", "anything"):
        with pytest.raises(ValueError):
            store.read(name)
    store.delete(["report-1-pdf", "report-2-pdf"])
    assert store.names() == set()


def test_a_stored_pdf_is_sealed_and_is_deleted_with_its_round(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle]) -> None:
    cycle = create_closed_round(owner, SIZES, pdfs=True)
    report = db.session.scalars(sa.select(Report).where(Report.cycle_id == cycle.id)).one()
    pdf = pdf_for(report, "pdf")
    stored = report_files().read(file_name(report.id, "pdf"))
    assert pdf.startswith(b"%PDF") and stored is not None and b"%PDF" not in stored  # sealed, not the document
    assert signed_in(app, owner).get(f"/reports/{report.id}/pdf").data == pdf
    assert report_files().read(file_name(report.id, "pdf_reader")) is not None
    report_id = report.id
    delete_round(db.session.get(Cycle, cycle.id))
    assert report_files().read(file_name(report_id, "pdf")) is not None  # not before the deletion commits
    unit.commit()
    assert not {n for n in report_files().names() if n.startswith(f"report-{report_id}-")}


def test_a_file_left_by_a_deletion_that_died_before_its_files_went_is_deleted_when_a_worker_starts(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle]) -> None:
    """The files go after the deletion commits: a process that dies in between leaves sealed PDFs of a report the
    owner deleted, which a database backup from before and the master keys would still open, and whose names and
    sizes say it existed. A worker's start deletes every file whose report is gone, and no other."""
    from reports.jobs import enqueue_missing_builds

    cycle = create_closed_round(owner, SIZES, pdfs=True)
    kept = db.session.scalars(sa.select(Report).where(Report.cycle_id == cycle.id)).one()
    pdf_for(kept, "pdf")
    gone = kept.id + 1000
    report_files().write_once(file_name(gone, "pdf"), b"sealed bytes of a deleted report")
    enqueue_missing_builds()
    assert report_files().read(file_name(gone, "pdf")) is None
    assert report_files().read(file_name(kept.id, "pdf")) is not None
