"""questionnaire_audit.detail: what an edit on the site changed ("ability.professional.1: owner's wording, title"),
beside the action ("Edited a statement")

Revision ID: c4e8a1f6d273
Revises: b7d2e9a4c315
Create Date: 2026-12-05 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f6d273'
down_revision = 'b7d2e9a4c315'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questionnaire_audit') as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('questionnaire_audit') as batch_op:
        batch_op.drop_column('detail')
