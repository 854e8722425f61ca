"""Join the migrations written side by side on 5 December (each starts from b7d2e9a4c315; none touches another's
tables or columns, so their order does not matter)

Revision ID: e1f2a3b4c5d6
Revises: c4d8e2a61f93, d4f7a2c9e1b3, c4e7a1d9b2f6, c4a7e1d9b260, c4e8a1f6d273
Create Date: 2026-12-05 02:00:00

"""

# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = ('c4d8e2a61f93', 'd4f7a2c9e1b3', 'c4e7a1d9b2f6', 'c4a7e1d9b260', 'c4e8a1f6d273')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
