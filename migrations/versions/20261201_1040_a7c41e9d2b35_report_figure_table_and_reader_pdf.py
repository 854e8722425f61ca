"""reports: the sealed figure table and content replace the sealed HTML; a second PDF for readers other than the owner

Revision ID: a7c41e9d2b35
Revises: 7d3a91c4e2b5
Create Date: 2026-12-01 10:40:00

The page is now rendered for each reader from the sealed figure table and content, so the sealed HTML goes. A report
built before this has no figure table: `flask reports verify` names it, and it cannot be shown.
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c41e9d2b35'
down_revision = '7d3a91c4e2b5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reports', sa.Column('figures_sealed', sa.LargeBinary(), server_default='', nullable=False))
    op.add_column('reports', sa.Column('content_sealed', sa.LargeBinary(), server_default='', nullable=False))
    op.add_column('reports', sa.Column('pdf_reader_sealed', sa.LargeBinary(), server_default='', nullable=False))
    op.drop_column('reports', 'html_sealed')


def downgrade():
    op.add_column('reports', sa.Column('html_sealed', sa.LargeBinary(), server_default='', nullable=False))
    op.drop_column('reports', 'pdf_reader_sealed')
    op.drop_column('reports', 'content_sealed')
    op.drop_column('reports', 'figures_sealed')
