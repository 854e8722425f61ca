"""cycles pin the organisation's nomination approval and report release settings when they start

Revision ID: e5a9c3d1f7b2
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a9c3d1f7b2'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None

PINNED = ('requires_nomination_approval', 'facilitator_releases_report')


def upgrade():
    # Plain ADD COLUMN (see d4c0a7e15b62: batch mode would copy `cycles` and cascade-delete what hangs on it).
    for column in PINNED:
        op.add_column('cycles', sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rounds already under way take the setting as it is now: the nearest thing to what they started with.
    for column in PINNED:
        op.execute(f"UPDATE cycles SET {column} = (SELECT organisations.{column} FROM organisations JOIN users "
                   f"ON users.organisation_id = organisations.id WHERE users.id = cycles.owner_id)")


def downgrade():
    for column in reversed(PINNED):
        op.drop_column('cycles', column)
