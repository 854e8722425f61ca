"""Closing a round builds its report once, sealed; only the right people can read it, and every read is logged."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from app import db as unit
from app.crypto import key_ring
from app.extensions import db
from app.models import Role, User
from facilitator.operations import assign as assign_facilitator
from reports import envelope
from reports.build import ReportRefused, build_report, figure_table, forget_files, pdf_for
from reports.checker import Violation, check
from reports.files import report_files
from reports.models import Report, ReportRead
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.models import Cycle, Response
from tests.conftest import csrf_from, post_form
from tests.fixtures.answers import COMMENT
from tests.fixtures.insider import database_bytes
from tests.fixtures.keys import rotate_to_a_new_key
from tests.fixtures.pdfua import assert_pdfua
from tests.fixtures.people import signed_in

SIZES = {"manager": 1, "peer": 2, "direct_report": 4, "other": 1}


@pytest.fixture
def closed(owner: User, create_closed_round: Callable[..., Cycle]) -> Cycle:
    return create_closed_round(owner, SIZES)


def _report(cycle: Cycle) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))


def _page(app: Flask, user: User, report: Report, path: str = "") -> str:
    response = signed_in(app, user).get(f"/reports/{report.id}{path}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_closing_builds_the_report_and_marks_the_round_ready(app: Flask, closed: Cycle, owner: User) -> None:
    db.session.refresh(closed)
    assert closed.state is CycleState.REPORT_READY
    html = _page(app, owner, _report(closed))
    assert "Feedback report for Olivia Owner" in html and "At a glance" in html
    assert "Peers + Others" in html and COMMENT in html
    # The manager's figures rest on one answer each: "(1 answer)", never "(1 answers)".
    assert '(1<span class="nhsuk-u-visually-hidden"> answer</span>)' in html
    assert '(1<span class="nhsuk-u-visually-hidden"> answers' not in html
    assert pdf_for(_report(closed), "pdf").startswith(b"%PDF")
    assert check(figure_table(_report(closed))) == []


def _pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_says_what_the_page_says_laid_out_not_as_markup(closed: Cycle) -> None:
    pdf, text = _pdf_text(pdf_for(_report(closed), "pdf"))
    assert "Feedback report for Olivia Owner" in text and "At a glance" in text and "Peers + Others" in text
    assert "<h1" not in text and "data:image" not in text
    assert 4 <= len(pdf.pages) <= 20  # one page per area and the summaries; never thousands of lines of source
    first = pdf.pages[0].extract_text()
    assert "Page 1 of" in first and "Rated highest by others" in first and "Largest blind spots" in first


def test_the_words_suit_the_reader_you_for_the_owner_the_name_for_anyone_else(
        app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    unit.commit()
    report = _report(closed)
    mine, theirs = _page(app, owner, report), _page(app, facilitator, report)
    assert "Where your view and others’ differ" in mine and "Olivia Owner’s view" not in mine
    assert "Where Olivia Owner’s view and others’ differ" in theirs and "your view" not in theirs
    assert "you rated yourself" not in theirs.lower()
    _, owner_pdf = _pdf_text(pdf_for(report, "pdf"))
    _, reader_pdf = _pdf_text(pdf_for(report, "pdf_reader"))
    assert "your view" in owner_pdf and "Olivia Owner’s view" in reader_pdf and "your view" not in reader_pdf
    assert signed_in(app, facilitator).get(f"/reports/{report.id}/pdf").data == pdf_for(report, "pdf_reader")


def test_both_pdfs_pass_pdf_ua_1_with_scoped_headers_tagged_lists_and_the_footer_an_artifact(
        closed: Cycle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pdfua import Severity, validate

    for part in ("pdf", "pdf_reader"):
        pdf = pdf_for(_report(closed), part)
        found = assert_pdfua(pdf)  # the `page` validator (veraPDF corpus), profile ua1: 0 failures
        assert {"/Column", "/Row"} <= set(found.scopes)
        assert ["/Lbl", "/LBody"] in found.items  # At a glance's summary list: one item per row
        path = tmp_path / f"{part}.pdf"
        path.write_bytes(pdf)
        problems = [(f.rule_id, f.message) for f in validate(str(path)).findings if f.severity >= Severity.WARNING]
        assert not problems, problems


def test_the_owner_downloads_the_shown_figures_as_csv(app: Flask, closed: Cycle, owner: User,
                                                      create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    response = signed_in(app, owner).get(f"/reports/{report.id}/figures.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == ["Measure", "Key", "Title", "Audience", "Average", "Answers"]
    table = figure_table(report)
    shown = [f for f in table["figures"] if f["value"] is not None]
    assert len(lines) - 1 == len(shown)
    assert all(len(line[4]) == 3 for line in lines[1:])  # one decimal, never finer
    facilitator = create_user(Role.FACILITATOR)
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    unit.commit()
    assert signed_in(app, facilitator).get(f"/reports/{report.id}/figures.csv").status_code in (403, 404)


def test_verify_and_figures_commands_read_the_sealed_table(app: Flask, closed: Cycle) -> None:
    report = _report(closed)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "verify", str(report.id)])
    assert result.exit_code == 0 and f"Report {report.id}: passes" in result.output, result.output
    assert runner.invoke(args=["reports", "verify"]).exit_code == 0
    printed = json.loads(runner.invoke(args=["reports", "figures", str(report.id), "--json"]).output)
    assert set(printed) == {"groups", "withheld", "figures"}
    assert set(printed["groups"][0]) == {"label", "categories", "responses"}
    assert {tuple(sorted(f)) for f in printed["figures"]} == {
        ("answers", "audience", "hidden", "key", "measure", "reason", "value")}
    assert {f["measure"] for f in printed["figures"]} == {"statement", "sub_area", "area"}

    # A table tampered with after sealing (a hidden figure given back its value) fails, and says where.
    hidden = next(f for f in printed["figures"] if f["hidden"] and f["reason"] == "too_few")
    hidden |= {"value": 4.0, "answers": 1, "hidden": False, "reason": None}
    data_key = envelope.unwrap_key(key_ring(), report.id, report.wrapped_key)
    report.figures_sealed = envelope.seal(data_key, report.id, "figures", json.dumps(printed).encode())
    unit.commit()
    result = runner.invoke(args=["reports", "verify", str(report.id)])
    assert result.exit_code == 1 and "too_few" in result.output and hidden["key"] in result.output, result.output
    assert runner.invoke(args=["reports", "figures", "999999"]).exit_code != 0


def test_the_build_refuses_to_seal_a_table_the_checker_rejects(
        owner: User, create_round: Callable[..., Cycle], monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import build

    cycle = create_round(owner, [("M", "m@trust.example", "manager")])
    cycle.state = CycleState.CLOSED
    db.session.add(Response(cycle.id, Category.MANAGER, {}, {}))  # a round with no response ends without a build
    monkeypatch.setattr(build, "check", lambda table: [Violation("too_few", "statement", "k", "Peers", "1")])
    with pytest.raises(ReportRefused, match="too_few"):
        build_report(cycle)
    assert _report(cycle) is None


def test_a_report_is_never_rebuilt(closed: Cycle) -> None:
    report = _report(closed)
    closed.state = CycleState.CLOSED  # even if someone forced the state back
    assert build_report(closed) is None
    unit.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    assert _report(closed).id == report.id


def test_nothing_readable_is_stored_and_no_master_key_is_in_the_database(app: Flask, closed: Cycle) -> None:
    raw = database_bytes(app)
    assert COMMENT.encode() not in raw
    assert b"Feedback report for" not in raw and b"%PDF" not in raw
    for key in app.config["MASTER_KEYS"].values():
        assert key not in raw and base64.urlsafe_b64encode(key).rstrip(b"=") not in raw




def test_sharing_with_a_manager_is_revocable(app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    manager = create_user(Role.MANAGER, name="Mo Manager", email="mo.manager@trust.example")
    owner_client = signed_in(app, owner)
    response = post_form(owner_client, f"/reports/{report.id}/sharing", {"person": str(manager.id)},
                         page=f"/reports/{report.id}/sharing?q=mo")
    assert response.status_code == 302
    manager_client = signed_in(app, manager)
    assert manager_client.get(f"/reports/{report.id}").status_code == 200
    assert "Olivia Owner" in manager_client.get("/reports").get_data(as_text=True)

    page = owner_client.get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    share_id = db.session.scalar(sa.text("SELECT id FROM report_shares"))
    owner_client.post(f"/reports/{report.id}/sharing/{share_id}/stop", data={"revoke-csrf_token": csrf_from(page)})
    assert manager_client.get(f"/reports/{report.id}").status_code == 404


def test_every_read_is_logged_and_the_owner_sees_it(app: Flask, closed: Cycle, owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    report = _report(closed)
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    unit.commit()
    signed_in(app, facilitator).get(f"/reports/{report.id}")
    pdf = signed_in(app, facilitator).get(f"/reports/{report.id}/pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reads = db.session.scalars(sa.select(ReportRead)).all()
    assert [(r.reader_name, r.capacity, r.form) for r in reads] == [
        ("Fay Facilitator", "facilitator", "page"), ("Fay Facilitator", "facilitator", "pdf")]
    page = signed_in(app, owner).get(f"/reports/{report.id}/sharing").get_data(as_text=True)
    assert "Fay Facilitator (facilitator)" in page and "Downloaded the PDF" in page


def test_master_keys_rotate_while_reports_stay_readable(app: Flask, closed: Cycle) -> None:
    report_id = _report(closed).id
    new = rotate_to_a_new_key(app)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "Re-wrapped 1 of 1" in result.output, result.output
    db.session.remove()
    app.extensions["open360_key_ring"] = new  # the old key can now be removed
    assert check(figure_table(db.session.get(Report, report_id))) == []
    assert pdf_for(db.session.get(Report, report_id), "pdf").startswith(b"%PDF")
    comments = [r.comments for r in db.session.scalars(sa.select(Response))]
    assert any(COMMENT in text for c in comments for text in c.values())


def _stored(report: Report) -> set[str]:
    return {name.split("-", 2)[2] for name in report_files().names() if name.startswith(f"report-{report.id}-")}


def test_the_report_is_ready_before_its_files_and_each_file_is_rendered_once(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle]) -> None:
    from reports.jobs import render_pdfs_job

    report = _report(create_closed_round(owner, SIZES, pdfs=True))
    # The job after the build rendered the page's two fixed bodies and the two PDFs (owner's, everyone else's).
    assert _stored(report) == {"page", "page_reader", "pdf", "pdf_reader"}
    forget_files(report.id)  # as between the build and that job
    assert _stored(report) == set()
    response = signed_in(app, owner).get(f"/reports/{report.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    page = _article(_page(app, owner, report))
    assert _stored(report) == {"page", "pdf"}  # the early reads rendered and stored their own
    assert render_pdfs_job(report.id) == "rendered 2 files"
    assert render_pdfs_job(report.id) == "rendered 0 files"
    assert signed_in(app, owner).get(f"/reports/{report.id}/pdf").data == pdf_for(report, "pdf")
    assert _article(_page(app, owner, report)) == page


def _article(html: str) -> str:
    return html[html.index('<article class="app-report"'):html.index("</article>")]


def test_a_report_built_before_figure_tables_were_sealed_opens_with_the_same_figures(app: Flask, closed: Cycle,
                                                                                     owner: User) -> None:
    report = _report(closed)
    sealed = figure_table(report)
    db.session.execute(sa.update(Report).where(Report.id == report.id).values(figures_sealed=b"", content_sealed=b""))
    unit.commit()
    forget_files(report.id)
    db.session.expire(report)
    html = _page(app, owner, report)
    assert "At a glance" in html and COMMENT in html
    db.session.expire(report)
    assert report.figures_sealed and figure_table(report) == sealed and check(sealed) == []
    assert pdf_for(report, "pdf_reader").startswith(b"%PDF")
