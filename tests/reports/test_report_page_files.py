"""The report page is put together from a body rendered once per kind of reader (the owner, anyone else) and kept
sealed beside the PDFs (reports/build.py `page_for`), with the sections this reader may see put in at each read.
Each reader sees what the report rendered from its sealed data at the read shows them; the stored bodies open only
as the report's own, and go with it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from markupsafe import Markup

from app import db as unit
from app.crypto import DecryptionError
from app.extensions import db
from app.models import Role, User
from facilitator.operations import assign as assign_facilitator
from reports.build import forget_files, page_for, sealed_data
from reports.figures import Words
from reports.files import file_name, report_files
from reports.models import Report, ReportRead, ReportShare
from reports.render import render_body, with_sections
from surveys.models import Cycle
from surveys.rights import delete_round
from tests.fixtures.answers import COMMENT
from tests.fixtures.people import signed_in


def _report(cycle: Cycle) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))


def _stored(report_id: int) -> set[str]:
    return {name.split("-", 2)[2] for name in report_files().names() if name.startswith(f"report-{report_id}-")}


def _article(html: str) -> str:
    return html[html.index('<article class="app-report"'):html.index("</article>") + len("</article>")]


def _per_request(html: str) -> str:
    """The page less what differs at every request anyway (the script nonce, the sign-out form's token)."""
    return re.sub(r'nonce="[^"]*"|csrf_token=[^"&]*', "", html)


def test_each_reader_sees_the_page_rendered_for_them_from_the_sealed_report_stored_or_not(
        app: Flask, two_rounds: tuple[Cycle, Cycle], owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    """The owner, their facilitator, a manager the owner shared only this report with and one they shared both
    reports with: each page, read before anything is stored (it renders and stores its body) and again (from the
    stored body), is the report as rendered from its sealed data for that reader, the section on the earlier
    report included exactly for those who may read it. The facilitator's read stores the body every reader but the
    owner gets; it holds no section, so the manager who may not read the earlier report gets none."""
    first, second = two_rounds
    report = _report(second)
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    manager = create_user(Role.MANAGER, name="Mo Manager")
    both = create_user(Role.MANAGER, name="Bea Both")
    db.session.add_all([ReportShare(report_id=report.id, user_id=manager.id),
                        ReportShare(report_id=report.id, user_id=both.id),
                        ReportShare(report_id=_report(first).id, user_id=both.id)])
    unit.commit()
    report_id = report.id
    data, content = sealed_data(report)
    forget_files(report_id)  # as for a report built before its pages were kept

    readers = [(facilitator, False, True), (manager, False, False), (both, False, True), (owner, True, True)]
    for who, is_owner, reads_earlier in readers:
        words = Words(is_owner=is_owner, name=content["owner_name"])
        expected = render_body(data, content, words, may_read_round=lambda cycle_id, r=reads_earlier: r)
        client = signed_in(app, who)
        first_read, second_read = (client.get(f"/reports/{report_id}") for _ in range(2))
        assert first_read.status_code == second_read.status_code == 200
        html = first_read.get_data(as_text=True)
        assert str(expected) in html and _article(html) == _article(expected)
        assert _per_request(second_read.get_data(as_text=True)) == _per_request(html)
        assert ("Change since" in html) is reads_earlier and ('href="#change"' in html) is reads_earlier
        assert ("your last report" in html) is (is_owner and reads_earlier)
    assert _stored(report_id) == {"page", "page_reader"}
    reads = db.session.execute(sa.select(ReportRead.reader_id, ReportRead.capacity, ReportRead.form)
                               .where(ReportRead.report_id == report_id).order_by(ReportRead.id)).all()
    assert [tuple(r) for r in reads] == [(who.id, as_, "page") for who, as_ in (
        (facilitator, "facilitator"), (facilitator, "facilitator"), (manager, "shared"), (manager, "shared"),
        (both, "shared"), (both, "shared"), (owner, "owner"), (owner, "owner"))]  # every read logged, as before


def test_the_sections_go_in_as_the_template_printed_them(app: Flask) -> None:
    """`with_sections` writes each section's link as the body's template wrote it (escaped the same way) and the
    section's own HTML after the areas; a body with no list of contents (a PDF's) takes only the sections."""
    sections = [("change", 'Change since <Ann> & "Bo"’s last report', Markup("<section>one</section>")),
                ("more", "Second", Markup("<section>two</section>"))]
    links = render_template_string(  # the loop the body's template had before the slots
        '{% for id, title, _ in sections %}<li><a href="#{{ id }}">{{ title }}</a></li>{% endfor %}',
        sections=sections)
    body = "<ul>x<!--report-section-links-->y</ul>–<!--report-sections-->’end".encode()
    assert b"".join(with_sections(body, sections)).decode() == (
        f"<ul>x{links}y</ul>–<section>one</section><section>two</section>’end")
    assert b"".join(with_sections(body, [])).decode() == "<ul>xy</ul>–’end"
    pdf_body = "<p>–</p><!--report-sections--><p>end</p>".encode()
    assert b"".join(with_sections(pdf_body, sections[:1])).decode() == "<p>–</p><section>one</section><p>end</p>"


def test_a_stored_body_is_sealed_for_its_own_report_and_reader_only(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle]) -> None:
    """Whoever copies the files folder holds ciphertext: no comment, no name, no heading. A body moved to another
    report, or the owner's put where everyone else's belongs, fails to open rather than being shown."""
    one = _report(create_closed_round(owner, {"manager": 1, "peer": 3, "direct_report": 3}, pdfs=True))
    other_owner = User(organisation=owner.organisation, name="Other Owner", email="other.owner@trust.example",
                       password_hash=owner.password_hash)
    db.session.add(other_owner)
    two = _report(create_closed_round(other_owner, {"manager": 1, "peer": 3, "direct_report": 3}, seed=2))
    assert {"page", "page_reader"} <= _stored(one.id)
    store = report_files()
    for part in ("page", "page_reader"):
        sealed = store.read(file_name(one.id, part))
        assert sealed is not None
        assert COMMENT.encode() not in sealed and b"Olivia Owner" not in sealed and b"At a glance" not in sealed
    forget_files(two.id)
    store.write_once(file_name(two.id, "page"), store.read(file_name(one.id, "page")) or b"")
    with pytest.raises(DecryptionError):
        page_for(two, True, lambda cycle_id: False)
    store.delete([file_name(one.id, "page_reader")])
    store.write_once(file_name(one.id, "page_reader"), store.read(file_name(one.id, "page")) or b"")
    with pytest.raises(DecryptionError):
        page_for(one, False, lambda cycle_id: False)


def test_the_stored_bodies_go_with_the_report_and_a_worker_renders_those_missing(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle]) -> None:
    """A worker's start renders the bodies of a report built before they were kept, and deletes those of a report
    that is gone (a deletion that died before its files went); deleting a round deletes them once it commits."""
    from reports.jobs import enqueue_missing_builds

    cycle = create_closed_round(owner, {"manager": 1, "peer": 3, "direct_report": 3}, pdfs=True)
    report_id = _report(cycle).id
    report_files().delete([file_name(report_id, "page"), file_name(report_id, "page_reader")])
    gone = report_id + 1000
    report_files().write_once(file_name(gone, "page_reader"), b"sealed body of a deleted report")
    enqueue_missing_builds()  # the test queue runs the render job it enqueues at once
    assert _stored(report_id) == {"page", "page_reader", "pdf", "pdf_reader"}
    assert _stored(gone) == set()
    delete_round(db.session.get(Cycle, cycle.id))
    assert "page" in _stored(report_id)  # not before the deletion commits
    unit.commit()
    assert _stored(report_id) == set()


