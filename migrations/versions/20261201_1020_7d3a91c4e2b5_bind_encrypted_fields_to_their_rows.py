"""bind every encrypted field to its row as well as its column

Re-encrypts each stored value with `<context>|<primary key>` as associated data (it was `<context>` alone), so a
ciphertext copied into another row no longer opens there. Values are read and written as text, table by table.

Revision ID: 7d3a91c4e2b5
Revises: 4a7d2c9e1b55
Create Date: 2026-12-01 10:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7d3a91c4e2b5'
down_revision = '4a7d2c9e1b55'
branch_labels = None
depends_on = None

# (table, primary key, {column: context}) as the schema stood at this revision
FIELDS = [
    ("preparation_documents", "cycle_id", {"texts": "preparation.texts"}),
    ("rater_drafts", "invitation_id", {"answers": "rater_drafts.answers", "comments": "rater_drafts.comments"}),
    ("responses", "id", {"comments": "responses.comments"}),
]


def _rewrite(convert) -> None:
    connection = op.get_bind()
    for name, key, contexts in FIELDS:
        table = sa.table(name, sa.column(key), *(sa.column(c, sa.Text) for c in contexts))
        for row in connection.execute(sa.select(table.c[key], *(table.c[c] for c in contexts))).all():
            row_id, values = row[0], dict(zip(contexts, row[1:]))
            new = {c: convert(v, contexts[c], row_id) for c, v in values.items() if v is not None}
            if new:
                connection.execute(table.update().where(table.c[key] == row_id).values(**new))


def upgrade():
    from app.crypto import key_ring  # migrations run inside the app (flask db upgrade), which holds the keys

    ring = key_ring()
    _rewrite(lambda sealed, context, row_id: ring.encrypt_text(ring.decrypt_text(sealed, context),
                                                               f"{context}|{row_id}"))


def downgrade():
    from app.crypto import key_ring

    ring = key_ring()
    _rewrite(lambda sealed, context, row_id: ring.encrypt_text(ring.decrypt_text(sealed, f"{context}|{row_id}"),
                                                               context))
