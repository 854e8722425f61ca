"""outbound_mail: indexed by status and age, so the oldest pending mail is the index's first entry

Revision ID: a3b8d2e6f1c4
Revises: f2a9c4e7b1d3
Create Date: 2026-12-05 14:00:00

"""
from alembic import op

revision = 'a3b8d2e6f1c4'
down_revision = 'f2a9c4e7b1d3'
branch_labels = None
depends_on = None


def upgrade():
    # The status alone is the new index's first column: every query the old index served, this one serves.
    op.create_index('ix_outbound_mail_status_created_at', 'outbound_mail', ['status', 'created_at'], unique=False)
    op.drop_index('ix_outbound_mail_status', table_name='outbound_mail')


def downgrade():
    op.create_index('ix_outbound_mail_status', 'outbound_mail', ['status'], unique=False)
    op.drop_index('ix_outbound_mail_status_created_at', table_name='outbound_mail')
