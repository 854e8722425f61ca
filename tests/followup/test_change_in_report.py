"""An owner's second report shows the change since the first, in the page and both PDFs, for the owner and every
reader; only areas and sub-areas of All others; and it goes when the earlier round is deleted."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from app import db as unit
from app.extensions import db
from app.models import Role, User
from facilitator.operations import assign as assign_facilitator
from followup.change import KEY
from reports.build import pdf_for, sealed_data
from reports.models import Report, ReportShare
from surveys import operations, rights
from surveys.models import Cycle
from tests.fixtures.clock import TestClock
from tests.fixtures.pdfua import assert_pdfua
from tests.fixtures.people import signed_in

SIZES = {"manager": 1, "peer": 4, "direct_report": 4}


def _report(cycle: Cycle) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))


def _section(html: str) -> str:
    match = re.search(r'<section class="app-change".*?</section>', html, re.S)
    assert match, "no change section"
    return match.group(0)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_first_report_has_no_change_and_the_second_shows_it_to_whoever_may_read_both(
        app: Flask, two_rounds: tuple[Cycle, Cycle], owner: User, create_user) -> None:  # type: ignore[no-untyped-def]
    """The section prints the earlier report's All others figures: the owner and their facilitator read both
    reports, so they see it; a manager sees it only once the earlier report is shared with them too (found by an
    adversarial review), and the readers' PDF, one file for the facilitator and every manager, leaves it out."""
    first, second = two_rounds
    assert "Change since" not in signed_in(app, owner).get(f"/reports/{_report(first).id}").get_data(as_text=True)
    report = _report(second)
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    manager = create_user(Role.MANAGER, name="Mo Manager", email="mo.manager@trust.example")
    db.session.add(ReportShare(report_id=report.id, user_id=manager.id))
    unit.commit()

    def page(who: User) -> str:
        return signed_in(app, who).get(f"/reports/{report.id}").get_data(as_text=True)

    mine = _section(page(owner))
    assert "Change since your last report" in mine and 'href="#change"' in page(owner)
    assert "Change since Olivia Owner’s last report" in _section(page(facilitator))
    assert "Change since" not in page(manager) and 'href="#change"' not in page(manager)
    db.session.add(ReportShare(report_id=_report(first).id, user_id=manager.id))
    unit.commit()
    assert "Change since Olivia Owner’s last report" in _section(page(manager))
    assert "No clear change" in mine or "than last time" in mine
    assert "Change since your last report" in _pdf_text(pdf_for(report, "pdf"))
    assert "Change since" not in _pdf_text(pdf_for(report, "pdf_reader"))


def test_the_change_is_never_per_statement_or_per_group(app: Flask, two_rounds: tuple[Cycle, Cycle],
                                                        owner: User) -> None:
    first, second = two_rounds
    data, content = sealed_data(_report(second))
    rows = content[KEY]["rows"]
    assert {r["measure"] for r in rows} == {"area", "sub_area"}
    section = _section(signed_in(app, owner).get(f"/reports/{_report(second).id}").get_data(as_text=True))
    statement_titles = {s.title for a in data.layout for sub in a.sub_areas for s in sub.statements}
    assert not [t for t in statement_titles if t in section]
    assert not [g.label for g in data.table.groups if g.label in section]
    # Each printed figure is the shown All others figure of the report it comes from.
    earlier, _ = sealed_data(_report(first))
    for rows_of, table in ((lambda r: r["earlier"], earlier.table), (lambda r: r["later"], data.table)):
        cells = table.index()
        for row in rows:
            cell = cells[(row["measure"], row["key"], "All others")]
            assert rows_of(row) == ([cell.value, cell.answers] if cell.is_shown else None)


def test_a_change_inside_its_band_says_no_clear_change(app: Flask, two_rounds: tuple[Cycle, Cycle]) -> None:
    _, content = sealed_data(_report(two_rounds[1]))
    for row in content[KEY]["rows"]:
        if row["change"] is not None and abs(row["change"]) <= row["band"]:
            assert row["verdict"] == "no clear change"


def test_deleting_the_earlier_round_takes_its_figures_out_of_the_later_report(
        app: Flask, two_rounds: tuple[Cycle, Cycle], owner: User) -> None:
    first, second = two_rounds
    report = _report(second)
    assert "Change since your last report" in _pdf_text(pdf_for(report, "pdf"))
    assert "the change since this round in your report of" in " ".join(rights.what_deleting_removes(first))
    rights.delete_round(first)
    unit.commit()
    db.session.refresh(report)
    assert KEY not in sealed_data(report)[1]
    assert "Change since" not in signed_in(app, owner).get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Change since" not in _pdf_text(pdf_for(report, "pdf"))


