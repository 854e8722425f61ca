"""daily completion counts on cycles; invitations.withdrawn_at

Revision ID: d4c0a7e15b62
Revises: a1462ec6f76e
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4c0a7e15b62'
down_revision = 'a1462ec6f76e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('counts_updated_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('counts_updated_at')
        batch_op.drop_column('counts')
