"""rater_links and rater_sessions: only hashes of fresh tokens; invitations lose the nonce links were derived from

Revision ID: a7c41e9b2d55
Revises: a7c41e9d2b35
Create Date: 2026-12-01 10:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c41e9b2d55'
down_revision = 'a7c41e9d2b35'
branch_labels = None
depends_on = None


def _rebuild_invitations(change) -> None:
    """Batch mode copies `invitations` and drops the old table; with SQLite's foreign keys on, that drop deletes
    every rater's draft through ON DELETE CASCADE, so the drafts are set aside and put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE keep_rater_drafts AS SELECT * FROM rater_drafts")
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        op.execute("INSERT OR IGNORE INTO rater_drafts SELECT * FROM keep_rater_drafts")
        op.execute("DROP TABLE keep_rater_drafts")


def upgrade():
    op.create_table('rater_links',
                    sa.Column('token_hash', sa.String(length=64), nullable=False),
                    sa.Column('invitation_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('token_hash'))
    op.create_index(op.f('ix_rater_links_invitation_id'), 'rater_links', ['invitation_id'], unique=False)
    op.create_table('rater_sessions',
                    sa.Column('secret_hash', sa.String(length=64), nullable=False),
                    sa.Column('invitation_id', sa.Integer(), nullable=False),
                    sa.Column('expires_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('secret_hash'))
    op.create_index(op.f('ix_rater_sessions_invitation_id'), 'rater_sessions', ['invitation_id'], unique=False)
    # Links already emailed keep working until the rater answers: their hashes move to the new table.
    op.execute("INSERT INTO rater_links (token_hash, invitation_id) "
               "SELECT token_hash, id FROM invitations WHERE status = 'invited'")

    def drop(batch_op) -> None:
        batch_op.drop_column('token_hash')
        batch_op.drop_column('link_nonce')

    _rebuild_invitations(drop)


def downgrade():
    # Links sent under the new scheme cannot be turned back into nonces: every rater would need a new email.
    def add(batch_op) -> None:
        batch_op.add_column(sa.Column('link_nonce', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))

    _rebuild_invitations(add)
    op.execute("UPDATE invitations SET token_hash = (SELECT MIN(token_hash) FROM rater_links "
               "WHERE rater_links.invitation_id = invitations.id)")
    op.drop_index(op.f('ix_rater_sessions_invitation_id'), table_name='rater_sessions')
    op.drop_table('rater_sessions')
    op.drop_index(op.f('ix_rater_links_invitation_id'), table_name='rater_links')
    op.drop_table('rater_links')
