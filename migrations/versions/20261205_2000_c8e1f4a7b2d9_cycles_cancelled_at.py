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


# Not in batch mode: SQLite would copy the table and drop the old one, and with foreign keys on, that drop takes
# every row that cascades from a round (its invitations, responses, drafts) with it. Both add and drop a plain
# nullable column in place.
def upgrade():
    op.add_column('cycles', sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('cycles', 'cancelled_at')
