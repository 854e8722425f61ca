"""`flask reports verify [REPORT_ID]` and `flask reports figures REPORT_ID [--json]`: the sealed figure table,
re-checked or printed, for an operator or for the owner's own audit (PRODUCT §3.2)."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa

from app.crypto import DecryptionError
from app.extensions import db
from reports.build import figure_table
from reports.checker import Violation, check
from reports.models import Report


@click.group("reports")
def reports_cli() -> None:
    """Reports: re-check or print their sealed figure tables."""


def _report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise click.ClickException(f"There is no report {report_id}.")
    return report


def _violations(report: Report) -> list[Violation] | str:
    if not report.figures_sealed:
        return ("it has no sealed figure table yet (built before figure tables were sealed; one is sealed from the "
                "round's answers when it is first opened)")
    try:
        return check(figure_table(report))
    except (DecryptionError, ValueError) as error:
        return f"its figure table cannot be opened ({error})"


@reports_cli.command("verify")
@click.argument("report_id", type=int, required=False)
def verify(report_id: int | None) -> None:
    """Re-run the anonymity check on one report's sealed figure table, or on every report's. Exits 1 on any
    violation, naming each."""
    ids = [report_id] if report_id is not None else db.session.scalars(sa.select(Report.id).order_by(Report.id))
    failed = checked = 0
    for rid in ids:
        checked += 1
        found = _violations(_report(rid))
        if isinstance(found, str):
            failed += 1
            click.echo(f"Report {rid}: FAILS: {found}")
        elif found:
            failed += 1
            click.echo(f"Report {rid}: FAILS with {len(found)} violation{'s' if len(found) > 1 else ''}:")
            for violation in found:
                click.echo(f"  {violation}")
        else:
            click.echo(f"Report {rid}: passes")
    click.echo(f"{checked - failed} of {checked} report{'s' if checked != 1 else ''} pass.")
    if failed:
        sys.exit(1)


@reports_cli.command("figures")
@click.argument("report_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON, exactly as it is sealed.")
def figures(report_id: int, as_json: bool) -> None:
    """Print one report's sealed figure table (decrypted): every figure, shown or hidden, and why."""
    report = _report(report_id)
    if not report.figures_sealed:
        raise click.ClickException(f"Report {report_id} has no sealed figure table.")
    table = figure_table(report)
    if as_json:
        click.echo(json.dumps(table, ensure_ascii=False, indent=2))
        return
    for group in table["groups"]:
        click.echo(f"{group['label']}: {group['responses']} responses")
    click.echo(f"Withheld: {table['withheld']}")
    for f in table["figures"]:
        shown = "hidden (" + f["reason"] + ")" if f["hidden"] else (
            f"{f['value']:.1f} from {f['answers']}" if f["value"] is not None else "no answers")
        click.echo(f"{f['measure']:<9} {f['key']:<28} {f['audience']:<24} {shown}")