def test_a_file_rendered_from_the_old_content_while_it_is_sealed_anew_goes_once_the_new_commits(
        app: Flask, two_rounds: tuple[Cycle, Cycle]) -> None:
    """Review: deleting the earlier round seals the later report's content again without the change and deletes its
    files at once, before the deletion commits. A read in that window (or the worker) renders the missing owner's
    PDF from the content still committed, change section and all, and stores it for good: the deleted round's
    figures outlive it. The files go again once the new content is committed."""
    first, second = two_rounds
    report_id = _report(second).id
    delete_round(db.session.get(Cycle, first.id))  # seals the later report's content anew, deletes its files
    assert _stored(report_id) == set()
    report_files().write_once(file_name(report_id, "pdf"), b"rendered meanwhile from the old content")
    unit.commit()
    assert _stored(report_id) == set()


def test_the_owners_pdf_leaves_out_the_change_since_a_report_still_held_from_them(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle], clock,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: the owner's page shows the change since the earlier report only if the owner may read that report
    (`_reads_round`); the owner's PDF took every round as readable, so an earlier report its facilitator never
    released (the round finished early meanwhile) gave the owner its All others figures through the later PDF."""
    from app import pdf as pdf_module
    from app.timeutil import utcnow
    from reports.build import pdf_for
    from tests.fixtures.reports import TWO_ROUNDS_SIZES

    monkeypatch.setattr(pdf_module, "write_pdf", lambda html: html.encode())  # the PDF's HTML, without WeasyPrint
    first = create_closed_round(owner, TWO_ROUNDS_SIZES, seed=1)
    first.facilitator_releases_report = True  # held: the organisation asked its facilitator to release it first
    # finished early while still held, as a round could be before finishing waited for the release (such rounds
    # remain): set as it was then, since operations.finish_without_session now refuses it
    first.finished_early_at = utcnow()
    unit.commit()
    clock.advance(days=200)
    second = create_closed_round(owner, TWO_ROUNDS_SIZES, seed=2)
    client = signed_in(app, owner)
    assert client.get(f"/reports/{_report(first).id}").status_code == 404  # held from the owner
    page = client.get(f"/reports/{_report(second).id}").get_data(as_text=True)
    assert "Change since" not in page
    assert b"Change since" not in pdf_for(_report(second), "pdf")
