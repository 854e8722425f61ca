"""daily completion counts on cycles; invitations.withdrawn_at, confirmation_requested_at, confirmed_at

Revision ID: d4c0a7e15b62
Revises: b81f4e2a6c03
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4c0a7e15b62'
down_revision = 'b81f4e2a6c03'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD/DROP COLUMN, not batch mode: batch would copy and drop `invitations`, and with SQLite's foreign keys
    # on that deletes every rater's draft, link and session through ON DELETE CASCADE.
    op.add_column('cycles', sa.Column('counts', sa.JSON(), nullable=True))
    op.add_column('cycles', sa.Column('counts_updated_at', sa.DateTime(), nullable=True))
    op.add_column('invitations', sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
    op.add_column('invitations', sa.Column('confirmation_requested_at', sa.DateTime(), nullable=True))
    op.add_column('invitations', sa.Column('confirmed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('invitations', 'confirmed_at')
    op.drop_column('invitations', 'confirmation_requested_at')
    op.drop_column('invitations', 'withdrawn_at')
    op.drop_column('cycles', 'counts_updated_at')
    op.drop_column('cycles', 'counts')
