"""responses and rater_drafts: one encrypted value of fixed size each (category, answers, comments inside)

Each table is built anew and filled from the old one, then the old one is dropped: batch mode would drop SQLite's
WITHOUT ROWID on `responses`. Every value is re-encrypted under a fresh random key (responses) or its invitation
(drafts), padded to 48 KiB.

Revision ID: c3e8f1a2b9d4
Revises: a7c41e9b2d55
Create Date: 2026-12-01 11:00:00

"""
import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = 'c3e8f1a2b9d4'
down_revision = 'a7c41e9b2d55'
branch_labels = None
depends_on = None

PADDED_BYTES = 48 * 1024  # as surveys/sealed.py at this revision


def _pad(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text + " " * (PADDED_BYTES - len(text.encode()))


def _swap(name: str, create, rows) -> None:
    create(f"{name}_new")
    new = sa.table(f"{name}_new", *(sa.column(k) for k in (rows[0] if rows else {})))
    if rows:
        op.get_bind().execute(new.insert(), rows)
    op.drop_table(name)
    op.rename_table(f"{name}_new", name)


def _create_responses(name: str) -> None:
    op.create_table(name,
                    sa.Column('id', sa.String(length=32), nullable=False),
                    sa.Column('cycle_id', sa.Integer(), nullable=False),
                    sa.Column('content', sa.Text(), nullable=False),
                    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id'),
                    sqlite_with_rowid=False)


def _create_drafts(name: str) -> None:
    op.create_table(name,
                    sa.Column('invitation_id', sa.Integer(), nullable=False),
                    sa.Column('content', sa.Text(), nullable=False),
                    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('invitation_id'))


def upgrade():
    from app.crypto import key_ring  # migrations run inside the app (flask db upgrade), which holds the keys

    ring = key_ring()
    bind = op.get_bind()

    def opened(sealed, context, row_id):
        return json.loads(ring.decrypt_text(sealed, f"{context}|{row_id}")) if sealed else None

    responses = []
    for row_id, cycle_id, category, answers, comments in bind.execute(sa.text(
            "SELECT id, cycle_id, category, answers, comments FROM responses")).all():
        key = uuid.uuid4().hex
        content = {"category": category, "answers": json.loads(answers) if isinstance(answers, str) else answers,
                   "comments": opened(comments, "responses.comments", row_id) or {}}
        responses.append({"id": key, "cycle_id": cycle_id,
                          "content": ring.encrypt_text(_pad(content), f"responses.content|{key}")})
    op.drop_index('ix_responses_cycle_id', table_name='responses')
    _swap("responses", _create_responses, sorted(responses, key=lambda r: r["id"]))
    op.create_index(op.f('ix_responses_cycle_id'), 'responses', ['cycle_id'], unique=False)

    drafts = []
    for invitation_id, answers, comments in bind.execute(sa.text(
            "SELECT invitation_id, answers, comments FROM rater_drafts")).all():
        content = {"answers": opened(answers, "rater_drafts.answers", invitation_id) or {},
                   "comments": opened(comments, "rater_drafts.comments", invitation_id) or {}}
        drafts.append({"invitation_id": invitation_id,
                       "content": ring.encrypt_text(_pad(content), f"rater_drafts.content|{invitation_id}")})
    _swap("rater_drafts", _create_drafts, drafts)


def downgrade():
    from app.crypto import key_ring

    ring = key_ring()
    bind = op.get_bind()
    responses = []
    for key, cycle_id, sealed in bind.execute(sa.text("SELECT id, cycle_id, content FROM responses")).all():
        content = json.loads(ring.decrypt_text(sealed, f"responses.content|{key}"))
        responses.append({"id": key, "cycle_id": cycle_id, "category": content["category"],
                          "answers": json.dumps(content["answers"]),
                          "comments": ring.encrypt_text(json.dumps(content["comments"]), f"responses.comments|{key}")})

    def create_old_responses(name: str) -> None:
        op.create_table(name,
                        sa.Column('id', sa.String(length=32), nullable=False),
                        sa.Column('cycle_id', sa.Integer(), nullable=False),
                        sa.Column('category', sa.Enum('self', 'manager', 'peer', 'direct_report', 'other',
                                                      name='category', native_enum=False, length=20), nullable=False),
                        sa.Column('answers', sa.JSON(), nullable=False),
                        sa.Column('comments', sa.Text(), nullable=False),
                        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ondelete='CASCADE'),
                        sa.PrimaryKeyConstraint('id'),
                        sqlite_with_rowid=False)

    op.drop_index('ix_responses_cycle_id', table_name='responses')
    _swap("responses", create_old_responses, responses)
    op.create_index(op.f('ix_responses_cycle_id'), 'responses', ['cycle_id'], unique=False)

    drafts = []
    for invitation_id, sealed in bind.execute(sa.text("SELECT invitation_id, content FROM rater_drafts")).all():
        content = json.loads(ring.decrypt_text(sealed, f"rater_drafts.content|{invitation_id}"))
        drafts.append({"invitation_id": invitation_id,
                       "answers": ring.encrypt_text(json.dumps(content["answers"]),
                                                    f"rater_drafts.answers|{invitation_id}"),
                       "comments": ring.encrypt_text(json.dumps(content["comments"]),
                                                     f"rater_drafts.comments|{invitation_id}")})

    def create_old_drafts(name: str) -> None:
        op.create_table(name,
                        sa.Column('invitation_id', sa.Integer(), nullable=False),
                        sa.Column('answers', sa.Text(), nullable=False),
                        sa.Column('comments', sa.Text(), nullable=False),
                        sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ondelete='CASCADE'),
                        sa.PrimaryKeyConstraint('invitation_id'))

    _swap("rater_drafts", create_old_drafts, drafts)
