"""Building a report once a round has closed: the figure table, checked, then sealed with the content.

The report's files are rendered from the sealed table and content by a job that runs right after the build: the
page's fixed body (reports/render.py `fixed_body`) and the PDF, one of each for the owner and one for anyone else
(the words differ, the figures never). The report is ready without waiting for WeasyPrint; a read that comes first
renders its file itself. Either way each file is rendered once and then kept sealed (reports/files.py).

`report_data` is the one function between stored responses and figures: everything after it sees responses only
as (category, answers, comments), in no particular order, with nothing that points back at a rater.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from defusedcsv import csv

from app.crypto import key_ring
from app.db import after_commit
from app.extensions import db
from app.mail import queue_mail
from reports import envelope, hooks
from reports.anonymity import RaterResponse
from reports.checker import Violation, check
from reports.content import ReportData, build_report_data
from reports.figures import Words, shown_rows_csv, view
from reports.files import file_name, report_files
from reports.hooks import RoundReadable, report_people, report_sections
from reports.models import Report
from reports.render import (
    fixed_body,
    pdf_filename,  # noqa: F401  (re-exported for callers)
    render_pdf,
    with_sections,
)
from surveys import cycle as rules
from surveys.cycle import CycleState
from surveys.models import Cycle, Response

PARTS = ("figures", "content")
PAGE_PARTS = ("page", "page_reader")
PDF_PARTS = ("pdf", "pdf_reader")
FILE_PARTS = PAGE_PARTS + PDF_PARTS  # in the order the job renders them: the pages take milliseconds, a PDF seconds


class ReportRefused(RuntimeError):
    """The figure table failed the check: the report is not sealed, and the round stays closed."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("the figure table fails the anonymity check:\n" + "\n".join(map(str, violations)))


def report_data(cycle: Cycle, *, rule_b: bool = True) -> ReportData:
    """`rule_b=False` builds what rule (a) alone would show: only the benchmarks ask for it, never a report."""
    rows = db.session.scalars(sa.select(Response).where(Response.cycle_id == cycle.id)).all()
    responses = [RaterResponse(category=r.category, answers=r.answers, comments=r.comments or {}) for r in rows]
    self_answers = dict(cycle.self_assessment.answers) if cycle.self_assessment else {}
    return build_report_data(cycle.questionnaire(), responses, self_answers, rule_b=rule_b)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def build_report(cycle: Cycle) -> Report | None:
    """Build and seal the report for a closed round; None when there is nothing (more) to build."""
    if cycle.state is not CycleState.CLOSED:
        return None
    if db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id)) is not None:
        return None
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(Response.cycle_id == cycle.id)):
        # Closed before a round with no response ended at closing: nothing to report, so it ends here instead.
        cycle.state = rules.end_without_report(cycle.state)
        db.session.flush()
        return None
    table, content = _checked_table_and_content(cycle)
    report = Report(cycle=cycle)
    db.session.add(report)
    db.session.flush()  # the id is bound into every ciphertext
    forget_files(report.id)  # SQLite may give a new report the id of one deleted: its files were sealed for that one
    data_key = envelope.new_data_key()
    report.wrapped_key = envelope.wrap_key(key_ring(), report.id, data_key)
    _seal_table_and_content(report, data_key, table, content)
    cycle.state = rules.mark_report_ready(cycle.state)
    queue_mail("report_ready", cycle.id, f"report_ready:{cycle.id}")
    if report_people().facilitator_of(cycle.owner_id) is not None:  # read it first and release it, or beside them
        queue_mail("report_ready_facilitator", cycle.id, f"report_ready_facilitator:{cycle.id}")
    db.session.flush()
    return report


def _checked_table_and_content(cycle: Cycle) -> tuple[dict[str, Any], dict[str, Any]]:
    data = report_data(cycle)
    table = data.table.to_json()
    violations = check(table)
    if violations:
        raise ReportRefused(violations)
    closed_on = (cycle.closed_at or cycle.created_at).date()
    return table, (data.content_json() | {"owner_name": cycle.owner.name, "closed_on": closed_on.isoformat()}
                   | hooks.content_additions(cycle, data))


def _seal_table_and_content(report: Report, data_key: bytes, table: dict[str, Any], content: dict[str, Any]) -> None:
    report.figures_sealed = envelope.seal(data_key, report.id, "figures", _dump(table))
    report.content_sealed = envelope.seal(data_key, report.id, "content", _dump(content))


def _seal_missing_table(report: Report) -> None:
    """A report built before figure tables were sealed (its sealed HTML is gone) gets its table and content from
    the round's stored responses, by the same rules and the same check, the first time it is opened."""
    if report.figures_sealed and report.content_sealed:
        return
    table, content = _checked_table_and_content(report.cycle)
    _seal_table_and_content(report, _data_key(report), table, content)
    db.session.flush()


def replace_content(report: Report, content: dict[str, Any]) -> None:
    """Seal the report's content again without what a package above added to it (followup's change since an
    earlier report, when that earlier round is deleted). The figure table is never touched; the files, rendered from
    the old content, go, to be rendered again from the new at their next read (a page's fixed body holds no section,
    so it would come out the same: it goes too, so that no file ever rests on content the report no longer has)."""
    report.content_sealed = envelope.seal(_data_key(report), report.id, "content", _dump(content))
    report_id = report.id
    forget_files(report_id)
    # And again once the new content is committed: until then a read or the worker renders a missing file from the
    # old content (the owner's PDF holds the change section), and would keep it for good.
    after_commit(lambda: forget_files(report_id))
    db.session.flush()


