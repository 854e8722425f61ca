"""Owners' rights (PRODUCT §7): everything held about them in one ZIP that reads back, deleting a round or the whole
account, and the worker's purge of rater details and deletion after the retention period, each exactly once."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from app import db as unit
from app.clock import tick
from app.extensions import db
from app.mail import OutboundMail
from app.models import Organisation, Role, User
from app.owner_data import EXPORT_VERSION, ExportFormatError, read_export
from app.timeutil import utcnow
from reports.build import pdf_for
from reports.models import Report, ReportRead
from surveys import operations, retention
from surveys.models import Cycle, Invitation, RaterDraft, RaterLink, RaterSession, Response
from tests.conftest import post_form
from tests.fixtures.people import PASSWORD, signed_in
from tests.fixtures.smtp import MailCatcher

SIZES = {"manager": 1, "peer": 3}
WORDS = {"highs_and_lows": "Led the ward move", "implications": "", "growth": "", "achieve": "", "support": "",
         "life_factors": ""}


@pytest.fixture
def finished(owner: User, create_closed_round: Callable[..., Cycle]) -> Cycle:
    cycle = create_closed_round(owner, SIZES)
    return cycle


def _report(cycle: Cycle) -> Report:
    return db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_export_holds_everything_and_reads_back(app: Flask, owner: User, owner_client: FlaskClient,
                                                     create_round: Callable[..., Cycle],
                                                     create_closed_round: Callable[..., Cycle]) -> None:
    cycle = create_closed_round(owner, SIZES)
    owner_client.get(f"/reports/{_report(cycle).id}/pdf")
    response = owner_client.get("/account/export")
    assert response.mimetype == "application/zip" and response.headers["Cache-Control"] == "no-store"

    document, files = read_export(response.data)
    assert document["version"] == EXPORT_VERSION
    assert document["account"] == {"name": "Olivia Owner", "email": "olivia@trust.example",
                                   "organisation": "Test Trust", "roles": ["owner"],
                                   "created_at": owner.created_at.isoformat(timespec="seconds")}
    (exported,) = document["rounds"]
    assert exported["id"] == cycle.id and exported["state"] == "report_ready"
    assert exported["self_assessment"]["answers"] == cycle.self_assessment.answers
    assert sorted(r["email"] for r in exported["raters"]) == sorted(i.email for i in cycle.invitations)
    assert all(set(r) == {"name", "email", "group"} for r in exported["raters"])  # never whether they answered
    (report,) = document["reports"]
    assert files[report["pdf"]] == pdf_for(_report(cycle), "pdf")
    assert [(r["reader"], r["form"]) for r in report["reads"]] == [("Olivia Owner", "pdf")]
    guide = files["FIELDS.txt"].decode()
    assert all(section in guide for section in ("account", "rounds", "reports", "self_assessment", "reads"))


def test_the_export_has_the_preparation_document_and_refuses_another_version(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    cycle = create_round(owner, open_it=False)
    operations.save_preparation(cycle, WORDS, {"fulfilment": 4}, "stay", submit=True)
    unit.commit()
    data = owner_client.get("/account/export").data
    document, _ = read_export(data)
    assert document["rounds"][0]["preparation"]["texts"] == WORDS
    assert document["rounds"][0]["preparation"]["position"] == "stay"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("open360-export.json", json.dumps({**document, "version": EXPORT_VERSION + 1}))
    with pytest.raises(ExportFormatError):
        read_export(buffer.getvalue())


def test_deleting_a_round_says_what_goes_and_removes_everything(app: Flask, finished: Cycle,
                                                               owner_client: FlaskClient) -> None:
    url = f"/round/{finished.id}/delete"
    page = owner_client.get(url).get_data(as_text=True)
    assert "every answer and comment raters gave" in page and "the report, its PDF" in page
    owner_client.get(f"/reports/{_report(finished).id}")
    assert post_form(owner_client, url, {}).status_code == 302
    for model in (Cycle, Invitation, Response, Report, ReportRead, RaterDraft):
        assert _count(model) == 0, model
    assert _count(OutboundMail) == 0  # claims about it go too


def test_deleting_a_draft_round_names_it_without_contradiction_and_counts_one_rater(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    cycle = create_round(owner, [("Mo Manager", "mo@trust.example", "manager")], open_it=False)
    page = owner_client.get(f"/round/{cycle.id}/delete").get_data(as_text=True)
    assert f"Round started {cycle.created_at:%-d %B %Y} (raters not asked yet)" in page
    assert "not started yet" not in page
    assert "the 1 rater you chose" in page and "1 raters" not in page


def test_another_owner_cannot_delete_my_round(app: Flask, finished: Cycle, create_user) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, create_user(Role.OWNER))
    assert client.get(f"/round/{finished.id}/delete").status_code == 404
    assert _count(Cycle) == 1


def test_deleting_the_account_needs_the_password_and_removes_it_all(app: Flask, owner: User, finished: Cycle,
                                                                  owner_client: FlaskClient) -> None:
    page = owner_client.get("/account/delete").get_data(as_text=True)
    assert "your 1 feedback round" in page
    wrong = post_form(owner_client, "/account/delete", {"password": "not my password"})
    assert "The password is not right" in wrong.get_data(as_text=True) and _count(User) == 1
    assert post_form(owner_client, "/account/delete", {"password": PASSWORD}).status_code == 302
    assert _count(User) == 0 and _count(Cycle) == 0 and _count(Response) == 0 and _count(Report) == 0
    assert owner_client.get("/round").status_code == 302  # signed out


def _closed_days_ago(cycle: Cycle, days: int, now: datetime) -> None:
    cycle.closed_at = now - timedelta(days=days)
    unit.commit()


NOW = datetime(2027, 6, 1, 6, 0)


def test_rater_details_are_purged_once_the_organisations_period_has_passed(app: Flask, finished: Cycle) -> None:
    _closed_days_ago(finished, 29, NOW)
    tick(now=NOW)
    assert all(i.email.endswith("@trust.example") for i in finished.invitations)
    finished.owner.organisation.rater_purge_days = 10
    unit.commit()
    tick(now=NOW)
    tick(now=NOW)  # twice is harmless
    db.session.expire_all()
    rows = db.session.execute(sa.text("SELECT name, email FROM invitations")).all()
    assert all(name == "" and email.startswith("purged:") for name, email in rows)
    assert _count(RaterLink) == 0 and _count(RaterSession) == 0 and _count(RaterDraft) == 0
    assert not any("trust.example" in str(value) for row in rows for value in row)
    assert {i.category.value for i in finished.invitations} == set(SIZES)  # the categories stay
    assert _count(Response) == 4 and _count(Report) == 1


def test_a_finished_round_is_deleted_after_the_retention_period_with_one_notice_30_days_before(
        app: Flask, finished: Cycle, mailbox: MailCatcher) -> None:
    organisation = finished.owner.organisation
    _closed_days_ago(finished, organisation.retention_days - 31, NOW)
    tick(now=NOW)
    assert not [m for m in mailbox.messages if "will be deleted" in m["Subject"]]
    tick(now=NOW + timedelta(days=1))
    tick(now=NOW + timedelta(days=2))
    notices = [m for m in mailbox.messages if "will be deleted" in m["Subject"]]
    assert len(notices) == 1 and notices[0]["To"] == "olivia@trust.example"
    assert "download your information" in MailCatcher.text(notices[0])
    tick(now=NOW + timedelta(days=30))
    assert _count(Cycle) == 1  # 29 days after the notice: not yet
    tick(now=NOW + timedelta(days=31))
    assert _count(Cycle) == 0 and _count(Report) == 0 and _count(Response) == 0


def test_a_shortened_retention_still_gives_30_days_notice(app: Flask, finished: Cycle) -> None:
    organisation: Organisation = finished.owner.organisation
    organisation.retention_days = 10
    _closed_days_ago(finished, 400, NOW)
    tick(now=NOW)
    assert _count(Cycle) == 1 and finished.deletion_notified_at == NOW
    tick(now=NOW + timedelta(days=29))
    assert _count(Cycle) == 1
    tick(now=NOW + timedelta(days=30))
    assert _count(Cycle) == 0


def test_the_flask_command_runs_the_same_pass(app: Flask, finished: Cycle) -> None:
    _closed_days_ago(finished, 31, utcnow())  # the command reads the clock, as views do
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "1 rounds' raters purged" in result.output, result.output
    db.session.expire_all()
    assert all(i.email.startswith("purged:") for i in finished.invitations)


days = st.integers(min_value=0, max_value=5000)


@given(retention_days=days, notified_after=st.one_of(st.none(), days), at=days)
def test_nothing_is_deleted_without_30_days_notice(retention_days: int, notified_after: int | None, at: int) -> None:
    closed = datetime(2026, 1, 1)
    notified = None if notified_after is None else closed + timedelta(days=notified_after)
    now = closed + timedelta(days=at)
    if notified is not None and notified > now:
        return
    step = retention.retention_step(closed, notified, retention_days, now)
    if step is retention.RetentionStep.DELETE:
        assert notified is not None and now >= notified + timedelta(days=retention.NOTICE_DAYS)
        assert now >= closed + timedelta(days=retention_days)
    if step is retention.RetentionStep.NOTIFY:
        assert notified is None and now >= closed + timedelta(days=retention_days - retention.NOTICE_DAYS)


def test_the_periods_set_on_the_organisation_settings_page_are_the_ones_the_purge_uses(
        app: Flask, finished: Cycle, create_user) -> None:  # type: ignore[no-untyped-def]
    organisation = finished.owner.organisation
    admin = signed_in(app, create_user(Role.ADMIN, name="Alex Admin", email="alex@trust.example"))
    url = f"/admin/organisations/{organisation.id}"
    page = " ".join(admin.get(url).get_data(as_text=True).split())
    for words in ("From 1 to 365. Usually 30.", "only their group (for example Peers) is kept",
                  "From 30 to 3650. Usually 1095 (3 years)", "conversation summary, goals and evaluation",
                  "The owner is emailed 30 days before"):
        assert words in page, words
    settings = {"name": organisation.name, "email_domains": "trust.example", "allows_external_raters": "no",
                "requires_nomination_approval": "no", "facilitator_releases_report": "no",
                "rater_purge_days": "7", "retention_days": "60"}
    assert post_form(admin, url, settings).status_code == 302
    _closed_days_ago(finished, 8, NOW)
    tick(now=NOW)
    db.session.expire_all()
    assert finished.raters_purged_at == NOW  # 7 days, from the page, not the default 30
    assert finished.deletion_notified_at is None  # 52 of its 60 days left
    tick(now=NOW + timedelta(days=23))
    assert finished.deletion_notified_at == NOW + timedelta(days=23)  # 29 days left: told now
    tick(now=NOW + timedelta(days=52))
    assert _count(Cycle) == 1  # the 60 days are up, but the notice was only 29 days ago
    tick(now=NOW + timedelta(days=53))
    assert _count(Cycle) == 0


def test_the_privacy_page_says_what_the_facilitated_session_keeps_and_what_usage_figures_keep(
        client: FlaskClient, finished: Cycle, owner_client: FlaskClient) -> None:
    page = " ".join(client.get("/privacy").get_data(as_text=True).split())
    for words in ("Your conversation summary, every version of it", "The progress you record on each goal",
                  "Your evaluation of the session", "every time someone other than you read your preparation",
                  "What usage figures keep after you delete", "counts only",
                  "a published quarter keeps its counts", "30 days after the round closes", "3 years after it closes"):
        assert words in page, words
    deleting = " ".join(owner_client.get(f"/round/{finished.id}/delete").get_data(as_text=True).split())
    assert "<li>every answer and comment raters gave, and any unfinished drafts</li>" in deleting
    assert "except in quarters already published, which keep their counts" in deleting
