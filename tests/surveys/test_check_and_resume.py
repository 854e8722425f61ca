"""Coming back to a survey: a draft resumes where answers are missing, and "Change" on a check page returns to the
check page, at the question that was changed."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.timeutil import today, utcnow
from surveys import links, operations, responses
from surveys.answers import area_statements, changing_at, field_name
from surveys.models import Cycle, Invitation, InvitationStatus, RaterDraft, RaterSession
from surveys.sealed import Padded, padded_size
from tests.conftest import post_form
from tests.fixtures.answers import answer_on_pages, area_form
from tests.fixtures.rounds import link_token, open_link


def _link(client: FlaskClient, cycle: Cycle) -> str:
    return open_link(client, link_token(cycle.invitations[1]))


def _only_on_postgresql() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's concurrent transactions (SQLite's writers take turns)")


def _sealed_draft(cycle: Cycle, invitation_id: int) -> str:
    """A draft as a save seals it, before its first write."""
    return RaterDraft.__table__.c.content.type.seal(
        Padded({"answers": {"s1": 4}, "comments": {}}, padded_size(cycle.questionnaire())), invitation_id)


def _save_draft(connection: sa.Connection, invitation_id: int, sealed: str) -> bool:
    """A save's statements, as `responses.write_draft` runs them, on a connection of another tab's request."""
    params = {"draft_of": invitation_id, "sealed": sealed}
    return connection.execute(responses._UPDATE_DRAFT, params).rowcount == 1 \
        or connection.execute(responses._INSERT_DRAFT, params).rowcount == 1


def test_only_a_field_of_the_page_is_taken_as_the_question_being_changed() -> None:
    assert changing_at("s-a-1", ["s-a-1", "s-a-2"]) == "s-a-1"
    assert changing_at("s-b-1", ["s-a-1"]) is None
    assert changing_at('"><script>', ["s-a-1"]) is None
    assert changing_at(None, ["s-a-1"]) is None


def test_a_draft_saved_with_nothing_chosen_resumes_at_the_first_page(client: FlaskClient, open_round: Cycle) -> None:
    link = _link(client, open_round)
    assert client.post(f"{link}/area/1", data={"action": "save"}).status_code == 200
    page = client.get(link).get_data(as_text=True)
    assert "You have started already" in page
    assert re.search(rf'href="{link}/area/1"[^>]*>\s*Continue where you left off', page)


def test_change_on_the_rater_check_page_returns_there_at_the_question(client: FlaskClient,
                                                                       open_round: Cycle) -> None:
    link = _link(client, open_round)
    areas = open_round.questionnaire().areas
    answer_on_pages(client, link, open_round.questionnaire())
    statement = area_statements(areas[1])[2]
    name = field_name(statement.key)
    check = client.get(f"{link}/check").get_data(as_text=True)
    change = f"{link}/area/2?change={name}#{name}-question"
    assert f'href="{change}"' in check and f'id="check-{name}"' in check

    area = client.get(change.split("#")[0]).get_data(as_text=True)
    assert f'id="{name}-question"' in area
    assert re.search(rf'class="nhsuk-back-link"[^>]*href="{link}/check"|href="{link}/check"[^>]*class="nhsuk-back-link',
                     area)
    saved = client.post(change.split("#")[0], data={**area_form(areas[1], "2"), "action": "continue"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"{link}/check#check-{name}"
    assert "Disagree" in client.get(f"{link}/check").get_data(as_text=True)

    comments = client.post(f"{link}/comments?change=q-develop", data={"q-develop": "More", "action": "continue"})
    assert comments.headers["Location"] == f"{link}/check#check-q-develop"
    ordinary = client.post(f"{link}/area/2", data={**area_form(areas[1]), "action": "continue"})
    assert ordinary.headers["Location"] == f"{link}/area/3"


def test_change_on_the_owner_check_page_returns_there_at_the_question(owner_client: FlaskClient) -> None:
    close = today() + timedelta(days=21)
    post_form(owner_client, "/round/start", {"day": str(close.day), "month": str(close.month), "year": str(close.year)})
    page = owner_client.get("/round/self/check").get_data(as_text=True)
    match = re.search(r'href="(/round/self/1\?change=([\w-]+))#\2-question"', page)
    assert match, "no Change link to the question"
    url, name = match.groups()
    fields = set(re.findall(r'name="(s-[\w-]+)"', owner_client.get(url).get_data(as_text=True)))
    saved = post_form(owner_client, url, {**dict.fromkeys(fields, "4"), "action": "continue"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/round/self/check#check-{name}"


def test_a_draft_is_written_only_for_an_invitation_that_still_exists(open_round: Cycle) -> None:
    """A save that finds the invitation gone (its round deleted meanwhile) writes nothing and says so; the first
    save of a draft inserts it and the next ones replace it, on SQLite and on PostgreSQL alike."""
    invitation = open_round.invitations[0]
    questionnaire = open_round.questionnaire()
    missing = db.session.scalar(sa.select(sa.func.max(Invitation.id))) + 1
    assert not responses.write_draft(missing, questionnaire, {"s1": 4}, {})
    assert db.session.get(RaterDraft, missing) is None
    assert responses.write_draft(invitation.id, questionnaire, {"s1": 4}, {})
    assert responses.write_draft(invitation.id, questionnaire, {"s1": 5}, {"strengths": "Kind"})
    db.session.expire_all()
    assert (invitation.draft.answers, invitation.draft.comments) == ({"s1": 5}, {"strengths": "Kind"})
    assert invitation.draft.content.size == padded_size(questionnaire)


def test_a_save_that_comes_after_the_rater_is_done_writes_no_draft(open_round: Cycle) -> None:
    """Review: a save whose page was read while the rater was outstanding can reach `write_draft` after a submission
    or decline in another tab, or the round's close, has committed (the UPDATE then finds no draft). It must not
    write one again: a draft that outlives the submission or the close ties a named rater to their answers (and,
    after the close, says without any key that they had not submitted: PRODUCT §3.3)."""
    questionnaire = open_round.questionnaire()
    declined, closed = open_round.invitations[0], open_round.invitations[1]
    assert responses.write_draft(declined.id, questionnaire, {"s1": 4}, {})
    responses.decline(declined)
    assert not responses.write_draft(declined.id, questionnaire, {"s1": 5}, {})
    operations.collapse_statuses([open_round.id])  # what the close does to every invitation sent
    assert not responses.write_draft(closed.id, questionnaire, {"s1": 5}, {})
    db.session.expire_all()
    assert db.session.scalars(sa.select(RaterDraft.invitation_id)).all() == []


def test_on_postgresql_a_save_racing_a_submission_leaves_no_draft(open_round: Cycle) -> None:
    """Review: a submission marks the invitation DONE and deletes its draft; a save whose INSERT runs before that
    commits read the invitation as still outstanding and kept its draft for good. The save now reads the
    invitation's row FOR SHARE: it waits for the submission and then finds the rater done. Run under
    `python -m tests.servers`."""
    _only_on_postgresql()
    invitation_id = open_round.invitations[0].id
    sealed = _sealed_draft(open_round, invitation_id)
    unit.commit()
    engine, invitations, drafts = db.engine, Invitation.__table__, RaterDraft.__table__
    saved: list[int] = []

    def save() -> None:
        with engine.connect() as connection:
            saved.append(connection.execute(responses._INSERT_DRAFT,
                                            {"draft_of": invitation_id, "sealed": sealed}).rowcount)
            connection.commit()

    with engine.connect() as submission:
        submission.execute(sa.update(invitations).where(invitations.c.id == invitation_id)
                           .values(status=InvitationStatus.DONE))
        submission.execute(sa.delete(drafts).where(drafts.c.invitation_id == invitation_id))
        saver = threading.Thread(target=save)
        saver.start()
        time.sleep(0.5)
        submission.commit()
    saver.join(10)
    with engine.connect() as connection:
        left = connection.execute(sa.select(sa.func.count()).select_from(drafts)
                                  .where(drafts.c.invitation_id == invitation_id)).scalar()
    assert (saved, left) == ([0], 0)


@pytest.mark.parametrize("ending", ["declined", "withdrawn"])
def test_on_postgresql_a_decline_or_withdrawal_racing_a_save_waits_for_it_and_leaves_no_draft(
        open_round: Cycle, ending: str) -> None:
    """Review: a save holds the rater's invitation (FOR SHARE) and draft, then renews their session; a decline (or
    the owner's withdrawal) ended the rater's links and sessions first and changed the invitation after, so each
    waited for the other and PostgreSQL cancelled one ("deadlock detected"). Without the deadlock, the draft the
    save committed outlived the decline, which had read none. Both now take the invitation first, as the save does,
    wait for the save, and delete its draft. Run under `python -m tests.servers`."""
    _only_on_postgresql()
    invitation = open_round.invitations[0]
    links.start_session(invitation, utcnow())
    unit.commit()
    session_hash = db.session.scalar(sa.select(RaterSession.secret_hash))
    sealed = _sealed_draft(open_round, invitation.id)
    engine, holding, failures = db.engine, threading.Event(), []

    def save() -> None:  # the save's statements in its order (surveys/views/rater.py _keep)
        try:
            with engine.connect() as connection:
                params = {"draft_of": invitation.id, "sealed": sealed}
                assert connection.execute(responses._INSERT_DRAFT, params).rowcount == 1
                holding.set()
                time.sleep(0.5)  # the decline starts meanwhile
                connection.execute(links._RENEW, {"session": session_hash, "until": utcnow()})
                connection.commit()
        except Exception as exc:
            failures.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    assert holding.wait(10)
    try:
        if ending == "declined":
            responses.decline(invitation)
        else:
            operations.withdraw_rater(invitation, utcnow())
        unit.commit()
    except Exception as exc:
        failures.append(exc)
        unit.rollback()
    saver.join(10)
    assert failures == []
    db.session.expire_all()
    ended = db.session.get(Invitation, invitation.id)
    assert ended.status == InvitationStatus.DONE if ending == "declined" else ended.withdrawn_at is not None
    assert db.session.scalars(sa.select(RaterDraft.invitation_id)).all() == []
    assert db.session.scalars(sa.select(RaterSession.secret_hash)).all() == []


@pytest.mark.parametrize("ending", ["declined", "withdrawn"])
def test_on_postgresql_a_save_after_a_decline_or_withdrawal_began_waits_and_writes_no_draft(
        open_round: Cycle, ending: str) -> None:
    """Review, the other order of the race above: the decline (or withdrawal) has written the invitation and not
    yet committed when a save from another tab comes; the save waits for it, then finds the rater no longer
    outstanding and writes nothing, and neither deadlocks. Run under `python -m tests.servers`."""
    _only_on_postgresql()
    invitation = open_round.invitations[0]
    responses.write_draft(invitation.id, open_round.questionnaire(), {"s1": 2}, {})
    unit.commit()
    saved: list[bool] = []
    failures: list[Exception] = []

    def save() -> None:
        try:
            with engine.connect() as connection:
                saved.append(_save_draft(connection, invitation.id, sealed))
                connection.commit()
        except Exception as exc:
            failures.append(exc)

    engine, sealed = db.engine, _sealed_draft(open_round, invitation.id)
    if ending == "declined":
        responses.decline(invitation)
    else:
        operations.withdraw_rater(invitation, utcnow())
    saver = threading.Thread(target=save)
    saver.start()
    saver.join(0.5)
    assert saver.is_alive()  # waiting for the decline's row
    unit.commit()
    saver.join(10)
    assert (failures, saved) == ([], [False])
    assert db.session.scalars(sa.select(RaterDraft.invitation_id)).all() == []


@pytest.mark.parametrize("draft_before", [False, True])
def test_a_decline_deletes_the_draft_a_save_in_another_tab_committed_after_the_decline_read_it(
        open_round: Cycle, draft_before: bool) -> None:
    """Review, on either database: the decline's request read the rater's draft (none, or an older one) before a
    save in another tab committed; the decline deletes what is there when it writes, and the rest of its request
    sees no draft and commits cleanly."""
    invitation = open_round.invitations[0]
    if draft_before:
        responses.write_draft(invitation.id, open_round.questionnaire(), {"s1": 2}, {})
        unit.commit()
    assert (invitation.draft is not None) is draft_before  # read, as the decline's request reads it
    with db.engine.connect() as tab:  # the other tab's save
        assert _save_draft(tab, invitation.id, _sealed_draft(open_round, invitation.id))
        tab.commit()
    responses.decline(invitation)
    assert invitation.draft is None
    unit.commit()
    assert invitation.draft is None
    assert db.session.scalars(sa.select(RaterDraft.invitation_id)).all() == []