def test_a_different_questionnaire_version_is_named_and_not_compared(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle], clock: TestClock) -> None:
    first = create_closed_round(owner, SIZES, seed=1)
    operations.finish_without_session(first)
    first.questionnaire_version = "0.9"
    unit.commit()
    clock.advance(days=200)
    second = create_closed_round(owner, SIZES, seed=2)
    section = _section(signed_in(app, owner).get(f"/reports/{_report(second).id}").get_data(as_text=True))
    assert "different version of the questionnaire" in section and "<table" not in section


def test_the_pdf_with_the_change_passes_the_pdfua_checker(two_rounds: tuple[Cycle, Cycle], tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pdfua import Severity, validate

    for part in ("pdf", "pdf_reader"):
        path = tmp_path / f"{part}.pdf"
        path.write_bytes(pdf_for(_report(two_rounds[1]), part))
        assert ("Change since" in _pdf_text(path.read_bytes())) == (part == "pdf")
        assert_pdfua(path.read_bytes())  # the `page` validator, profile ua1: 0 failures (issue 25, items 15-17)
        found = validate(str(path))
        problems = [(f.rule_id, f.message) for f in found.findings if f.severity >= Severity.WARNING]
        assert not problems, problems


def test_across_versions_only_what_an_administrator_declared_to_carry_over_is_compared(
        app: Flask, owner: User, create_closed_round: Callable[..., Cycle], clock: TestClock,
        create_user) -> None:  # type: ignore[no-untyped-def]
    """Version 2027.1 rewords one statement of Ability – Professional; the administrator declares the default (same
    key, same rater wording). The second round, on 2027.1, compares every figure but that sub-area and its area."""
    from surveys import questionnaire_carry_over as carry_over
    from surveys import questionnaire_store as store
    from surveys.questionnaire import QUESTIONNAIRES_DIR, forget_cached, load_version
    from surveys.questionnaire_compare_rules import default_carry_over

    forget_cached()
    first = create_closed_round(owner, SIZES, seed=1)
    operations.finish_without_session(first)
    admin = create_user(Role.ADMIN)
    store.seed_shipped()
    text = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text().replace('version: "2026.1"', 'version: "2027.1"') \
        .replace("This person keeps their professional skills", "This person keeps their work skills")
    newer = store.upload_draft(store.KINDS["questionnaire"], text, admin)
    store.publish(newer, admin)
    store.choose(newer, admin)
    older = db.session.scalar(sa.select(store.ContentVersion).where(store.ContentVersion.version == "2026.1"))
    default = default_carry_over(load_version("2026.1"), load_version("2027.1"))
    carry_over.declare(older, newer, {k: default.get(k) for k in load_version("2026.1").statement_keys()}, admin)
    unit.commit()
    clock.advance(days=200)
    second = create_closed_round(owner, SIZES, seed=2)
    assert second.questionnaire_version == "2027.1"
    change = sealed_data(_report(second))[1][KEY]
    rows = {row["key"]: row for row in change["rows"]}
    assert change["other_version"] is True
    assert rows["ability.professional"]["not_compared"] == "its statements changed between the two questionnaires"
    assert rows["ability"]["change"] is None
    compared = [k for k, row in rows.items() if row["verdict"] is not None]
    assert "ability.leadership" in compared and "insight" in compared
    section = _section(signed_in(app, owner).get(f"/reports/{_report(second).id}").get_data(as_text=True))
    assert "A figure is compared only where every statement beneath it was asked again" in " ".join(section.split())
    forget_cached()


def test_the_section_says_exactly_how_the_band_is_worked_out(app: Flask, two_rounds: tuple[Cycle, Cycle],
                                                             owner: User) -> None:
    """Walk-through item 12: the text said the band allowed for "the number in brackets" (every answer beneath a
    figure), yet rows of 55 and 137 answers had the same band. The band rests on each statement's answers, so the
    text says so, with examples worked out by the rule itself."""
    from followup import rules

    html = signed_in(app, owner).get(f"/reports/{_report(two_rounds[1]).id}").get_data(as_text=True)
    section = " ".join(_section(html).split())
    assert "(the number in brackets)" not in section
    assert "The number in brackets counts every answer to every statement beneath a figure" in section
    assert "The band does not use it" in section and "1.96 times" in section
    (small, small_band), (typical, typical_band), (large, large_band) = rules.band_examples()
    assert (f"with {small} answers to each statement in both reports it is ±{float(small_band):.1f}, with {typical} "
            f"it is ±{float(typical_band):.1f} and with {large} it is ±{float(large_band):.1f}.") in section
    assert small_band > typical_band > large_band
