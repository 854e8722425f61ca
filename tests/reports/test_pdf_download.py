"""The PDF download for any owner's name: an RFC 6266/5987 filename, a footer that prints the name as written, and a
read logged only for a download that was served."""

from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from app.extensions import db
from app.models import Role, User
from reports.build import pdf_filename
from reports.models import Report, ReportRead
from surveys.models import Cycle
from tests.fixtures.people import signed_in

# Latin-2 and markup characters (the machine has no CJK font, so a name in 王 would print as boxes in the PDF:
# its filename is tested below).
NAME = "Łódź O'Brien & \"Sons\" <b>"


def test_an_owner_named_outside_latin_1_downloads_their_pdf_and_one_read_is_logged(
        app: Flask, create_user: Callable[..., User], create_closed_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER, name=NAME, email="lodz@trust.example")
    cycle = create_closed_round(owner, {"manager": 1, "peer": 3})
    report = db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))
    client = signed_in(app, owner)

    response = client.get(f"/reports/{report.id}/pdf")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a WSGI server can send it at all
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''feedback-report-%C5%82%C3%B3d%C5%BA-o-brien-sons-b.pdf" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    assert [(r.form, r.reader_name) for r in db.session.scalars(sa.select(ReportRead))] == [("pdf", NAME)]

    footer = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert f"confidential to {NAME}" in footer
    assert "&amp;" not in footer and "&#39;" not in footer and "&#34;" not in footer


def test_a_download_name_is_one_word_in_any_script() -> None:
    assert pdf_filename("Olivia Owner") == "feedback-report-olivia-owner.pdf"
    assert pdf_filename("王 小明") == "feedback-report-王-小明.pdf"
    assert pdf_filename("../../etc/passwd") == "feedback-report-etc-passwd.pdf"
    assert pdf_filename("  ") == "feedback-report-owner.pdf"
