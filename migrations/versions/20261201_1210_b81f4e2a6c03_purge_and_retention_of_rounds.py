"""purge and retention of rounds: when their raters were purged and their owner told of deletion

Revision ID: b81f4e2a6c03
Revises: a1462ec6f76e
Create Date: 2026-12-01 11:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b81f4e2a6c03'
down_revision = 'a1462ec6f76e'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN, not a batch: on SQLite a batch copies the table and drops the old one, and with
    # foreign keys on, that drop would cascade to every invitation, draft and response of every round.
    op.add_column('cycles', sa.Column('raters_purged_at', sa.DateTime(), nullable=True))
    op.add_column('cycles', sa.Column('deletion_notified_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('cycles', 'deletion_notified_at')
    op.drop_column('cycles', 'raters_purged_at')
