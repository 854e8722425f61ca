"""organisations.accessibility_contact_name, accessibility_contact_email (the accessibility statement names them)

Revision ID: a11e57a7e0c1
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11e57a7e0c1'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not batch mode (see d4c0a7e15b62): batch would copy and drop `organisations`.
    op.add_column('organisations', sa.Column('accessibility_contact_name', sa.String(200), nullable=False,
                                             server_default=''))
    op.add_column('organisations', sa.Column('accessibility_contact_email', sa.String(320), nullable=False,
                                             server_default=''))


def downgrade():
    op.drop_column('organisations', 'accessibility_contact_email')
    op.drop_column('organisations', 'accessibility_contact_name')
