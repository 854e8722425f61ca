from __future__ import annotations

import click
from flask import Flask

from app.timeutil import utcnow
from demo import data


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def load() -> None:
    """Load the demo organisation, logins and rounds (once: a second run changes nothing)."""
    if data.is_loaded():
        click.echo("Demo data is already loaded.")
    else:
        data.load(utcnow())
        click.echo("Demo data loaded.")
    data.ensure_single_sign_on()
    click.echo(f"\nDemo logins (password for all: {data.PASSWORD})")
    for login in data.LOGINS:
        click.echo(f"  {login.email:<32} {login.what}")
    click.echo(f"Or press “Sign in with {data.SSO_PROVIDER_NAME}” and pick any of them at the local provider.")
