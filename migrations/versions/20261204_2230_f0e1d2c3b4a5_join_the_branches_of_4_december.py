"""Join the migrations written side by side on 4 December (each starts from d4c0a7e15b62; none touches another's
tables or columns, so their order does not matter)

Revision ID: f0e1d2c3b4a5
Revises: 7e3a9c41d2b8, e6f1b0c2d9a4, a11e57a7e0c1, e7a95c3d1f40, e7a3c5d91f20, e5a9c3d1f7b2
Create Date: 2026-12-04 22:30:00

"""

# revision identifiers, used by Alembic.
revision = 'f0e1d2c3b4a5'
down_revision = ('7e3a9c41d2b8', 'e6f1b0c2d9a4', 'a11e57a7e0c1', 'e7a95c3d1f40', 'e7a3c5d91f20', 'e5a9c3d1f7b2')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
