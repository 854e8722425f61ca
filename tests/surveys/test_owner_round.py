"""The owner's side of a round, through the test client with CSRF on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.extensions import db
from app.timeutil import today
from surveys.answers import field_name
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation, InvitationStatus
from tests.conftest import post_form
from tests.fixtures.rounds import link_token
from tests.fixtures.smtp import MailCatcher


def _start(client: FlaskClient) -> None:
    close = today() + timedelta(days=21)
    response = post_form(client, "/round/start", {"day": str(close.day), "month": str(close.month),
                                                  "year": str(close.year)})
    assert response.status_code == 302


def test_an_owner_starts_a_round_with_a_21_day_default(owner_client: FlaskClient) -> None:
    page = owner_client.get("/round/start").get_data(as_text=True)
    default = today() + timedelta(days=21)
    assert f'value="{default.day}"' in page and f'value="{default.year}"' in page
    _start(owner_client)
    cycle = db.session.scalar(sa.select(Cycle))
    assert cycle.state is CycleState.DRAFT and cycle.close_on == default
    assert "Write your preparation document" in owner_client.get("/round").get_data(as_text=True)


def test_a_second_active_round_is_refused_with_a_plain_message(owner_client: FlaskClient) -> None:
    _start(owner_client)
    page = owner_client.get("/round/start")  # said before any form is filled in, and no form is offered
    assert page.status_code == 200 and "already have a feedback round in progress" in page.get_data(as_text=True)
    assert "Start my round" not in page.get_data(as_text=True)
    close = today() + timedelta(days=10)
    response = post_form(owner_client, "/round/start", {"day": str(close.day), "month": str(close.month),
                                                         "year": str(close.year)}, page="/round/preparation")
    assert response.status_code == 409
    assert "already have a feedback round in progress" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cycle)) == 1


def test_an_impossible_close_date_is_explained_and_kept(owner_client: FlaskClient) -> None:
    response = post_form(owner_client, "/round/start", {"day": "31", "month": "2", "year": "2027"})
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Enter a real date" in page
    assert 'value="31"' in page


def test_preparation_document_saves_as_a_draft_then_submits_once(owner_client: FlaskClient) -> None:
    _start(owner_client)
    draft = post_form(owner_client, "/round/preparation", {"highs_and_lows": "Winter on the ward",
                                                           "action": "save"})
    assert draft.status_code == 302
    page = owner_client.get("/round/preparation").get_data(as_text=True)
    assert "Winter on the ward" in page

    incomplete = post_form(owner_client, "/round/preparation", {"highs_and_lows": "Winter on the ward",
                                                                "action": "submit"})
    page = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 200 and "There is a problem" in page
    assert "Choose which position fits you best today" in page and "Winter on the ward" in page

    complete = {name: "Some words" for name in ("highs_and_lows", "implications", "growth", "aims", "support",
                                                "life_factors")}
    complete |= {f"rating_{k}": "3" for k in ("fulfilment", "workload", "equipped", "relationships", "purpose")}
    complete |= {"position": "step_up", "action": "submit"}
    assert post_form(owner_client, "/round/preparation", complete).status_code == 302
    cycle = db.session.scalar(sa.select(Cycle))
    assert cycle.preparation.submitted_at is not None

    page = owner_client.get("/round/preparation").get_data(as_text=True)
    assert "can no longer be changed" in page
    assert "<textarea" not in page and "<input type=\"radio\"" not in page and "disabled" not in page  # as text
    assert page.count("Some words") == 6 and page.count("3 out of 5") == 5
    assert "Considering a move to a higher level" in page
    after = post_form(owner_client, "/round/preparation", {**complete, "highs_and_lows": "Changed"},
                      page="/account/delete")  # the page itself has no form now: a token from another
    assert after.status_code == 200
    assert "Changed" not in after.get_data(as_text=True)  # the page shows what is kept, not what was posted
    db.session.expire_all()
    assert db.session.scalar(sa.select(Cycle)).preparation.texts["highs_and_lows"] == "Some words"


def test_self_assessment_keeps_partial_answers_and_submits_when_complete(owner_client: FlaskClient) -> None:
    _start(owner_client)
    cycle = db.session.scalar(sa.select(Cycle))
    questionnaire = cycle.questionnaire()
    first = questionnaire.areas[0]
    statements = [s for sub in first.sub_areas for s in sub.statements]
    partial = post_form(owner_client, "/round/self/1", {field_name(statements[0].key): "4", "action": "continue"})
    page = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "There is a problem" in page
    assert f"Choose an answer for “{statements[1].self_text}”" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(Cycle)).self_assessment.answers == {statements[0].key: 4}

    for number, area in enumerate(questionnaire.areas, start=1):
        data = {field_name(s.key): "5" for sub in area.sub_areas for s in sub.statements}
        assert post_form(owner_client, f"/round/self/{number}", {**data, "action": "continue"}).status_code == 302
    assert post_form(owner_client, "/round/self/check", {}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Cycle)).self_assessment.submitted_at is not None
    submitted = owner_client.get("/round/self/1").get_data(as_text=True)
    first = questionnaire.areas[0]
    assert "<input" not in submitted.split("<main", 1)[1] and "disabled" not in submitted  # shown as text
    assert submitted.count(f"<dd class=\"nhsuk-summary-list__value\">{questionnaire.scale[-1].label}</dd>") == sum(
        len(sub.statements) for sub in first.sub_areas)


def test_pasted_raters_keep_good_lines_and_explain_each_bad_one(owner_client: FlaskClient) -> None:
    _start(owner_client)
    pasted = "Sam Patel, sam@trust.example, Peer\nNo Email, , Peer\nGrace Liu, grace@trust.example, Boss\n" \
             "Ben Carter, ben@trust.example, Direct report"
    response = post_form(owner_client, "/round/raters/paste", {"paste-raters": pasted}, page="/round/raters",
                         prefix="paste")
    # Post/redirect/get: a refresh of the page shown next cannot send the list again.
    assert response.status_code == 302 and response.headers["Location"] == "/round/raters"
    page = owner_client.get("/round/raters").get_data(as_text=True)
    assert "There is a problem" in page
    # The box now holds only the two lines to fix, and the messages number them as they stand there.
    assert "No Email, , Peer\nGrace Liu, grace@trust.example, Boss</textarea>" in page
    assert "Line 1: add an email address" in page and "Line 2: &#39;Boss&#39; is not a rater group" in page
    assert "Line 3" not in page
    emails = set(db.session.scalars(sa.select(Invitation.email)))
    assert emails == {"sam@trust.example", "ben@trust.example"}
    assert "There is a problem" not in owner_client.get("/round/raters").get_data(as_text=True)


def test_an_owner_can_type_a_demo_style_address(owner_client: FlaskClient, organisation) -> None:  # type: ignore[no-untyped-def]
    organisation.email_domains = ["demo.open360.test"]  # as the demo organisation lists
    db.session.commit()
    _start(owner_client)
    data = {"add-name": "Pat Peer", "add-email": "Pat@demo.open360.test", "add-category": "peer"}
    assert post_form(owner_client, "/round/raters", data, prefix="add").status_code == 302
    assert db.session.scalar(sa.select(Invitation.email)) == "pat@demo.open360.test"
    pasted = post_form(owner_client, "/round/raters/paste", {
        "paste-raters": "Sam Peer, sam@demo.open360.test, peer"}, page="/round/raters", prefix="paste")
    assert pasted.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 2


def test_duplicate_emails_are_refused_in_a_round(owner_client: FlaskClient) -> None:
    _start(owner_client)
    data = {"add-name": "Sam Patel", "add-email": "sam@trust.example", "add-category": "peer"}
    assert post_form(owner_client, "/round/raters", data, prefix="add").status_code == 302
    again = post_form(owner_client, "/round/raters", {**data, "add-email": "SAM@trust.example"}, prefix="add")
    assert again.status_code == 200 and "already on your list" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1


def test_opening_sends_each_rater_an_invitation(owner_client: FlaskClient, mailbox: MailCatcher) -> None:
    _start(owner_client)
    post_form(owner_client, "/round/raters/paste", {"paste-raters": "Sam Patel, sam@trust.example, Peer\n"
                                                    "Mo Manager, mo@trust.example, Manager"},
              page="/round/raters", prefix="paste")
    assert not mailbox.messages  # nothing goes out before the owner opens the round
    assert post_form(owner_client, "/round/open", {}).status_code == 302
    assert {m["To"] for m in mailbox.messages} == {"sam@trust.example", "mo@trust.example"}
    text = MailCatcher.text(mailbox.to("sam@trust.example")[0])
    assert "Olivia Owner has asked you for feedback" in text and "http://localhost/r/" in text

    # a rater added to an open round is invited straight away
    post_form(owner_client, "/round/raters", {"add-name": "Dee", "add-email": "dee@trust.example",
                                              "add-category": "direct_report"}, prefix="add")
    assert len(mailbox.to("dee@trust.example")) == 1


def test_once_invited_a_rater_can_only_be_withdrawn_whatever_they_did(owner_client: FlaskClient, open_round) -> None:  # type: ignore[no-untyped-def]
    mo, pat, pip, _ = open_round.invitations
    pat.status = pip.status = InvitationStatus.DONE
    db.session.commit()
    page = owner_client.get("/round/raters").get_data(as_text=True)
    assert "Has replied" not in page and "Remove<" not in page and "Change<" not in page
    assert page.count(">Withdraw<") == 4
    for invitation in (mo, pat, pip):  # the old addresses lead to withdrawal, for each of them alike
        for action in ("edit", "remove"):
            response = post_form(owner_client, f"/round/raters/{invitation.id}/{action}", {},
                                 page="/round/raters")
            assert response.status_code == 302
            assert response.headers["Location"] == f"/round/raters/{invitation.id}/withdraw"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 4


def test_a_mistyped_address_is_fixed_by_withdrawing_and_adding_again(owner_client: FlaskClient, open_round,  # type: ignore[no-untyped-def]
                                                                     mailbox: MailCatcher) -> None:
    invitation = open_round.invitations[1]
    old_token = link_token(invitation)
    response = post_form(owner_client, f"/round/raters/{invitation.id}/withdraw", {})
    assert response.status_code == 302
    page = owner_client.get("/round/raters").get_data(as_text=True)
    assert "Pat Peer has been withdrawn. Their links no longer work." in page and "Withdrawn: 1" in page
    assert owner_client.application.test_client().get(f"/r/{old_token}").status_code == 404
    post_form(owner_client, "/round/raters", {"add-name": "Pat Peer", "add-email": "pat.peer@trust.example",
                                              "add-category": "peer"}, prefix="add")
    assert len(mailbox.to("pat.peer@trust.example")) == 1
    # The withdrawn address cannot come back, in any group or spelling: whoever has it may already have answered,
    # and the message says so rather than that they are on the list (walk-through, item 3).
    for email, group in (("pat@trust.example", "peer"), ("Pat+360@trust.example", "other")):
        again = post_form(owner_client, "/round/raters", {"add-name": "Pat", "add-email": email,
                                                          "add-category": group}, prefix="add")
        page = again.get_data(as_text=True)
        assert "Pat Peer was withdrawn from this round, so they cannot be invited to it again" in page
        assert "already on your list" not in page
    pasted = post_form(owner_client, "/round/raters/paste", {"paste-raters": "Pat, PAT@trust.example, Other"},
                       page="/round/raters", prefix="paste")
    assert pasted.status_code == 302
    assert ("Line 1: Pat Peer was withdrawn from this round, so they cannot be invited to it again"
            in owner_client.get("/round/raters").get_data(as_text=True))
    assert len(mailbox.to("pat@trust.example")) == 1  # the first invitation only


def test_before_invitations_go_out_the_page_says_how_mistakes_are_fixed_after(owner_client: FlaskClient) -> None:
    _start(owner_client)
    post_form(owner_client, "/round/raters", {"add-name": "Sam", "add-email": "sam@trust.example",
                                              "add-category": "peer"}, prefix="add")
    page = " ".join(owner_client.get("/round/raters").get_data(as_text=True).split())
    assert "Check each person's group and email address before you send invitations." in page
    assert "If their group is wrong, withdraw them." in page
    assert "If their address is wrong, withdraw them and add them again with the right one." in page
    assert "Someone withdrawn cannot be asked again in this round." in page


def test_the_edit_page_promises_nothing_an_invited_rater_could_get(owner_client: FlaskClient, owner,  # type: ignore[no-untyped-def]
                                                                    create_round) -> None:
    cycle = create_round(owner, [("Sam Peer", "sam@trust.example", "peer")], open_it=False)
    (sam,) = cycle.invitations
    page = " ".join(owner_client.get(f"/round/raters/{sam.id}/edit").get_data(as_text=True).split())
    assert "Sam Peer has not been invited yet, so you can change their details." in page
    assert "Their invitation goes out when you send invitations." in page
    assert "a new one is sent" not in page
    assert "you can only withdraw them, and someone withdrawn cannot be asked again in this round" in page


def test_a_rater_never_invited_cannot_be_changed_once_the_round_has_closed(owner_client: FlaskClient, owner,  # type: ignore[no-untyped-def]
                                                                            create_round) -> None:
    cycle = create_round(owner, [("Sam Peer", "sam@trust.example", "peer")], open_it=False)
    (sam,) = cycle.invitations
    cycle.state = CycleState.CLOSED  # e.g. their confirmation was still awaited when the round closed
    db.session.commit()
    page = owner_client.get(f"/round/raters/{sam.id}/edit")
    assert page.status_code == 200 and "You cannot change this person now" in page.get_data(as_text=True)
    assert 'name="email"' not in page.get_data(as_text=True)


def test_completion_view_shows_counts_per_group_never_names(owner_client: FlaskClient, open_round) -> None:  # type: ignore[no-untyped-def]
    peers = [i for i in open_round.invitations if i.category.value == "peer"]
    peers[0].status = InvitationStatus.DONE
    peers[1].status = InvitationStatus.DONE
    db.session.commit()
    page = owner_client.get("/round").get_data(as_text=True)
    assert "Responses so far" in page and "Peers" in page
    assert "Pat Peer" not in page and "Pip Peer" not in page


def test_a_rater_added_after_one_was_removed_is_invited_even_if_the_database_reuses_the_id(  # type: ignore[no-untyped-def]
        owner_client: FlaskClient, owner, create_round, mailbox: MailCatcher) -> None:
    # SQLite hands the newest row's id to the next row once that row is deleted; the outbox must not mistake the
    # new rater's invitation for the removed one's.
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer"), ("Pip Peer", "pip@trust.example", "peer")],
                         open_it=False)
    removed_id = max(i.id for i in cycle.invitations)
    response = post_form(owner_client, f"/round/raters/{removed_id}/remove", {},
                         page=f"/round/raters/{removed_id}/remove")
    assert response.status_code == 302
    post_form(owner_client, "/round/raters", {"add-name": "Nia New", "add-email": "nia@trust.example",
                                              "add-category": "peer"}, prefix="add")
    assert post_form(owner_client, "/round/open", {}).status_code == 302
    assert len(mailbox.to("nia@trust.example")) == 1 and not mailbox.to("pip@trust.example")


@pytest.mark.parametrize("action", ["open", "close", "cancel"])
def test_a_confirmation_is_offered_only_when_its_step_can_be_taken(owner_client: FlaskClient, action: str) -> None:
    _start(owner_client)  # a draft with nobody to invite: it can be cancelled, not opened or closed
    page = owner_client.get(f"/round/{action}").get_data(as_text=True)
    main = page.split("<main")[1]
    if action == "cancel":
        assert "<button" in main and "Cancel your round?" in main
    else:
        assert "<button" not in main and "You cannot" in main
    assert "There is a problem" not in page


def test_after_cancelling_an_open_round_the_page_offers_no_step_nobody_can_take(
        owner_client: FlaskClient, open_round) -> None:  # type: ignore[no-untyped-def]
    assert post_form(owner_client, "/round/cancel", {}, page="/round/cancel").status_code == 302
    page = owner_client.get("/round").get_data(as_text=True)
    main = page.split("<main")[1]
    assert "You cancelled this round on" in main
    assert "To do" not in main and "In progress" not in main and "Not yet" not in main
    assert "What to do next" not in main
    for refused in ("/round/open", "/round/close", "/round/cancel", "/round/finish", "/round/raters/add",
                    "/round/preparation", "/round/self"):
        assert f'href="{refused}' not in main, refused
    assert "Start a new feedback round" in main  # the one step there is
    assert "Send invitations" in main  # what was done stays shown: the invitations went
    assert "Collect responses" not in main  # it never closed: cancelling stopped it


def test_the_empty_paste_box_is_rendered_once_and_a_box_holding_a_list_is_never_kept(
        owner_client: FlaskClient) -> None:
    _start(owner_client)
    components = owner_client.application.jinja_env.globals["memoized_component"]
    pages = [owner_client.get("/round/raters").get_data(as_text=True) for _ in range(2)]
    box = re.search(r'<label[^<]*for="paste-raters".*?</textarea>', pages[0], re.S)
    assert box is not None and box.group(0) in pages[1]
    kept = [value for key, value in components._entries.items() if "empty paste box" in str(key)]
    assert len(kept) == 1 and box.group(0) in str(kept[0])
    pasted = "Grace Liu, grace@trust.example, Boss"
    post_form(owner_client, "/round/raters/paste", {"paste-raters": pasted}, page="/round/raters", prefix="paste")
    assert f"{pasted}</textarea>" in owner_client.get("/round/raters").get_data(as_text=True)
    assert "Grace Liu" not in repr(list(components._entries.items()))  # what an owner typed is never kept


def test_each_raters_form_carries_its_own_csrf_field_with_a_token_its_post_accepts(owner_client: FlaskClient) -> None:
    _start(owner_client)
    page = owner_client.get("/round/raters").get_data(as_text=True)
    for action, prefix, data in (
            ("/round/raters", "add", {"add-name": "Sam Patel", "add-email": "sam@trust.example",
                                      "add-category": "peer"}),
            ("/round/raters/paste", "paste", {"paste-raters": "Ben Carter, ben@trust.example, Peer"})):
        field = re.search(f'<form method="post" action="{action}" novalidate>\\s*<input id="{prefix}-csrf_token" '
                          f'name="{prefix}-csrf_token" type="hidden" value="([^"]+)">', page)
        assert field is not None, prefix
        assert owner_client.post(action, data={f"{prefix}-csrf_token": field.group(1), **data}).status_code == 302
    assert set(db.session.scalars(sa.select(Invitation.email))) == {"sam@trust.example", "ben@trust.example"}
