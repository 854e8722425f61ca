"""The rater's side, driven through the link from the invitation email."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import User
from app.timeutil import today, utcnow
from surveys.answers import field_name
from surveys.cycle import CycleState
from surveys.models import (
    Cycle,
    Invitation,
    InvitationStatus,
    OrgStatement,
    RaterDraft,
    RaterLink,
    RaterSession,
    Response,
)
from surveys.questionnaire import NOT_ABLE_TO_SAY
from tests.fixtures.answers import answer_on_pages, area_form
from tests.fixtures.rounds import link_token, open_link
from tests.fixtures.smtp import MailCatcher


def _link_from_mail(mailbox: MailCatcher, email: str) -> str:
    text = MailCatcher.text(mailbox.to(email)[-1])
    match = re.search(r"http://localhost(/r/[A-Za-z0-9_\-]+)", text)
    assert match
    return match.group(1)


def _answer_everything(client: FlaskClient, link: str, cycle: Cycle, value: str = "4") -> None:
    answer_on_pages(client, link, cycle.questionnaire(), value)
    assert client.post(f"{link}/comments", data={"q-strengths": "Listens well", "action": "continue"}
                       ).status_code == 302


def test_a_rater_answers_from_the_emailed_link(client: FlaskClient, open_round: Cycle,
                                               mailbox: MailCatcher) -> None:
    link = open_link(client, _link_from_mail(mailbox, "pat@trust.example"))
    start = client.get(link)
    assert start.status_code == 200 and "Give feedback for Olivia Owner" in start.get_data(as_text=True)
    _answer_everything(client, link, open_round)
    check = client.get(f"{link}/check").get_data(as_text=True)
    assert "Listens well" in check
    assert client.post(f"{link}/check").status_code == 302

    response = db.session.scalar(sa.select(Response))
    assert response.category.value == "peer" and response.comments == {"strengths": "Listens well"}
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "pat@trust.example"))
    assert invitation.status is InvitationStatus.DONE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RaterDraft)) == 0


def test_the_token_is_swapped_for_a_cookie_scoped_to_the_rater_pages(client: FlaskClient, open_round: Cycle,
                                                                    mailbox: MailCatcher) -> None:
    link = _link_from_mail(mailbox, "pat@trust.example")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/feedback"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    cookie = response.headers["Set-Cookie"]
    assert "Path=/feedback" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert link.removeprefix("/r/") not in cookie
    page = client.get("/feedback")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert link.removeprefix("/r/") not in page.get_data(as_text=True)  # no address on the page carries it
    client.delete_cookie("open360_rater", path="/feedback")
    assert client.get("/feedback").status_code == 404


def test_every_email_carries_a_fresh_token_and_each_opens_the_survey(app: Flask, open_round: Cycle,
                                                                     mailbox: MailCatcher) -> None:
    from surveys.mails import reminder_mail

    invitation = next(i for i in open_round.invitations if i.email == "pip@trust.example")
    first = _link_from_mail(mailbox, "pip@trust.example")
    again = reminder_mail(invitation.id)
    assert again is not None
    found = re.search(r"http://localhost(/r/[A-Za-z0-9_\-]+)", again.text)
    assert found is not None
    second = found.group(1)
    assert first != second
    for link in (first, second):
        assert open_link(app.test_client(), link) == "/feedback"
    stored = set(db.session.scalars(sa.select(RaterLink.token_hash)).all())
    assert not {first.removeprefix("/r/"), second.removeprefix("/r/")} & stored  # hashes only


def test_a_session_lapses_and_the_link_opens_it_again(client: FlaskClient, open_round: Cycle,
                                                      mailbox: MailCatcher) -> None:
    raw = _link_from_mail(mailbox, "pip@trust.example")
    link = open_link(client, raw)
    db.session.execute(sa.update(RaterSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link).status_code == 404
    assert open_link(client, raw) == link and client.get(link).status_code == 200


def test_each_save_gives_the_cookie_its_full_lifetime_and_reading_does_not(client: FlaskClient, open_round: Cycle,
                                                                            mailbox: MailCatcher) -> None:
    from surveys.links import SESSION_LIFETIME

    link = open_link(client, _link_from_mail(mailbox, "pip@trust.example"))

    def expires_in() -> timedelta:
        db.session.expire_all()
        return db.session.scalar(sa.select(RaterSession.expires_at)) - utcnow()

    db.session.execute(sa.update(RaterSession).values(expires_at=utcnow() + timedelta(minutes=1)))
    db.session.commit()
    assert client.get(f"{link}/area/1").status_code == 200
    assert expires_in() < timedelta(minutes=2)  # a page read changes nothing
    area = open_round.questionnaire().areas[0]
    data = {field_name(s.key): "4" for sub in area.sub_areas for s in sub.statements}
    assert client.post(f"{link}/area/1", data={**data, "action": "save"}).status_code == 200
    assert expires_in() > SESSION_LIFETIME - timedelta(minutes=1)
    db.session.execute(sa.update(RaterSession).values(expires_at=utcnow() + timedelta(minutes=1)))
    db.session.commit()
    assert client.post(f"{link}/comments", data={"q-strengths": "Kind", "action": "save"}).status_code == 200
    assert expires_in() > SESSION_LIFETIME - timedelta(minutes=1)


def test_a_post_from_another_site_is_refused(client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    link = open_link(client, _link_from_mail(mailbox, "pip@trust.example"))
    refused = client.post(f"{link}/decline", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 404
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "pip@trust.example"))
    assert invitation.status is InvitationStatus.INVITED


def test_an_unfinished_draft_survives_a_server_restart(app: Flask, open_round: Cycle,
                                                       mailbox: MailCatcher) -> None:
    raw = _link_from_mail(mailbox, "pip@trust.example")
    first_area = open_round.questionnaire().areas[0]
    key = first_area.sub_areas[0].statements[0].key
    browser = app.test_client()
    link = open_link(browser, raw)
    browser.post(f"{link}/area/1", data={field_name(key): NOT_ABLE_TO_SAY, "action": "save"})

    restarted = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                    "SMTP_PORT": mailbox.port})
    with restarted.app_context():
        other = restarted.test_client()
        open_link(other, raw)
        page = other.get(link).get_data(as_text=True)
        assert "Continue where you left off" in page
        area = other.get(f"{link}/area/1").get_data(as_text=True)
        db.session.remove()  # return its connection, so dispose() can close it
        db.engine.dispose()
    assert re.search(rf'id="{field_name(key)}-7"[^>]*value="n" checked|value="n" checked', area)


def test_a_bad_submit_loses_nothing(client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    link = open_link(client, _link_from_mail(mailbox, "pip@trust.example"))
    area = open_round.questionnaire().areas[0]
    statements = [s for sub in area.sub_areas for s in sub.statements]
    response = client.post(f"{link}/area/1", data={field_name(statements[0].key): "2", "action": "continue"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert 'value="2" checked' in page
    too_long = client.post(f"{link}/comments", data={"q-strengths": "x" * 2001, "q-develop": "Keep me",
                                                     "action": "continue"})
    page = too_long.get_data(as_text=True)
    assert "Write 2000 characters or fewer" in page and "Keep me" in page


def test_a_rater_can_decline(client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    raw = _link_from_mail(mailbox, "dee@trust.example")
    link = open_link(client, raw)
    page = client.get(f"{link}/decline").get_data(as_text=True)
    assert "never a list of who" in page and "may still be able to work out that it was you" in page
    assert client.post(f"{link}/decline").status_code == 302
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "dee@trust.example"))
    assert invitation.status is InvitationStatus.DONE
    assert client.get(raw).status_code == 404 and client.get(link).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RaterLink)
                             .where(RaterLink.invitation_id == invitation.id)) == 0


@pytest.mark.parametrize("left_out", [1, 2, 3, 4])
def test_a_submission_with_an_area_left_unanswered_is_refused_and_loses_nothing(
        client: FlaskClient, open_round: Cycle, mailbox: MailCatcher, left_out: int) -> None:
    link = open_link(client, _link_from_mail(mailbox, "pat@trust.example"))
    areas = open_round.questionnaire().areas
    for number, area in enumerate(areas, start=1):
        if number != left_out:
            assert client.post(f"{link}/area/{number}", data={**area_form(area, "4"), "action": "continue"}
                               ).status_code == 302
    refused = client.post(f"{link}/check")
    assert refused.status_code == 200
    assert "Answer every statement before you submit" in refused.get_data(as_text=True)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "pat@trust.example"))
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.INVITED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    assert len(db.session.get(RaterDraft, invitation.id).answers) == sum(
        len(area_form(a, "4")) for n, a in enumerate(areas, start=1) if n != left_out)


def test_declining_deletes_the_raters_draft(client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    link = open_link(client, _link_from_mail(mailbox, "dee@trust.example"))
    _answer_everything(client, link, open_round)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "dee@trust.example"))
    assert db.session.get(RaterDraft, invitation.id) is not None
    assert client.post(f"{link}/decline").status_code == 302
    db.session.expire_all()
    assert db.session.get(RaterDraft, invitation.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RaterDraft)) == 0


def _bad_links(open_round: Cycle, client: FlaskClient, mailbox: MailCatcher) -> dict[str, str]:
    used = _link_from_mail(mailbox, "pat@trust.example")
    base = open_link(client, used)
    _answer_everything(client, base, open_round)
    client.post(f"{base}/check")
    declined = _link_from_mail(mailbox, "dee@trust.example")
    client.post(f"{open_link(client, declined)}/decline")
    return {"wrong": "/r/" + "A" * 43, "garbage": "/r/not-a-token", "used": used, "declined": declined,
            "no cookie": "/feedback/check"}


def test_every_link_that_does_not_work_gets_the_same_page(client: FlaskClient, open_round: Cycle,
                                                          mailbox: MailCatcher) -> None:
    links = _bad_links(open_round, client, mailbox)
    expired = _link_from_mail(mailbox, "pip@trust.example")
    open_round.close_on = open_round.close_on - timedelta(days=30)
    db.session.commit()
    links["expired"] = expired
    pages = {name: client.get(link) for name, link in links.items()}
    assert {r.status_code for r in pages.values()} == {404}
    bodies = {r.get_data(as_text=True).replace(r.headers.get("Content-Security-Policy", ""), "")
              for r in pages.values()}
    normalised = {re.sub(r'nonce[-=]"?[A-Za-z0-9_\-]+', "", b) for b in bodies}
    assert len(normalised) == 1
    assert "This link does not work" in normalised.pop()


@pytest.mark.parametrize("state", [CycleState.CLOSED, CycleState.CANCELLED])
def test_links_stop_working_when_the_round_ends(client: FlaskClient, open_round: Cycle, state: CycleState) -> None:
    invitation = open_round.invitations[1]
    token = link_token(invitation)
    link = open_link(client, token)
    open_round.state = state
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(link).status_code == 404
    assert client.post(f"{link}/area/1", data={"action": "save"}).status_code == 404


@pytest.mark.parametrize("operation", ["close", "cancel"])
def test_ending_a_round_deletes_every_token_and_session(app: Flask, open_round: Cycle, operation: str) -> None:
    from surveys import operations

    for invitation in open_round.invitations:
        open_link(app.test_client(), link_token(invitation))
    if operation == "close":
        open_round.close_on = today() - timedelta(days=1)
        operations.close_round_on_date(open_round, today())
    else:
        operations.cancel_round(open_round)
    db.session.commit()
    for table in (RaterLink, RaterSession):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0


def test_a_raters_pages_name_their_group_and_ask_the_organisations_own_statements(
        client: FlaskClient, owner: User, create_round: Callable[..., Cycle]) -> None:
    db.session.add(OrgStatement(organisation_id=owner.organisation_id, self_text="I act on our value of openness.",
                                rater_text="This person acts on our value of openness."))
    db.session.commit()
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    link = open_link(client, link_token(cycle.invitations[0]))
    assert "stored with your group (peers) only" in client.get(link).get_data(as_text=True)
    number = [area.key for area in cycle.questionnaire().areas].index("values") + 1
    page = client.get(f"{link}/area/{number}").get_data(as_text=True)
    assert "This person acts on our value of openness." in page


def test_a_rater_is_told_their_organisations_own_period_and_the_privacy_page_does_not_guess_it(
        client: FlaskClient, owner: User, create_round: Callable[..., Cycle]) -> None:
    owner.organisation.rater_purge_days = 45
    db.session.commit()
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    link = open_link(client, link_token(cycle.invitations[0]))
    start = " ".join(client.get(link).get_data(as_text=True).split())
    assert "every trace of this link are deleted 45 days after the round closes" in start
    privacy = " ".join(client.get("/privacy").get_data(as_text=True).split())
    assert "30 days after the round closes" not in privacy and "45 days" not in privacy
    assert "every trace of your link are deleted a set time (usually 30 days; your first page as a rater says how " \
           "long) after the round closes" in privacy
