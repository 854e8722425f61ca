"""questionnaire_versions, questionnaire_texts, questionnaire_choices, questionnaire_audit: questionnaire and prompt
versions kept in the database, the version new rounds get, and the administrators' audit log

The shipped YAML files are stored the first time an administrator opens the versions page (and read from their
files until then), so this migration creates the tables only.

Revision ID: b7d2e9a4c315
Revises: f0e1d2c3b4a5
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e9a4c315'
down_revision = 'f0e1d2c3b4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('status', sa.Enum('draft', 'published', 'retired', name='status', native_enum=False, length=20),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'version'),
    )
    op.create_table(
        'questionnaire_texts',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['questionnaire_versions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('version_id', 'language'),
    )
    op.create_table(
        'questionnaire_choices',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('chosen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('kind'),
    )
    op.create_table(
        'questionnaire_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_questionnaire_audit_at'), 'questionnaire_audit', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_questionnaire_audit_at'), table_name='questionnaire_audit')
    op.drop_table('questionnaire_audit')
    op.drop_table('questionnaire_choices')
    op.drop_table('questionnaire_texts')
    op.drop_table('questionnaire_versions')
