"""The Alembic migrations build exactly the schema the models describe, and go down and up again, keeping data."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from app import create_app
from app.crypto import key_ring
from app.extensions import db
from surveys.models import Cycle, Invitation, RaterDraft


def _migrated_app(tmp_path, mail_server) -> Flask:  # type: ignore[no-untyped-def]
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SMTP_PORT": mail_server.port,
                               "REPORT_FILES_DIR": str(tmp_path / "report-files")})


OPENED_AT = datetime(2026, 11, 2, 9, 30)


def _old_round(*statuses: str) -> int:
    """An owner, an opened round and one rater per status, written in SQL the way an older schema held them (today's
    models have columns it lacks). Returns the first rater's invitation id."""
    types = {"at": sa.DateTime(), "on": sa.Date()}

    def run(sql: str, **params: object) -> None:
        db.session.execute(sa.text(sql).bindparams(*[sa.bindparam(k, type_=types[k]) for k in params if k in types]),
                           params)

    run("INSERT INTO organisations (id, name) VALUES (1, 'Trust')")
    run("INSERT INTO users (id, organisation_id, email, name, password_hash, created_at) "
        "VALUES (1, 1, 'o@trust.example', 'Olu', 'x', :at)", at=OPENED_AT)
    run("INSERT INTO cycles (id, owner_id, state, questionnaire_version, org_statements, close_on, created_at, "
        "opened_at) VALUES (1, 1, 'open', '2026.1', '[]', :on, :at, :at)", at=OPENED_AT,
        on=OPENED_AT.date() + timedelta(days=21))
    for n, status in enumerate(statuses, start=1):
        run("INSERT INTO invitations (id, cycle_id, name, email, category, status, link_nonce, token_hash, "
            "link_version) VALUES (:id, 1, :name, :email, 'peer', :status, :nonce, :hash, 1)", id=n,
            name=f"Rater {n}", email=f"rater{n}@trust.example", status=status, nonce=f"nonce{n}", hash=f"hash{n}")
    db.session.commit()
    return 1


def _sealed_storage(connection: sa.Connection) -> dict[str, str]:
    return dict(connection.exec_driver_sql(
        "SELECT attrelid::regclass::text, attstorage FROM pg_attribute WHERE attname = 'content' "
        "AND attrelid IN ('responses'::regclass, 'rater_drafts'::regclass)").all())


def test_sealed_values_are_stored_as_they_are_on_postgresql(app: Flask) -> None:
    with db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL storage setting: run under python -m tests.servers")
        assert _sealed_storage(connection) == {"rater_drafts": "e", "responses": "e"}


def test_migrations_match_the_models(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade()
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
                assert diff == []
                if connection.dialect.name == "sqlite":
                    assert connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='responses'"
                                                      ).scalar().rstrip().endswith("WITHOUT ROWID")
                else:  # sealed values are stored as they are, as the models create them (surveys/sealed.py)
                    assert _sealed_storage(connection) == {"rater_drafts": "e", "responses": "e"}
            downgrade(revision="base")
            assert sa.inspect(db.engine).get_table_names() in ([], ["alembic_version"])
            upgrade()
        finally:
            downgrade(revision="base")
            db.engine.dispose()


def test_draft_answers_written_before_encryption_are_encrypted_by_the_migration(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="d76e297a11a3")  # the last schema with plain draft answers
            invitation_id = _old_round("not_sent")
            comments = key_ring().encrypt_text("{}", "rater_drafts.comments")
            db.session.execute(sa.text("INSERT INTO rater_drafts (invitation_id, answers, comments) VALUES "
                                       "(:id, :answers, :comments)"),
                               {"id": invitation_id, "answers": '{"ability.professional.1": 4}', "comments": comments})
            db.session.commit()
            upgrade()
            raw = db.session.execute(sa.text("SELECT content FROM rater_drafts")).scalar_one()
            assert "ability" not in raw
            db.session.expire_all()
            assert db.session.get(RaterDraft, invitation_id).answers == {"ability.professional.1": 4}
            db.session.commit()
            downgrade(revision="d76e297a11a3")
            assert "ability.professional.1" in str(db.session.execute(sa.text("SELECT answers FROM rater_drafts")
                                                                      ).scalar_one())
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()


