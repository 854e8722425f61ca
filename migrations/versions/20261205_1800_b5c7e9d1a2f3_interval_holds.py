"""interval_holds: a deleted account's last close, against a keyed hash of its address, while the interval runs

Revision ID: b5c7e9d1a2f3
Revises: a3b8d2e6f1c4
Create Date: 2026-12-05 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b5c7e9d1a2f3'
down_revision = 'a3b8d2e6f1c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interval_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'address_key'),
    )


def downgrade():
    op.drop_table('interval_holds')
