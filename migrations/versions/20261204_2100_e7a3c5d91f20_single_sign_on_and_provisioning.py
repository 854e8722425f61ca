"""single sign-on settings per organisation, the provider identities linked to accounts, SCIM tokens and provisioned accounts

Revision ID: e7a3c5d91f20
Revises: d4c0a7e15b62
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a3c5d91f20'
down_revision = 'd4c0a7e15b62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_settings',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('provider_name', sa.String(length=100), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('auth_method', sa.String(length=30), server_default='client_secret_basic', nullable=False),
        sa.Column('credential', sa.Text(), nullable=True),
        sa.Column('tenant_ids', sa.JSON(), server_default='[]', nullable=False),
        sa.Column('acr', sa.String(length=200), server_default='', nullable=False),
        sa.Column('is_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('allows_password_sign_in', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id'),
    )
    op.create_table(
        'sso_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('linked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('issuer', 'subject'),
    )
    op.create_index('ix_sso_identities_user_id', 'sso_identities', ['user_id'])
    op.create_table(
        'scim_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_scim_tokens_organisation_id', 'scim_tokens', ['organisation_id'])
    op.create_table(
        'scim_accounts',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('user_name', sa.String(length=320), nullable=False),
        sa.Column('external_id', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('scim_accounts')
    op.drop_index('ix_scim_tokens_organisation_id', table_name='scim_tokens')
    op.drop_table('scim_tokens')
    op.drop_index('ix_sso_identities_user_id', table_name='sso_identities')
    op.drop_table('sso_identities')
    op.drop_table('sso_settings')