def test_raters_invited_before_invited_at_existed_count_from_their_round_opening(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="5b1e0c7a9d21")  # the last schema without invitations.invited_at
            _old_round("invited", "not_sent", "responded")
            upgrade()
            invited = dict(db.session.execute(sa.select(Invitation.id, Invitation.invited_at)).all())
            assert invited == {1: OPENED_AT, 2: None, 3: OPENED_AT}
            assert db.session.get(Cycle, 1).reminded_all_on is None
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()


def test_encrypted_fields_written_before_row_binding_are_bound_by_the_migration(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    from surveys.models import PreparationDocument

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="4a7d2c9e1b55")  # the last schema whose ciphertexts were bound to their column only
            _old_round()
            sealed = key_ring().encrypt_text('{"highs_and_lows": "Led the ward move"}', "preparation.texts")
            db.session.execute(sa.text("INSERT INTO preparation_documents (cycle_id, texts, ratings) "
                                       "VALUES (1, :texts, '{}')"), {"texts": sealed})
            db.session.commit()
            upgrade()
            raw = db.session.execute(sa.text("SELECT texts FROM preparation_documents")).scalar_one()
            assert key_ring().decrypt_text(raw, "preparation.texts|1") == '{"highs_and_lows": "Led the ward move"}'
            db.session.expire_all()
            assert db.session.get(PreparationDocument, 1).texts == {"highs_and_lows": "Led the ward move"}
            db.session.commit()
            downgrade(revision="4a7d2c9e1b55")
            raw = db.session.execute(sa.text("SELECT texts FROM preparation_documents")).scalar_one()
            assert key_ring().decrypt_text(raw, "preparation.texts") == '{"highs_and_lows": "Led the ward move"}'
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()


def test_the_migration_leaves_no_invitation_saying_answered_or_declined(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="5b1e0c7a9d21")
            _old_round("invited", "not_sent", "responded", "declined")
            db.session.execute(sa.text("INSERT INTO cycles (id, owner_id, state, questionnaire_version, "
                                       "org_statements, close_on, created_at) VALUES (2, 1, 'closed', '2026.1', "
                                       "'[]', '2026-11-23', '2026-11-02 09:30:00')"))
            db.session.execute(sa.text("INSERT INTO invitations (id, cycle_id, name, email, category, status, "
                                       "link_nonce, token_hash, link_version) VALUES (9, 2, 'Ola', "
                                       "'ola@trust.example', 'peer', 'invited', 'nonce9', 'hash9', 1)"))
            db.session.commit()
            upgrade()
            statuses = dict(db.session.execute(sa.text("SELECT id, status FROM invitations")).all())
            # The open round keeps who is outstanding; the closed one keeps nobody apart.
            assert statuses == {1: "invited", 2: "not_sent", 3: "done", 4: "done", 9: "done"}
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()


def test_an_email_domain_two_organisations_listed_stays_with_one_and_the_database_holds_it_so(  # type: ignore[no-untyped-def]
        tmp_path, mail_server, capfd) -> None:
    """Issue 25, seam 7: only the form refused a domain another organisation held. The migration keeps each domain
    with the organisation most of whose people use it (the one that listed it first on a tie), says so, and from
    then on the database refuses a second holder."""
    from flask_migrate import downgrade, upgrade

    from app.models import Organisation, OrganisationDomain

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="b7d2e9a4c315")  # the last schema with organisations.email_domains
            db.session.execute(sa.text(
                "INSERT INTO organisations (id, name, email_domains) VALUES (1, 'North', :a), (2, 'South', :b), "
                "(3, 'East', :c)"), {"a": '["nhs.net", "north.nhs.uk"]', "b": '["NHS.net", "south.nhs.uk"]',
                                     "c": '["east.nhs.uk", "south.nhs.uk"]'})
            for n, (org, email) in enumerate([(1, "a@nhs.net"), (2, "b@nhs.net"), (2, "c@NHS.net")], start=1):
                db.session.execute(sa.text("INSERT INTO users (id, organisation_id, email, name, password_hash, "
                                           "created_at) VALUES (:id, :org, :email, 'X', 'x', :at)"),
                                   {"id": n, "org": org, "email": email, "at": OPENED_AT})
            db.session.commit()
            upgrade()
            held = {domain: org for domain, org in db.session.execute(
                sa.select(OrganisationDomain.domain, OrganisationDomain.organisation_id))}
            assert held == {"nhs.net": 2, "north.nhs.uk": 1, "south.nhs.uk": 2, "east.nhs.uk": 3}
            assert db.session.get(Organisation, 2).email_domains == ["nhs.net", "south.nhs.uk"]  # their order
            said = " ".join(capfd.readouterr().err.split())  # Alembic's own log handler writes to stderr
            assert "Email domain nhs.net was listed by both South and North: kept for South" in said
            db.session.get(Organisation, 1).email_domains = ["north.nhs.uk", "nhs.net"]
            with pytest.raises(sa.exc.IntegrityError):
                db.session.commit()
            db.session.rollback()
            downgrade(revision="b7d2e9a4c315")
            assert db.session.execute(sa.text("SELECT email_domains FROM organisations WHERE id = 2")
                                      ).scalar_one() in ('["nhs.net", "south.nhs.uk"]', ["nhs.net", "south.nhs.uk"])
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()


