"""Where the local leads' usage pages read their published quarters from: a read replica when
`USAGE_READ_DATABASE_URL` is set (production), else the service's own database.

Only what these pages show goes there, and all of it is fixed once written: a quarter's cells, PDF and CSV are built
once, on the primary, and never changed (usage/models.py). A replica that lags therefore shows fewer quarters, never
other figures, and the checker runs again on whatever it read before anything is shown. Nothing an anonymity rule
decides from is read here: the quarterly build (its counts, its claim, the suppression of the new quarter against
the ones before) and every other page read and write the primary only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app

from app.extensions import db

_ENGINE = "open360_usage_reads"


def init_reads(app: Flask) -> None:
    url = app.config.get("USAGE_READ_DATABASE_URL")
    if url:
        app.extensions[_ENGINE] = sa.create_engine(url, pool_pre_ping=True)


@contextmanager
def published_reads() -> Iterator[so.Session]:
    """A session for reading published quarters: the replica's (read-only, closed after), or the request's own."""
    engine = current_app.extensions.get(_ENGINE)
    if engine is None:
        yield db.session
        return
    with so.Session(engine) as session:
        yield session
