"""The local lead's usage page and the quarterly reports, for their own organisation only."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from app.access import roles
from app.models import Role
from usage import operations, report
from usage.models import UsageQuarter
from usage.reads import published_reads

bp = Blueprint("usage", __name__, template_folder="templates")
_QUARTER = re.compile(r"^\d{4}Q[1-4]$")


@bp.route("/usage")
@roles(Role.LOCAL_LEAD)
def index():  # type: ignore[no-untyped-def]
    org = current_user.organisation
    with published_reads() as session:
        rows = session.scalars(sa.select(UsageQuarter).where(UsageQuarter.organisation_id == org.id)
                               .order_by(UsageQuarter.quarter.desc())).all()
        figures = operations.published(org.id, session=session) if rows else None
    if figures is not None:
        operations.check(figures)  # shown only after the checker has passed it again
        body = report.render_body(org, figures, rows[0].period)
    else:
        body = render_template("usage/report_body.html", data=None)
    return render_template("usage/index.html", organisation=org, body=body, reports=rows)


@bp.route("/usage/reports/<quarter>/<form>")
@roles(Role.LOCAL_LEAD)
def download(quarter: str, form: str):  # type: ignore[no-untyped-def]
    content = None
    if _QUARTER.match(quarter) and form in {"pdf", "csv"}:
        column = UsageQuarter.pdf if form == "pdf" else UsageQuarter.csv
        with published_reads() as session:
            content = session.scalar(sa.select(column).where(
                UsageQuarter.organisation_id == current_user.organisation_id, UsageQuarter.quarter == quarter))
    if content is None:
        abort(404)
    name = f"open360-usage-{quarter}.{form}"
    return Response(content, mimetype="application/pdf" if form == "pdf" else "text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