def _data_key(report: Report) -> bytes:
    return envelope.unwrap_key(key_ring(), report.id, report.wrapped_key)


def pdf_for(report: Report, part: str) -> bytes:
    """The owner's PDF ("pdf") or everyone else's ("pdf_reader"): the stored one, or rendered now from the sealed
    table and content and stored, sealed (reports/files.py). Two renders at once (the job and an early download)
    are harmless: the first stored wins and both are the same document."""
    if part not in PDF_PARTS:
        raise ValueError(f"a report has no PDF {part!r}")

    def render() -> bytes:
        data, content = sealed_data(report)
        return render_pdf(data, content, Words(is_owner=part == "pdf", name=content["owner_name"]),
                          owner_reads_round=_owner_reads_round)

    return _stored_or_rendered(report, _data_key(report), part, render)


def _owner_reads_round(cycle_id: int) -> bool:
    """Whether the owner may read that round's report, as the report page asks (reports.views._reads_round): it
    exists and is not held from them for their facilitator to release. A PDF rendered while it is held leaves the
    section out for good, the safe way round."""
    other = db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle_id))
    return other is not None and not report_people().held_from_owner(other)


def page_for(report: Report, is_owner: bool, may_read_round: RoundReadable) -> tuple[str, list[bytes]]:
    """The owner's name and the page's body for this reader, as pieces of UTF-8 (reports.render.with_sections):
    the stored fixed body for the owner ("page") or for anyone else ("page_reader"), or rendered now and stored, as
    `pdf_for` does, with the sections this reader may see put in. Decrypted for this request only: nothing
    readable is kept after it."""
    data_key = _data_key(report)
    content = _content(report, data_key)
    words = Words(is_owner=is_owner, name=content["owner_name"])
    body = _fixed_page(report, data_key, content, words)
    return content["owner_name"], with_sections(body, report_sections(content, words, False, may_read_round))


def _content(report: Report, data_key: bytes) -> dict[str, Any]:
    _seal_missing_table(report)
    return json.loads(envelope.open_sealed(data_key, report.id, "content", report.content_sealed))


def _fixed_page(report: Report, data_key: bytes, content: dict[str, Any], words: Words) -> bytes:
    def render() -> bytes:
        return fixed_body(ReportData.from_json(figure_table(report), content), content, words).encode()

    return _stored_or_rendered(report, data_key, PAGE_PARTS[0] if words.is_owner else PAGE_PARTS[1], render)


def _stored_or_rendered(report: Report, data_key: bytes, part: str, render: Callable[[], bytes]) -> bytes:
    store, name = report_files(), file_name(report.id, part)
    stored = store.read(name)
    if stored is not None:
        return envelope.open_sealed(data_key, report.id, part, stored)
    rendered = render()
    store.write_once(name, envelope.seal(data_key, report.id, part, rendered))
    return rendered


def render_missing_files(report: Report, stored: set[str]) -> int:
    """Render and store the files of this report not among the stored names (the job after the build, and after
    the worker's start): the pages first, then the PDFs. How many it rendered."""
    missing = missing_files(report.id, stored)
    for part in missing:
        if part in PDF_PARTS:
            pdf_for(report, part)
            continue
        data_key = _data_key(report)
        content = _content(report, data_key)
        _fixed_page(report, data_key, content, Words(is_owner=part == PAGE_PARTS[0], name=content["owner_name"]))
    return len(missing)


def missing_files(report_id: int, stored: set[str]) -> list[str]:
    """The parts of this report (pages and PDFs) not among the stored names."""
    return [part for part in FILE_PARTS if file_name(report_id, part) not in stored]


def forget_files(*report_ids: int) -> None:
    """Delete these reports' stored files, pages and PDFs (a report deleted, or its content sealed anew)."""
    report_files().delete(file_name(report_id, part) for report_id in report_ids for part in FILE_PARTS)


def open_part(report: Report, part: str) -> bytes:
    """One sealed part in the row: "figures" and "content" (JSON)."""
    if part not in PARTS:
        raise ValueError(f"a report has no part {part!r}")
    return envelope.open_sealed(_data_key(report), report.id, part, getattr(report, f"{part}_sealed"))


def figure_table(report: Report) -> dict[str, Any]:
    """The sealed figure table, as JSON data: what `flask reports figures` prints and the owner may download."""
    _seal_missing_table(report)
    return json.loads(open_part(report, "figures"))


def figures_csv(report: Report) -> bytes:
    """The owner's table of shown figures as CSV (their download and their export); cells a spreadsheet would run
    as a formula are escaped by defusedcsv. Hidden figures are not in it: the owner sees what the report shows."""
    data, _ = sealed_data(report)
    out = io.StringIO()
    csv.writer(out).writerows(shown_rows_csv(view(data.table, data.layout)))
    return out.getvalue().encode()


def sealed_data(report: Report) -> tuple[ReportData, dict[str, Any]]:
    _seal_missing_table(report)
    content = json.loads(open_part(report, "content"))
    return ReportData.from_json(figure_table(report), content), content
