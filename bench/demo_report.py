"""The demo reports, as a newcomer sees them: figures shown against figures rule (a) alone allows (issue 11).

Run: OPEN360_ENV=test .venv/bin/python bench/demo_report.py [folder]
Loads the demo into a throwaway database, builds the closed rounds' reports as the worker would, and prints for each
owner the groups, the figures shown / allowed by rule (a) alone (every statement, sub-area and area figure of each
group and All others), and the checker's verdict on the sealed table. With a
folder, writes each report's owner PDF there to look at.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.timeutil import today
from demo import data as demo
from reports.anonymity import SELF
from reports.build import build_report, figure_table, pdf_for, report_data
from reports.checker import check
from reports.models import Report
from reports.table import FigureTable
from surveys.cycle import CycleState
from surveys.models import Cycle


def _shown(table: FigureTable) -> int:
    return sum(1 for c in table.figures if c.is_shown and c.audience != SELF)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite3"})
        with app.app_context():
            db.create_all()
            demo.load(today())
            for cycle in db.session.scalars(sa.select(Cycle).order_by(Cycle.id)):
                if cycle.state is CycleState.CLOSED:
                    build_report(cycle)
            db.session.commit()
            print(f'Demo raters choose "Not able to say" at a rate of {demo.NOT_ABLE_TO_SAY_RATE:.0%}.')
            for report in db.session.scalars(sa.select(Report).order_by(Report.id)):
                cycle = report.cycle
                table = FigureTable.from_json(figure_table(report))
                rule_a_only = report_data(cycle, rule_b=False).table
                assert _shown(report_data(cycle).table) == _shown(table)  # the sealed table is today's build
                groups = ", ".join(f"{g.label} {g.responses}" for g in table.groups) or "none"
                hidden = [c for c in table.figures if c.hidden]
                reasons = {r: sum(1 for c in hidden if c.reason == r) for r in ("too_few", "differencing",
                                                                               "below_half")}
                verdict = check(figure_table(report))
                print(f"{cycle.owner.name}: groups {groups}; withheld {table.withheld}; "
                      f"shown {_shown(table)} / allowed by rule (a) alone "
                      f"{_shown(rule_a_only)}; hidden {reasons}; checker: "
                      f"{verdict or 'passes'}")
                if out:
                    name = cycle.owner.name.split()[0].lower()
                    (out / f"demo-{name}.pdf").write_bytes(pdf_for(report, "pdf"))


if __name__ == "__main__":
    main()
