"""encrypt rater draft answers at rest

Revision ID: 5b1e0c7a9d21
Revises: d76e297a11a3
Create Date: 2026-11-24 11:30:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = '5b1e0c7a9d21'
down_revision = 'd76e297a11a3'
branch_labels = None
depends_on = None

CONTEXT = "rater_drafts.answers"
drafts = sa.table("rater_drafts", sa.column("invitation_id", sa.Integer), sa.column("answers", sa.Text))


def _rewrite(convert) -> None:
    connection = op.get_bind()
    for invitation_id, answers in connection.execute(sa.select(drafts.c.invitation_id, drafts.c.answers)).all():
        if answers is not None:
            connection.execute(drafts.update().where(drafts.c.invitation_id == invitation_id)
                               .values(answers=convert(answers)))


def upgrade():
    from app.crypto import key_ring  # migrations run inside the app (flask db upgrade), which holds the keys

    with op.batch_alter_table('rater_drafts') as batch_op:
        batch_op.alter_column('answers', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using='answers::text')
    _rewrite(lambda plain: key_ring().encrypt_text(plain if isinstance(plain, str) else json.dumps(plain), CONTEXT))


def downgrade():
    from app.crypto import key_ring

    _rewrite(lambda sealed: key_ring().decrypt_text(sealed, CONTEXT))
    with op.batch_alter_table('rater_drafts') as batch_op:
        batch_op.alter_column('answers', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using='answers::json')
