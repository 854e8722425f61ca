"""Building a report once a round has closed: figures, charts, the HTML and PDF from one template, sealed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup

from app.crypto import key_ring
from app.extensions import db
from app.mail import queue_mail
from reports import envelope
from reports.anonymity import RaterResponse
from reports.charts import area_chart, as_data_uri
from reports.figures import GAP_THRESHOLD, ReportData, build_report_data
from reports.models import Report
from surveys import cycle as rules
from surveys.cycle import CycleState
from surveys.models import Cycle, Response


def report_data(cycle: Cycle) -> ReportData:
    rows = db.session.scalars(sa.select(Response).where(Response.cycle_id == cycle.id)).all()
    responses = [RaterResponse(id=r.id, category=r.category, answers=r.answers, comments=r.comments or {})
                 for r in rows]
    self_answers = {k: v for k, v in (cycle.self_assessment.answers if cycle.self_assessment else {}).items()
                    if isinstance(v, int)}
    return build_report_data(cycle.questionnaire(), responses, self_answers)


def render_body(cycle: Cycle, data: ReportData) -> str:
    labels = [label for label, _ in data.groups]
    charts = {area.row.key: as_data_uri(area_chart(area, labels)) for area in data.areas}
    return render_template("reports/report_body.html", data=data, charts=charts, owner_name=cycle.owner.name,
                           closed_on=(cycle.closed_at or cycle.created_at).date(), gap_threshold=GAP_THRESHOLD,
                           open_questions=cycle.questionnaire().open_questions)


def pdf_filename(owner_name: str) -> str:
    """The download's name: the owner's name in any script, as one word of letters, digits and hyphens."""
    words = "".join(ch if ch.isalnum() else " " for ch in owner_name.lower()).split()
    return f"feedback-report-{'-'.join(words) or 'owner'}.pdf"


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, for the page footer's `content:`. CSS inside <style> is not HTML, so HTML
    escaping would print "&amp;" in the footer; instead every character that could end the string or the style
    element is written as a CSS escape."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,-_'" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def render_pdf(owner_name: str, body: str) -> bytes:
    from weasyprint import HTML  # heavy import: only the worker pays for it

    html = render_template("reports/report_pdf.html", owner_name=owner_name, body=body,
                           footer=css_string(f"Open360 – confidential to {owner_name}"))
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def build_report(cycle: Cycle) -> Report | None:
    """Build and seal the report for a closed round; None when there is nothing (more) to build."""
    if cycle.state is not CycleState.CLOSED:
        return None
    if db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id)) is not None:
        return None
    data = report_data(cycle)
    body = render_body(cycle, data)
    pdf = render_pdf(cycle.owner.name, body)
    report = Report(cycle=cycle)
    db.session.add(report)
    db.session.flush()  # the id is bound into every ciphertext
    data_key = envelope.new_data_key()
    report.wrapped_key = envelope.wrap_key(key_ring(), report.id, data_key)
    report.html_sealed = envelope.seal(data_key, report.id, "html", body.encode())
    report.pdf_sealed = envelope.seal(data_key, report.id, "pdf", pdf)
    cycle.state = rules.mark_report_ready(cycle.state)
    queue_mail("report_ready", cycle.id, f"report_ready:{cycle.id}")
    db.session.flush()
    return report


def open_part(report: Report, part: str) -> bytes:
    data_key = envelope.unwrap_key(key_ring(), report.id, report.wrapped_key)
    sealed = report.html_sealed if part == "html" else report.pdf_sealed
    return envelope.open_sealed(data_key, report.id, part, sealed)
