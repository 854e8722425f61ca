"""Commands: `flask serve` (development server with its worker, clock and outbox), `flask worker` (production RQ
worker), `flask clock` (production: enqueues the periodic tick), `flask create-user`."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask import Flask, current_app
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from app.queue import QUEUES

_rotation_steps: list[Callable[[], str]] = []


def on_key_rotation(step: Callable[[], str]) -> Callable[[], str]:
    """Register a step of `flask keys rotate` (returns a line to report), e.g. re-wrapping report data keys."""
    if step not in _rotation_steps:
        _rotation_steps.append(step)
    return step


def register_cli(app: Flask) -> None:
    app.cli.add_command(serve)
    app.cli.add_command(worker)
    app.cli.add_command(clock)
    app.cli.add_command(create_user)
    app.cli.add_command(keys)


@click.group()
def keys() -> None:
    """Master key maintenance."""


@keys.command("rotate")
def rotate() -> None:
    """Re-encrypt everything under the primary master key, so older keys can be removed from the setting.

    Without downtime: put the new key first in OPEN360_MASTER_KEYS, keeping the old ones after it, and restart web
    and workers (new writes use the new key, old data still opens); run this; then remove the old keys. Work is
    committed in small batches, each row compared-and-swapped, so the app keeps serving and nobody's save is lost."""
    from app.crypto import key_ring
    from app.encrypted import rotate_encrypted_columns

    count = rotate_encrypted_columns()
    click.echo(f"Re-encrypted the fields of {count.rewritten} rows under '{key_ring().primary_id}'.")
    if count.changed_meanwhile:
        click.echo(f"{count.changed_meanwhile} rows were saved by someone while this ran and were left as they "
                   "saved them. Run this again to check nothing remains under an old key.")
    for step in _rotation_steps:
        click.echo(step())


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app with the embedded worker, the clock and (in development) the mail outbox."""
    from app.clock import start_clock_thread
    from app.outbox import start_capture_server
    from app.queue import run_worker_start_hooks, start_embedded_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["QUEUE_MODE"] != "embedded":
        raise click.ClickException("`flask serve` is for one machine; in production run gunicorn and `flask worker`.")
    # Bind first (a busy port stops here, with Werkzeug's message): nothing starts, and nothing is announced,
    # unless the web port is ours.
    server = make_server(host, port, app, threaded=True)
    if not os.environ.get("PUBLIC_URL"):
        # Links in mail (and the outbox) point where this copy actually serves, whatever PORT was chosen.
        app.config["PUBLIC_URL"] = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"
    if app.config["OUTBOX_DIR"]:
        smtp_port = app.config["SMTP_PORT"]
        if not _port_is_free(smtp_port):
            if os.environ.get("OUTBOX_SMTP_PORT"):
                raise click.ClickException(f"Port {smtp_port} (OUTBOX_SMTP_PORT) for the outbox is busy; "
                                           "set OUTBOX_SMTP_PORT to another, or leave it unset to pick a free one.")
            smtp_port = _free_port()
            app.config["SMTP_PORT"] = smtp_port
        start_capture_server(app.config["OUTBOX_DIR"], smtp_port)
        click.echo(f"Mail is captured on port {smtp_port}.")
        from app.identity.demo_provider import start_demo_provider

        provider = start_demo_provider(app)  # development only, like the outbox
        if provider:
            click.echo(f"The demo's OpenID provider is at {provider}.")
    start_embedded_worker(app)
    run_worker_start_hooks()
    start_clock_thread(app)  # enqueues the tick now and every minute: rounds close, reminders go out
    click.echo("Worker and clock running.")
    outbox = f"  (outbox: {app.config['PUBLIC_URL']}/dev/outbox/, from this machine only)" if \
        app.config["SHOW_OUTBOX"] else ""
    click.echo(f"Open360 is at {app.config['PUBLIC_URL']}/{outbox}")
    from app.warmup import warm_up

    warm_up(app)  # templates compiled before the first request, as gunicorn.conf.py does for each worker
    # Not app.run(): Flask ignores that inside its own CLI. One process, so the worker thread shares the queue.
    server.serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--queue", "queue_names", multiple=True, type=click.Choice(QUEUES),
              help="Take jobs only from this queue (repeat for several, in order of priority). Default: every "
                   "queue, mail first, then housekeeping, then reports.")
def worker(burst: bool, queue_names: tuple[str, ...]) -> None:
    """Run an RQ worker for the configured Redis, with the scheduler for delayed jobs (mail retries)."""
    from app.queue import run_worker, run_worker_start_hooks, use_app_for_jobs, worker_queues

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    use_app_for_jobs(app)
    queues = worker_queues(app, queue_names or QUEUES)
    run_worker_start_hooks()
    # Each job runs in a forked child: let every child open its own database connection rather than share (and
    # corrupt) one the parent opened for the start hooks.
    db.session.remove()
    db.engine.dispose()
    run_worker(queues, burst)


@click.command()
def clock() -> None:
    """Enqueue the clock's tick now and every minute, until stopped (production: one such small process; a second
    one is harmless). See app/clock.py."""
    import signal
    import threading

    from app.clock import run_clock
    from app.queue import HOUSEKEEPING, queue

    if current_app.config["QUEUE_MODE"] != "redis":
        raise click.ClickException("`flask clock` is for production (QUEUE_MODE redis); `flask serve` runs the "
                                   "clock on one machine.")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Clock running: a tick every minute.")
    run_clock(queue(HOUSEKEEPING), stop)


@click.command("create-user")
@click.option("--organisation", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), required=True)
@click.password_option()
def create_user(organisation: str, email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account (and its organisation if new), for example the first administrator. The same rules as an
    invitation: a valid address, one account per mailbox, separation of duties, and the password policy."""
    from app.accounts.operations import invitation_problem
    from app.accounts.rules import password_problem
    from app.addresses import normalised_email

    address = normalised_email(email)
    if address is None:
        raise click.BadParameter("Enter an email address in the correct format, like name@example.nhs.uk",
                                 param_hint="--email")
    if not name.strip():
        raise click.BadParameter("Enter the person's full name", param_hint="--name")
    wanted = frozenset(Role(r) for r in roles)
    refused = invitation_problem(address, wanted, None)
    if refused:
        raise click.BadParameter(refused[1], param_hint="--role" if refused[0] == "roles" else "--email")
    problem = password_problem(password, [name, address])
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
    user = User(organisation=org, email=address, name=name.strip(), password_hash=hash_password(password),
                role_rows=[UserRole(role=r) for r in sorted(wanted)])
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(roles))}.")
