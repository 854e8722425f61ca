"""usage_quarters: each organisation's usage figures, built once per quarter, with its report

Revision ID: b2d5e0f1a314
Revises: a1c0ffee0014
Create Date: 2026-12-01 11:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b2d5e0f1a314'
down_revision = 'a1c0ffee0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'usage_quarters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.String(length=8), nullable=False),
        sa.Column('cells', sa.JSON(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('csv', sa.Text(), nullable=False),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'quarter'),
    )
    op.create_index(op.f('ix_usage_quarters_organisation_id'), 'usage_quarters', ['organisation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_usage_quarters_organisation_id'), table_name='usage_quarters')
    op.drop_table('usage_quarters')
