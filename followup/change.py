"""Change since the owner's last report, computed when the later report is built and sealed with it (PRODUCT §10).

Computed at the build, from the earlier report's sealed figure table and the later's new one, and sealed in the later
report's content: one sealed artefact, the same for every reader and both PDFs, and nothing to recompute at a read.
The earlier report is the owner's most recent report of a round that closed before this one. A figure is compared
only where every statement beneath it stayed the same: within one questionnaire version, each statement is itself;
between two versions, only the statements an administrator declared to carry over (surveys.questionnaire_carry_over).
Two versions with no declaration are named and not compared.

When the earlier round is deleted, the later report's change is sealed again without it (it prints the earlier "All
others" figures, which the owner asked to delete), and its PDFs are rendered again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup

from app.extensions import db
from followup import rules
from reports.build import replace_content, sealed_data
from reports.content import ReportData
from reports.figures import Words
from reports.hooks import ReportSection, RoundReadable
from reports.models import Report
from surveys import questionnaire_carry_over as carry_over
from surveys.models import Cycle
from surveys.questionnaire import QuestionnaireError, load_version

KEY = "change_since"
SECTION_ID = "change"


def earlier_report(cycle: Cycle) -> Report | None:
    if cycle.closed_at is None:
        return None
    return db.session.scalars(
        sa.select(Report).join(Cycle).where(Cycle.owner_id == cycle.owner_id, Cycle.id != cycle.id,
                                            Cycle.closed_at.is_not(None), Cycle.closed_at < cycle.closed_at)
        .order_by(Cycle.closed_at.desc()).limit(1)).first()


def _basis(basis: rules.Basis | None) -> list[Any] | None:
    return None if basis is None else [float(basis.value), basis.answers]


def _row(row: rules.ChangeRow) -> dict[str, Any]:
    return {"measure": row.measure, "key": row.key, "title": row.title,
            "earlier": _basis(row.earlier), "later": _basis(row.later),
            "change": None if row.change is None else float(row.change),
            "band": None if row.band is None else float(row.band),
            "verdict": row.verdict.value if row.verdict else None,
            "not_compared": row.not_compared.value if row.not_compared else None}


def change_content(cycle: Cycle, data: ReportData) -> dict[str, Any]:
    """What the later report seals about the change (registered with reports.hooks): nothing for a first report."""
    earlier = earlier_report(cycle)
    if earlier is None:
        return {}
    closed_on = earlier.cycle.closed_at.date().isoformat()  # type: ignore[union-attr]
    head = {"earlier_cycle_id": earlier.cycle_id, "earlier_closed_on": closed_on}
    older, newer = earlier.cycle.questionnaire_version, cycle.questionnaire_version
    declared = _same_statements(older) if older == newer else carry_over.carried(older, newer)
    if declared is None:
        return {KEY: head | {"other_version": True, "rows": []}}
    before, _ = sealed_data(earlier)
    carried = rules.carried_over(before.layout, data.layout, declared, _file_keys(older))
    rows = rules.change_since(before.table, before.layout, data.table, data.layout, carried)
    return {KEY: head | {"other_version": older != newer, "rows": [_row(r) for r in rows]}}


def _file_keys(version: str) -> list[str]:
    """The statements of a version's file (an organisation's own statements are not among them). A version that
    no longer loads has none: then only the organisation's statements could carry over."""
    try:
        return load_version(version).statement_keys()
    except QuestionnaireError:
        return []


def _same_statements(version: str) -> dict[str, str]:
    return {key: key for key in _file_keys(version)}


def change_section(content: Mapping[str, Any], words: Words, for_pdf: bool,
                   may_read_round: RoundReadable) -> list[ReportSection]:
    """The section, for a reader who may read the earlier report too: it prints the earlier report's All others
    figures, so a manager the owner shared only the later report with reads nothing of the earlier one."""
    change = content.get(KEY)
    if not change or not may_read_round(change["earlier_cycle_id"]):
        return []
    title = f"Change since {words.your} last report"
    html = render_template("followup/change_section.html", change=change, words=words, title=title,
                           section_id=SECTION_ID, earlier_closed_on=date.fromisoformat(change["earlier_closed_on"]),
                           for_pdf=for_pdf, band_examples=rules.band_examples())
    return [(SECTION_ID, title, Markup(html))]


def _reports_comparing_with(cycle: Cycle) -> list[tuple[Report, dict[str, Any]]]:
    later = db.session.scalars(sa.select(Report).join(Cycle).where(Cycle.owner_id == cycle.owner_id,
                                                                    Cycle.id != cycle.id))
    found = []
    for report in later:
        _, content = sealed_data(report)
        if (content.get(KEY) or {}).get("earlier_cycle_id") == cycle.id:
            found.append((report, content))
    return found


def forget_earlier_round(cycle: Cycle) -> None:
    """Before a round is deleted (surveys.hooks): a later report comparing with it loses its change section."""
    for report, content in _reports_comparing_with(cycle):
        replace_content(report, {k: v for k, v in content.items() if k != KEY})


def what_round_deletion_removes(cycle: Cycle) -> list[str]:
    return [f"the change since this round in your report of {report.cycle.closed_at:%-d %B %Y}"
            for report, _ in _reports_comparing_with(cycle)]
