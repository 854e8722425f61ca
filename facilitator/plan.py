"""The personal development plan: one template for the HTML page and the PDF/UA (WeasyPrint)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from facilitator import operations, rules
from facilitator.models import Summary
from reports.render import css_string
from surveys.models import Cycle


def body(cycle: Cycle, summary: Summary, capacity: str) -> Markup:
    return Markup(render_template(
        "facilitator/plan_body.html", cycle=cycle, summary=summary, terms=rules.TERMS,
        progress=operations.progress_of(cycle), you=capacity == "owner", owner_name=cycle.owner.name,
        reviews=rules.review_dates(summary.agreed_at.date()) if summary.agreed_at else []))


def pdf(cycle: Cycle, summary: Summary, capacity: str) -> bytes:
    from app.pdf import write_pdf  # heavy imports (WeasyPrint, pikepdf): only a PDF's maker pays for them

    # The footer is CSS, not HTML: written as a CSS string, so a name like "A & B" prints as typed (reports.render).
    html = render_template("facilitator/plan_pdf.html", owner_name=cycle.owner.name,
                           body=body(cycle, summary, capacity),
                           footer=css_string(f"Open360 – confidential to {cycle.owner.name}"))
    return write_pdf(html)
