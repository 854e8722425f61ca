"""invitations never say whether a rater answered or declined ('responded' and 'declined' become 'done', and every
sent invitation of a round that no longer takes responses becomes 'done'); facilitators' averages published in
whole blocks of 3 and kept as counters (evaluations.is_published, facilitator_averages)

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
    # Plain ADD COLUMN, not batch mode (see d4c0a7e15b62). Nothing is published here: a facilitator's next visit
    # publishes the earliest whole blocks of 3, the same evaluations the page showed before.
    op.add_column('evaluations', sa.Column('is_published', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('facilitator_averages',
                    sa.Column('facilitator_id', sa.Integer(), nullable=False),
                    sa.Column('count', sa.Integer(), nullable=False),
                    sa.Column('sums', sa.JSON(), nullable=False),
                    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('facilitator_id'))


def downgrade():
    op.drop_table('facilitator_averages')
    op.drop_column('evaluations', 'is_published')
    # What each rater did is gone for good (that is the point); the old schema reads every 'done' as declined, which
    # keeps their links shut and their reminders stopped.
    op.execute("UPDATE invitations SET status = 'declined' WHERE status = 'done'")
