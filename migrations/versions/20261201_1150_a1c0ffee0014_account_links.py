"""account_links: one-time links to set a password (invitations and resets), only a hash of each token kept;
users.session_version, so that signing out ends every copy of a session

Revision ID: a1c0ffee0014
Revises: c3e8f1a2b9d4
Create Date: 2026-12-01 11:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a1c0ffee0014'
down_revision = 'c3e8f1a2b9d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(op.f('ix_account_links_user_id'), 'account_links', ['user_id'], unique=False)
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'session_version')
    op.drop_index(op.f('ix_account_links_user_id'), table_name='account_links')
    op.drop_table('account_links')
