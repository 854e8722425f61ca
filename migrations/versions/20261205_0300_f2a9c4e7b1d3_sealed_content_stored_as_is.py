"""Sealed responses and drafts are stored out of line as they are on PostgreSQL (STORAGE EXTERNAL): ciphertext
does not compress, so pglz's attempt on every write is left out (surveys/sealed.py `stored_as_is`). Nothing on SQLite.

Revision ID: f2a9c4e7b1d3
Revises: e1f2a3b4c5d6
Create Date: 2026-12-05 03:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a9c4e7b1d3'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None

TABLES = ("responses", "rater_drafts")


def _set_storage(storage: str) -> None:
    # Only new values are written the new way; existing rows keep what they hold (each submission rewrites the
    # responses of its round, each save its draft).
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN content SET STORAGE {storage}")


def upgrade():
    _set_storage("EXTERNAL")


def downgrade():
    _set_storage("EXTENDED")
