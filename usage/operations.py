"""Building a quarter's usage figures: count, suppress against everything published before, check, seal as the
quarterly report. Flushes; the job commits."""

from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Organisation
from usage import queries, rules, table
from usage.models import UsageQuarter
from usage.periods import Quarter, quarter_of
from usage.table import Published

log = logging.getLogger(__name__)


class UnsafeTable(RuntimeError):
    """The checker refused a table: never shown, never sent."""


def published(organisation_id: int, upto: Quarter | None = None, session: so.Session | None = None) -> Published:
    """Every quarter published for the organisation (up to `upto`), read with `session` (the usage pages' reads)
    or the request's own."""
    rows = (session or db.session).scalars(sa.select(UsageQuarter).where(
        UsageQuarter.organisation_id == organisation_id).order_by(UsageQuarter.quarter)).all()
    cells: dict[str, tuple[int, bool]] = {}
    for row in rows:
        if upto is None or row.period <= upto:
            cells |= {k: (int(v), bool(h)) for k, (v, h) in row.cells.items()}
    return Published(cells)


def check(figures: Published) -> None:
    problems = rules.table_problems(figures.shown(), table.constraints(figures.cells),
                                    table.people_behind(figures.values()), table.sums(figures.cells))
    if problems:
        raise UnsafeTable("; ".join(problems[:5]))


def suppressed_quarter(before: Published, new: dict[str, int]) -> Published:
    """The new cells' hidden states, chosen so that nothing, old or new, can be worked out; the old ones fixed."""
    values = {k: v for k, (v, _) in before.cells.items()} | new
    counts = {k: v for k, v in values.items() if table.parse(k)[0] not in {table.EVALUATION_SUM, table.OWNERS}}
    hidden = rules.suppress(counts, table.constraints(counts),
                            fixed_hidden={k for k, (_, h) in before.cells.items() if h and k in counts},
                            fixed_shown={k for k, (_, h) in before.cells.items() if not h and k in counts},
                            people=table.people_behind(values))
    # An evaluation question's sum is hidden exactly when that period's count of evaluations is; the owners behind
    # a count are never shown.
    for key in values.keys() - counts.keys():
        kind, _, period = table.parse(key)
        if kind == table.OWNERS or table.cell(table.MEASURE, table.EVALUATIONS, period) in hidden:
            hidden.add(key)
    figures = Published({k: (v, k in hidden) for k, v in values.items()})
    check(figures)
    return figures


def build_quarter(org: Organisation, quarter: Quarter) -> UsageQuarter:
    from usage import report  # rendering needs Flask templates and WeasyPrint: only here

    before = published(org.id, quarter.previous())
    new = queries.quarter_counts(org.id, quarter)
    new |= table.year_cells(quarter, {k: v for k, (v, _) in before.cells.items()} | new)
    if quarter.number == 4:
        new |= queries.year_owners(org.id, quarter.financial_year)
    figures = suppressed_quarter(before, new)
    row = UsageQuarter(organisation_id=org.id, quarter=quarter.key,
                       cells={k: list(figures.cells[k]) for k in new})
    row.pdf = report.render_pdf(org, figures, quarter)
    row.csv = report.render_csv(org, figures, quarter)
    db.session.add(row)
    db.session.flush()
    return row


def first_quarter(org: Organisation, last: Quarter) -> Quarter:
    """Where an organisation's figures begin: the financial year of its first round, so each year's total has all
    its quarters; an organisation with no rounds yet begins with the last complete quarter."""
    first = queries.first_activity(org.id)
    if first is None:
        return last
    return min(Quarter(quarter_of(first.date()).year, 1), last)


def latest_quarters() -> dict[int, str | None]:
    """Each organisation's latest built quarter (None if none): one statement for all of them."""
    rows = db.session.execute(sa.select(Organisation.id, sa.func.max(UsageQuarter.quarter))
                              .outerjoin(UsageQuarter, UsageQuarter.organisation_id == Organisation.id)
                              .group_by(Organisation.id)).all()
    return {org_id: latest for org_id, latest in rows}
