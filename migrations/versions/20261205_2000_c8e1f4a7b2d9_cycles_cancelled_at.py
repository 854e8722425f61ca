"""cycles.cancelled_at: when the owner cancelled the round, for its page ("You cancelled this round on …")

closed_at is set when a round is cancelled too, but a round cancelled after it closed keeps its closing time there,
so it cannot say when the cancelling was. Rounds cancelled before this revision have none: their page says only that
they were cancelled.

Revision ID: c8e1f4a7b2d9
Revises: b5c7e9d1a2f3
Create Date: 2026-12-05 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c8e1f4a7b2d9'
down_revision = 'b5c7e9d1a2f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles') as batch:
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('cycles') as batch:
        batch.drop_column('cancelled_at')
