"""invitations.invited_at (reminders count from it) and cycles.reminded_all_on (remind all, once a day)

Revision ID: 081b6171ac83
Revises: 5b1e0c7a9d21
Create Date: 2026-11-24 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '081b6171ac83'
down_revision = '5b1e0c7a9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_all_on', sa.Date(), nullable=True))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))

    # Raters invited before this column existed were invited when their round opened: the nearest time we have.
    # Plain SQL with a correlated subquery, which SQLite and PostgreSQL both run as one statement.
    op.execute("UPDATE invitations SET invited_at = (SELECT cycles.opened_at FROM cycles "
               "WHERE cycles.id = invitations.cycle_id) WHERE status <> 'not_sent'")


def downgrade():
    # A plain DROP COLUMN (SQLite has it since 3.35), not batch mode: batch would copy and drop the whole table, and
    # with SQLite's foreign keys on, dropping `invitations` deletes every rater's draft through ON DELETE CASCADE.
    op.drop_column('invitations', 'invited_at')
    op.drop_column('cycles', 'reminded_all_on')
