"""checkins, checkin_raters, checkin_links, checkin_sessions, checkin_responses: goal check-ins from raters
(PRODUCT §10)

Revision ID: c4e7a1d9b2f6
Revises: b7d2e9a4c315
Create Date: 2026-12-05 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a1d9b2f6'
down_revision = 'b7d2e9a4c315'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('summary_id', sa.String(length=32), nullable=False),
        sa.Column('state', sa.Enum('open', 'closed', name='checkinstate', native_enum=False, length=20),
                  nullable=False),
        sa.Column('close_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=True),
        sa.Column('counts_updated_at', sa.DateTime(), nullable=True),
        sa.Column('raters_purged_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['summary_id'], ['conversation_summaries.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_checkins_cycle_id'), 'checkins', ['cycle_id'], unique=False)
    op.create_index(op.f('ix_checkins_summary_id'), 'checkins', ['summary_id'], unique=False)
    op.create_table(
        'checkin_raters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('status', sa.Enum('not_sent', 'invited', 'done', name='invitationstatus', native_enum=False,
                                    length=20), nullable=False),
        sa.Column('invited_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('checkin_id', 'email'),
    )
    op.create_index(op.f('ix_checkin_raters_checkin_id'), 'checkin_raters', ['checkin_id'], unique=False)
    op.create_table(
        'checkin_links',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('rater_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['rater_id'], ['checkin_raters.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index(op.f('ix_checkin_links_rater_id'), 'checkin_links', ['rater_id'], unique=False)
    op.create_table(
        'checkin_sessions',
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('rater_id', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['rater_id'], ['checkin_raters.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('secret_hash'),
    )
    op.create_index(op.f('ix_checkin_sessions_rater_id'), 'checkin_sessions', ['rater_id'], unique=False)
    op.create_table(
        'checkin_responses',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_checkin_responses_checkin_id'), 'checkin_responses', ['checkin_id'], unique=False)


def downgrade():
    for table in ('checkin_responses', 'checkin_sessions', 'checkin_links', 'checkin_raters', 'checkins'):
        op.drop_table(table)
