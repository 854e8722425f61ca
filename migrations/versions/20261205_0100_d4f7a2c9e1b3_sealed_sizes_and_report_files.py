"""responses and rater_drafts: every value re-sealed at its round's own fixed size (surveys/sealed.py padded_size)

Before, every response and draft was padded to 48 KiB whatever the round's questionnaire; now a round's size is the
largest answer its questionnaire allows, rounded up to a 4 KiB bucket. Every value of a round is re-sealed at that
size in this one transaction (same row, same associated data, a fresh nonce), so within a round every row keeps one
length. A comment that held invisible control characters loses them, as the rater pages now do.

reports: the two sealed PDFs move out of the database into the report files folder (reports/files.py), sealed as
they were; the columns go. Going down, they come back from the files.

Revision ID: d4f7a2c9e1b3
Revises: b7d2e9a4c315
Create Date: 2026-12-05 01:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = 'd4f7a2c9e1b3'
down_revision = 'b7d2e9a4c315'
branch_labels = None
depends_on = None

OLD_PADDED_BYTES = 48 * 1024  # the single size before this revision
_DECODER = json.JSONDecoder()


def _questionnaire(bind, version: str, org_statements):
    """The round's questionnaire as the app reads it: the stored published text, else the shipped file."""
    from surveys.questionnaire import _parse, load_file, shipped_files

    text = bind.execute(sa.text(
        "SELECT t.source FROM questionnaire_texts t JOIN questionnaire_versions v ON v.id = t.version_id "
        "WHERE v.kind = 'questionnaire' AND v.version = :version AND t.language = 'en'"),
        {"version": version}).scalar()
    base = _parse(text, f"ccl-{version}.yaml") if text else load_file(shipped_files()[version])
    statements = json.loads(org_statements) if isinstance(org_statements, str) else org_statements or []
    return base.with_org_statements([(s[0], s[1], s[2]) for s in statements]) if statements else base


def _reseal(size_of_cycle) -> None:
    from app.crypto import key_ring  # migrations run inside the app (flask db upgrade), which holds the keys
    from surveys.answers import clean_comment
    from surveys.sealed import TooLargeError, pad

    ring = key_ring()
    bind = op.get_bind()
    queries = {
        "responses": "SELECT r.id, r.cycle_id, r.content FROM responses r",
        "rater_drafts": "SELECT d.invitation_id, i.cycle_id, d.content FROM rater_drafts d "
                        "JOIN invitations i ON i.id = d.invitation_id",
    }
    key_column = {"responses": "id", "rater_drafts": "invitation_id"}
    for table, query in queries.items():
        for row_id, cycle_id, stored in bind.execute(sa.text(query)).all():
            context = f"{table}.content|{row_id}"
            value = _DECODER.raw_decode(ring.decrypt_text(stored, context))[0]
            size = size_of_cycle(cycle_id)
            try:
                text = pad(value, size)
            except TooLargeError:
                value["comments"] = {k: clean_comment(v) for k, v in (value.get("comments") or {}).items()}
                text = pad(value, size)
            bind.execute(sa.text(f"UPDATE {table} SET content = :content WHERE {key_column[table]} = :id"),
                         {"content": ring.encrypt_text(text, context), "id": row_id})


_PDF_COLUMNS = {"pdf": "pdf_sealed", "pdf_reader": "pdf_reader_sealed"}


def _pdfs_to_files() -> None:
    from reports.files import file_name, report_files

    store = report_files()
    bind = op.get_bind()
    for report_id, *parts in bind.execute(sa.text("SELECT id, pdf_sealed, pdf_reader_sealed FROM reports")).all():
        for part, sealed in zip(_PDF_COLUMNS, parts, strict=True):
            if sealed:
                store.write_once(file_name(report_id, part), bytes(sealed))
    with op.batch_alter_table('reports') as batch:
        for column in _PDF_COLUMNS.values():
            batch.drop_column(column)


def _pdfs_from_files() -> None:
    from reports.files import file_name, report_files

    with op.batch_alter_table('reports') as batch:
        for column in _PDF_COLUMNS.values():
            batch.add_column(sa.Column(column, sa.LargeBinary(), nullable=False, server_default=''))
    store = report_files()
    bind = op.get_bind()
    for report_id in bind.execute(sa.text("SELECT id FROM reports")).scalars().all():
        for part, column in _PDF_COLUMNS.items():
            sealed = store.read(file_name(report_id, part))
            if sealed is not None:
                bind.execute(sa.text(f"UPDATE reports SET {column} = :sealed WHERE id = :id"),
                             {"sealed": sealed, "id": report_id})
                store.delete([file_name(report_id, part)])


def upgrade():
    from surveys.sealed import padded_size

    bind = op.get_bind()
    sizes = {}

    def size_of_cycle(cycle_id: int) -> int:
        if cycle_id not in sizes:
            version, org_statements = bind.execute(sa.text(
                "SELECT questionnaire_version, org_statements FROM cycles WHERE id = :id"), {"id": cycle_id}).one()
            sizes[cycle_id] = padded_size(_questionnaire(bind, version, org_statements))
        return sizes[cycle_id]

    _reseal(size_of_cycle)
    _pdfs_to_files()


def downgrade():
    _pdfs_from_files()
    _reseal(lambda _cycle_id: OLD_PADDED_BYTES)
