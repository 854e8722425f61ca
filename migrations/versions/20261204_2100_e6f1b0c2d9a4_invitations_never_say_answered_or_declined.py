"""invitations never say whether a rater answered or declined: 'responded' and 'declined' become 'done', and every
sent invitation of a round that no longer takes responses becomes 'done'

Revision ID: e6f1b0c2d9a4
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6f1b0c2d9a4'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None


def upgrade():
    # The column is a plain string (a non-native enum without a CHECK constraint), so only its values change. A round
    # that has closed already took its final counts; an open one's next daily update counts its responses instead.
    op.execute("UPDATE invitations SET status = 'done' WHERE status IN ('responded', 'declined') "
               "OR (status = 'invited' AND cycle_id IN (SELECT id FROM cycles WHERE state != 'open'))")


def downgrade():
    # What each rater did is gone for good (that is the point); the old schema reads every 'done' as declined, which
    # keeps their links shut and their reminders stopped.
    op.execute("UPDATE invitations SET status = 'declined' WHERE status = 'done'")
