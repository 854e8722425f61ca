"""USAGE_READ_DATABASE_URL: the local leads' usage pages read published quarters from a read replica, and nothing
else does (usage/reads.py). The replica here is a SQLite file of its own, filled by hand to stand for one that lags."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from tests.fixtures.people import signed_in
from tests.usage.test_usage import NOW, usage_org  # noqa: F401  (the fixture, used by name)
from usage import jobs, operations
from usage.models import UsageQuarter
from usage.reads import init_reads


@pytest.fixture
def replica(app: Flask, tmp_path: Path) -> sa.Engine:
    """A replica with no tables yet: whatever reads it before the test fills it fails."""
    url = f"sqlite:///{tmp_path / 'replica.sqlite3'}"
    app.config["USAGE_READ_DATABASE_URL"] = url
    init_reads(app)
    yield sa.create_engine(url)
    app.extensions.pop("open360_usage_reads").dispose()


def copy_quarters(replica: sa.Engine, *quarters: str) -> None:
    """What the replica has replayed so far: these published quarters of the primary's."""
    UsageQuarter.__table__.create(replica, checkfirst=True)
    rows = [dict(row._mapping) for row in db.session.execute(
        sa.select(UsageQuarter.__table__).where(UsageQuarter.quarter.in_(quarters)))]
    with replica.begin() as connection:
        connection.execute(sa.insert(UsageQuarter.__table__), rows)


def test_the_quarterly_build_never_reads_the_replica(app: Flask, usage_org, organisation,  # noqa: F811
                                                     replica: sa.Engine) -> None:
    assert jobs.tick(NOW) == "built 2 usage quarters"  # the replica has no tables: a read there would fail
    assert sorted(db.session.scalars(sa.select(UsageQuarter.quarter))) == ["2026Q1", "2026Q2"]
    operations.check(operations.published(organisation.id))
    assert sa.inspect(replica).get_table_names() == []  # and nothing was written there


def test_the_usage_pages_read_the_replica_which_shows_fewer_quarters_when_it_lags(
        app: Flask, usage_org, organisation, replica: sa.Engine) -> None:  # noqa: F811
    jobs.tick(NOW)
    copy_quarters(replica, "2026Q1")  # April to June replayed; July to September not yet
    client = signed_in(app, usage_org["lead"])
    page = client.get("/usage").get_data(as_text=True)
    assert "April to June 2026" in page and "July to September 2026" not in page
    assert "60%" in page  # the replica's figures, checked again before they are shown
    assert client.get("/usage/reports/2026Q1/pdf").data.startswith(b"%PDF")
    assert client.get("/usage/reports/2026Q2/csv").status_code == 404  # on the primary, not yet on the replica

    copy_quarters(replica, "2026Q2")
    page = client.get("/usage").get_data(as_text=True)
    assert "July to September 2026" in page
    assert client.get("/usage/reports/2026Q2/csv").status_code == 200
