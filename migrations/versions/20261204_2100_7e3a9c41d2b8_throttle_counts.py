"""throttle_counts: the sign-in and password-reset throttle's counters, in the database so they hold across web
processes and while Redis is down

Revision ID: 7e3a9c41d2b8
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e3a9c41d2b8'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'throttle_counts',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade():
    op.drop_table('throttle_counts')
