"""outbound_mail: when a send was claimed, how often a dead worker cut one off, and an index by what it is about

Revision ID: 3c9e2f4d7a10
Revises: 081b6171ac83
Create Date: 2026-11-24 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '3c9e2f4d7a10'
down_revision = '081b6171ac83'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbound_mail', sa.Column('claimed_at', sa.DateTime(), nullable=True))
    op.add_column('outbound_mail', sa.Column('interrupted', sa.Integer(), server_default='0', nullable=False))
    op.create_index('ix_outbound_mail_kind_ref_id', 'outbound_mail', ['kind', 'ref_id'], unique=False)


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode, which would rebuild the table (see 081b6171ac83).
    op.drop_index('ix_outbound_mail_kind_ref_id', table_name='outbound_mail')
    op.drop_column('outbound_mail', 'interrupted')
    op.drop_column('outbound_mail', 'claimed_at')
