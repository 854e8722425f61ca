"""organisations: email domains, external raters, nomination approval, purge and retention periods, report release

Revision ID: 4a7d2c9e1b55
Revises: 3c9e2f4d7a10
Create Date: 2026-12-01 10:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = '4a7d2c9e1b55'
down_revision = '3c9e2f4d7a10'
branch_labels = None
depends_on = None

COLUMNS = (
    ('email_domains', sa.JSON(), '[]'),
    ('allows_external_raters', sa.Boolean(), sa.false()),
    ('requires_nomination_approval', sa.Boolean(), sa.false()),
    ('rater_purge_days', sa.Integer(), '30'),
    ('retention_days', sa.Integer(), '1095'),
    ('facilitator_releases_report', sa.Boolean(), sa.false()),
)


def upgrade():
    for name, type_, default in COLUMNS:
        op.add_column('organisations', sa.Column(name, type_, server_default=default, nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode, which would rebuild the table (see 081b6171ac83).
    for name, _, _ in reversed(COLUMNS):
        op.drop_column('organisations', name)
