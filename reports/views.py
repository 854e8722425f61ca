"""Report pages: read (page or PDF), share with a manager and revoke, the read log."""

from __future__ import annotations

import io

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles, signed_in
from app.extensions import db
from app.models import Role, User
from reports import operations
from reports.build import figures_csv, page_for, pdf_for
from reports.forms import ShareForm, manager_search, share_posted
from reports.models import Report, ReportShare
from reports.render import around_body, body_slot, pdf_filename
from surveys.cycle import CycleState
from surveys.forms import ConfirmForm
from surveys.models import Cycle

bp = Blueprint("reports", __name__, template_folder="templates")


# The report with its round and the round's owner in one statement (the rule weighs the owner; the owner's roles,
# if wanted, are read when asked for, as they were when the round was read on its own). Built once: `session.get`
# built this statement and its loader options anew at each read, which cost more than running it.
_WITH_ROUND = (sa.select(Report).where(Report.id == sa.bindparam("report_id"))
               .options(so.joinedload(Report.cycle).joinedload(Cycle.owner).lazyload(User.role_rows)))


def _readable(report_id: int) -> tuple[Report, str]:
    """The report and the reader's capacity; 404 for anyone else, so nobody learns that it exists."""
    report = db.session.execute(_WITH_ROUND, {"report_id": report_id}).scalar_one_or_none()
    as_ = operations.capacity(current_user, report) if report else None
    if report is None or as_ is None:
        abort(404)
    return report, as_


def _owned(report_id: int) -> Report:
    report, as_ = _readable(report_id)
    if as_ != "owner":
        abort(404)
    return report


@bp.route("/reports")
@roles(Role.FACILITATOR, Role.MANAGER)  # local leads and administrators never read reports (PRODUCT §1)
def index():  # type: ignore[no-untyped-def]
    return render_template("reports/index.html", reports=operations.readable_reports(current_user))


@bp.route("/reports/<int:report_id>")
@signed_in
def report_page(report_id: int):  # type: ignore[no-untyped-def]
    report, as_ = _readable(report_id)
    owner_name, body = page_for(report, as_ == "owner", _reads_round)
    back = url_for("surveys.dashboard") if as_ == "owner" else url_for("reports.index")
    page = around_body(render_template("reports/report_page.html", report=report, body=body_slot(), back=back,
                                       owner_name=owner_name, is_owner=as_ == "owner"), body)
    _log(report, as_, "page")
    return page


def _log(report: Report, as_: str, form: str) -> None:
    """The read, logged once the page or file is whole (the log records only a read that can be served), and
    committed before it is served. Whatever the request wrote (a report's table sealed at its first read) is
    committed first; then the read, with those of other readers at the same time (reports/read_log.py). Rendered
    after a commit, the page read the reader, their roles and the report again: a commit expires every row."""
    read = operations.read_log_entry(report, current_user, as_, form)  # plain values: the commit expires the rows
    unit.commit()
    operations.log_read(read)


def _reads_round(cycle_id: int) -> bool:
    """Whether the person reading may read that round's report too (a section resting on it is shown only then)."""
    other = operations.report_for(cycle_id)
    return other is not None and operations.capacity(current_user, other) is not None


@bp.route("/reports/<int:report_id>/pdf")
@signed_in
def report_pdf(report_id: int):  # type: ignore[no-untyped-def]
    report, as_ = _readable(report_id)
    pdf = pdf_for(report, "pdf" if as_ == "owner" else "pdf_reader")
    return _download(report, as_, "pdf", pdf, "application/pdf")


def _download(report: Report, as_: str, form: str, data: bytes, mimetype: str) -> Response:
    # The whole response first (Werkzeug writes an RFC 6266/5987 filename for any name, Łódź or 王), then the read
    # is logged: the log records only a download that can be served.
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, conditional=False, etag=False,
                         download_name=pdf_filename(report.cycle.owner.name, form))
    response.headers["Cache-Control"] = "no-store"
    _log(report, as_, form)
    return response


@bp.route("/reports/<int:report_id>/figures.csv")
@roles(Role.OWNER)
def report_csv(report_id: int):  # type: ignore[no-untyped-def]
    """The owner's own download of the shown figures (PRODUCT §4)."""
    report = _owned(report_id)
    return _download(report, "owner", "csv", figures_csv(report), "text/csv")


@bp.route("/reports/<int:report_id>/sharing", methods=["GET", "POST"])
@roles(Role.OWNER)
def sharing(report_id: int):  # type: ignore[no-untyped-def]
    report = _owned(report_id)
    form = ShareForm()
    if form.validate_on_submit() and share_posted(
            form, lambda person_id: operations.shareable_manager(current_user, report, person_id),
            lambda person: operations.share(report, person), "report"):
        unit.commit()
        return redirect(url_for("reports.sharing", report_id=report.id))
    find, searched, found = manager_search(request.args,
                                           lambda q: operations.find_managers(current_user, report, q))
    return render_template("reports/sharing.html", report=report, form=form, find=find, searched=searched,
                           found=found, limit=operations.SEARCH_LIMIT, shares=operations.active_shares(report),
                           reads=operations.read_log(report), revoke_form=ConfirmForm(prefix="revoke"),
                           facilitator=operations.facilitator_of(current_user.id),
                           has_managers=operations.has_shareable_managers(current_user, report))


@bp.route("/reports/<int:report_id>/sharing/<int:share_id>/stop", methods=["POST"])
@roles(Role.OWNER)
def stop_sharing(report_id: int, share_id: int):  # type: ignore[no-untyped-def]
    report = _owned(report_id)
    report_share = db.session.get(ReportShare, share_id)
    if report_share is None or report_share.report_id != report.id:
        abort(404)
    if ConfirmForm(prefix="revoke").validate_on_submit():
        operations.revoke(report_share)
        unit.commit()
        flash(f"{report_share.user.name} can no longer read your report.")
    return redirect(url_for("reports.sharing", report_id=report.id))


def report_link_for(cycle) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    if cycle.state in (CycleState.DRAFT, CycleState.OPEN):
        return []  # not closed, so no report: not asked for on every load of the owner's round page
    report = operations.report_for(cycle.id)
    if report is None or operations.capacity(cycle.owner, report) != "owner":
        return []  # not built yet, or waiting for the facilitator to release it
    report_id = report.id
    return [("Read your feedback report", url_for("reports.report_page", report_id=report_id)),
            ("Share your report, and see who has read it", url_for("reports.sharing", report_id=report_id))]
