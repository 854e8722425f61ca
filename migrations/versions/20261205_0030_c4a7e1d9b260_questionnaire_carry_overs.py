"""questionnaire_carry_overs: which statements of one published questionnaire version carry over to another, as an
administrator declared them on the compare page (the change since the last report compares only through them)

Revision ID: c4a7e1d9b260
Revises: b7d2e9a4c315
Create Date: 2026-12-05 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e1d9b260'
down_revision = 'b7d2e9a4c315'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_carry_overs',
        sa.Column('older_version', sa.String(length=20), nullable=False),
        sa.Column('newer_version', sa.String(length=20), nullable=False),
        sa.Column('older_key', sa.String(length=200), nullable=False),
        sa.Column('newer_key', sa.String(length=200), nullable=True),
        sa.Column('declared_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('older_version', 'newer_version', 'older_key'),
    )


def downgrade():
    op.drop_table('questionnaire_carry_overs')
