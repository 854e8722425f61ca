"""organisations.min_round_interval_months; users.deleted_round_closed_at

Revision ID: e7a95c3d1f40
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a95c3d1f40'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not batch mode: batch would copy and drop `users`, and with SQLite's foreign keys on that
    # deletes rows that refer to it through ON DELETE CASCADE.
    op.add_column('organisations', sa.Column('min_round_interval_months', sa.Integer(), nullable=False,
                                             server_default='6'))
    op.add_column('users', sa.Column('deleted_round_closed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('users', 'deleted_round_closed_at')
    op.drop_column('organisations', 'min_round_interval_months')
