"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from app import create_app
from app.extensions import db


def test_migrations_match_the_models(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app: Flask = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SMTP_PORT": mail_server.port})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name='responses'").scalar().rstrip().endswith("WITHOUT ROWID")