def test_sealed_values_take_their_round_s_size_and_pdfs_leave_the_database(tmp_path, mail_server) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import downgrade, upgrade

    from reports.files import report_files
    from surveys import sealed
    from surveys.models import Response

    app = _migrated_app(tmp_path, mail_server)
    with app.app_context():
        db.drop_all()
        try:
            upgrade(revision="b7d2e9a4c315")  # the last schema whose sealed values were all 48 KiB
            invitation_id = 1
            db.session.execute(sa.text("INSERT INTO organisations (id, name) VALUES (1, 'Trust')"))
            db.session.execute(sa.text("INSERT INTO users (id, organisation_id, email, name, password_hash, "
                                       "created_at) VALUES (1, 1, 'o@trust.example', 'Olu', 'x', :at)"),
                               {"at": OPENED_AT})
            db.session.execute(sa.text("INSERT INTO cycles (id, owner_id, state, questionnaire_version, "
                                       "org_statements, close_on, created_at) VALUES "
                                       "(1, 1, 'open', '2026.1', '[]', :on, :at)"),
                               {"at": OPENED_AT, "on": OPENED_AT.date()})
            db.session.execute(sa.text("INSERT INTO invitations (id, cycle_id, name, email, category, status, "
                                       "link_version) VALUES (1, 1, 'Rater', 'r@trust.example', 'peer', 'invited', "
                                       "1)"))
            old = 48 * 1024
            draft = {"answers": {"ability.professional.1": 4}, "comments": {"strengths": "Kind\x01 and calm"}}
            response = {"category": "peer", "answers": {"ability.professional.1": 5}, "comments": {}}
            db.session.execute(sa.text("INSERT INTO rater_drafts (invitation_id, content) VALUES (:id, :content)"),
                               {"id": invitation_id, "content": key_ring().encrypt_text(
                                   sealed.pad(draft, old), f"rater_drafts.content|{invitation_id}")})
            db.session.execute(sa.text("INSERT INTO responses (id, cycle_id, content) VALUES ('k1', 1, :content)"),
                               {"content": key_ring().encrypt_text(sealed.pad(response, old), "responses.content|k1")})
            db.session.execute(sa.text("INSERT INTO reports (id, cycle_id, wrapped_key, figures_sealed, "
                                       "content_sealed, pdf_sealed, pdf_reader_sealed, built_at) VALUES "
                                       "(1, 1, 'w', :none, :none, :pdf, :none, :at)"),
                               {"none": b"", "pdf": b"sealed owner pdf", "at": OPENED_AT})
            db.session.commit()
            upgrade()
            assert report_files().names() == {"report-1-pdf"}
            assert report_files().read("report-1-pdf") == b"sealed owner pdf"
            assert "pdf_sealed" not in {c["name"] for c in sa.inspect(db.engine).get_columns("reports")}
            size = sealed.padded_size(db.session.get(Cycle, 1).questionnaire())
            assert size < old
            stored_draft = db.session.get(RaterDraft, invitation_id)
            assert stored_draft.content == draft and stored_draft.content.size == size
            stored_response = db.session.get(Response, "k1")
            assert stored_response.content == response and stored_response.content.size == size
            lengths = db.session.execute(sa.text("SELECT length(content) FROM rater_drafts UNION ALL "
                                                 "SELECT length(content) FROM responses")).scalars().all()
            assert len(set(lengths)) == 1
            db.session.commit()
            downgrade(revision="b7d2e9a4c315")
            db.session.expire_all()
            assert db.session.get(Response, "k1").content.size == old
            assert db.session.execute(sa.text("SELECT pdf_sealed FROM reports")).scalar_one() == b"sealed owner pdf"
            assert report_files().names() == set()
            db.session.commit()
        finally:
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
