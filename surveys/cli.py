"""`flask purge`: the worker's purge and retention pass, run by hand (the clock runs it every minute)."""

from __future__ import annotations

import click

from app import db as unit
from app.timeutil import utcnow


@click.command("purge")
def purge_command() -> None:
    """Purge rater names, emails and token hashes of rounds closed long enough ago, tell owners whose rounds will be
    deleted in 30 days, and delete rounds past their organisation's retention period."""
    from surveys.rights import purge_and_retain

    summary = purge_and_retain(utcnow())
    unit.commit()
    click.echo(summary[0].upper() + summary[1:] + ".")
