"""The owner plays the attacker (issue 12, point 3): they know whom they invited, watch their pages and reload them
around one rater's submission or decline. Nothing they are shown may move until the next daily update, nor tell,
for a named rater, an answer from a decline from nothing at all (PRODUCT §2.4, §2.6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.timeutil import utcnow
from surveys import clock, operations
from surveys.models import Cycle, Invitation, Response
from surveys.rules.daily_counts import next_update_moment
from tests.conftest import post_form
from tests.fixtures.answers import answer_on_pages
from tests.fixtures.rounds import invited_days_ago, link_token, open_link
from tests.fixtures.smtp import MailCatcher

OWNER_PAGES = ("/round", "/round/raters")
_VARYING = re.compile(r'(name="[\w-]*csrf_token" type="hidden" value="|nonce="|[?&]csrf_token=)[^"&]+')


def _seen(client: FlaskClient, urls: tuple[str, ...] = OWNER_PAGES) -> list[str]:
    """Every page the owner can load, with only what changes on every request (CSRF token, CSP nonce) masked."""
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(_VARYING.sub(lambda m: m.group(1) + "…", response.get_data(as_text=True)))
    return pages


def _answer(app: Flask, invitation: Invitation) -> None:
    rater = app.test_client()
    base = open_link(rater, link_token(invitation))
    answer_on_pages(rater, base, invitation.cycle.questionnaire())
    assert rater.post(f"{base}/check").status_code == 302


def _decline(app: Flask, invitation: Invitation) -> None:
    rater = app.test_client()
    base = open_link(rater, link_token(invitation))
    assert rater.post(f"{base}/decline").status_code == 302


def _anonymised(page: str, invitation: Invitation) -> str:
    return page.replace(invitation.name, "NAME").replace(invitation.email, "EMAIL") \
        .replace(f"/raters/{invitation.id}/", "/raters/ID/")


def _row(page: str, invitation: Invitation) -> str:
    rows = page.split('<div class="nhsuk-summary-list__row">')
    [row] = [r for r in rows if f">{invitation.name}</dt>" in r]
    return _anonymised(row.split("</div>")[0], invitation)


def test_reloading_around_one_submission_and_one_decline_shows_nothing_new(
        app: Flask, owner_client: FlaskClient, open_round: Cycle) -> None:
    _mo, pat, pip, dee = open_round.invitations
    withdraw_pages = tuple(f"/round/raters/{i.id}/withdraw" for i in (pat, pip, dee))
    before = _seen(owner_client, OWNER_PAGES + withdraw_pages)

    _answer(app, pat)
    assert _seen(owner_client, OWNER_PAGES + withdraw_pages) == before
    _decline(app, pip)
    assert _seen(owner_client, OWNER_PAGES + withdraw_pages) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1  # it did arrive

    # Answered, declined and neither: the same row, the same withdrawal page, bar the name and address.
    raters = _seen(owner_client)[1]
    assert _row(raters, pat) == _row(raters, pip)
    assert "Has replied" not in raters and _row(raters, pat) != _row(raters, dee)  # dee is a direct report
    pages = _seen(owner_client, withdraw_pages)
    assert _anonymised(pages[0], pat) == _anonymised(pages[1], pip) == _anonymised(pages[2], dee)
    # The old ways into a rater's details lead every invited rater to the same place.
    for invitation in (pat, pip, dee):
        for action in ("edit", "remove"):
            response = owner_client.get(f"/round/raters/{invitation.id}/{action}")
            assert response.headers["Location"] == f"/round/raters/{invitation.id}/withdraw"


def test_counts_move_only_at_the_next_daily_update_and_say_when_that_was(
        app: Flask, owner_client: FlaskClient, open_round: Cycle) -> None:
    _, pat, pip, _ = open_round.invitations
    _answer(app, pat)
    _decline(app, pip)
    page = owner_client.get("/round").get_data(as_text=True)
    opened = open_round.opened_at.strftime("%-d %B %Y at %H:%M")
    assert f"Last updated {opened} UTC." in page

    # The clock ticks all day; nothing moves before the morning update, up to its last minute (whatever the time
    # now: five minutes on could already be past it).
    now = utcnow()
    morning = next_update_moment(now) + timedelta(minutes=1)
    before = _seen(owner_client)
    for moment in (now, morning - timedelta(minutes=2)):
        assert "0 rounds' counts updated;" in clock.tick(moment)
    assert _seen(owner_client) == before
    assert "1 rounds' counts updated;" in clock.tick(morning)
    page = " ".join(owner_client.get("/round").get_data(as_text=True).split())
    assert f"Last updated {morning.strftime('%-d %B %Y at %H:%M')} UTC." in page
    peers = page.split("</span>Peers")[1].split("</tr>")[0]
    assert re.findall(r"</span>(\d+) </td>", peers) == ["2", "1", "1"]  # invited, responded, declined
    assert "Pat Peer" not in page and "Pip Peer" not in page


def test_the_close_confirmation_reads_the_same_before_and_after_a_response(
        app: Flask, owner_client: FlaskClient, open_round: Cycle) -> None:
    before = _seen(owner_client, ("/round/close",))
    assert "<button" in before[0].split("<main")[1]  # closing early is offered whatever anyone has done
    _answer(app, open_round.invitations[1])
    assert _seen(owner_client, ("/round/close",)) == before


def test_a_withdrawn_rater_loses_their_link_but_an_answer_given_stays(
        app: Flask, owner_client: FlaskClient, open_round: Cycle, mailbox: MailCatcher) -> None:
    _mo, pat, _pip, dee = open_round.invitations
    _answer(app, pat)
    live_token = link_token(dee)
    operations.update_counts(open_round, utcnow())
    db.session.commit()
    counts_before = list(open_round.counts)
    for invitation in (pat, dee):
        response = post_form(owner_client, f"/round/raters/{invitation.id}/withdraw", {})
        assert response.status_code == 302
        flashed = owner_client.get("/round/raters").get_data(as_text=True)
        assert f"{invitation.name} has been withdrawn. Their links no longer work." in flashed
    assert app.test_client().get(f"/r/{live_token}").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    cycle = db.session.get(Cycle, open_round.id)
    operations.update_counts(cycle, utcnow())
    assert cycle.counts == counts_before  # withdrawal moves no count, so none tells how they had replied
    # Reminders go to the raters still outstanding only.
    mailbox.clear()
    invited_days_ago(cycle, 6)
    clock.tick(utcnow())
    assert sorted(m["To"] for m in mailbox.messages) == ["mo@trust.example", "pip@trust.example"]
    # A second withdrawal, or one of a rater not yet invited, is refused in words.
    again = owner_client.get(f"/round/raters/{dee.id}/withdraw").get_data(as_text=True)
    assert "Dee Report has already been withdrawn." in again and "<button" not in again.split("<main")[1]


@pytest.mark.parametrize("ending", ["close", "cancel"])
def test_closing_or_cancelling_a_minute_after_a_decline_shows_no_new_count(
        app: Flask, owner_client: FlaskClient, open_round: Cycle, ending: str) -> None:
    """Found by an adversarial review: the close took a fresh count, so an owner could time one rater's reply by
    closing (or cancelling) straight after a conversation. The counts stay as the last daily update took them."""
    operations.update_counts(open_round, utcnow())  # this morning's update: nobody has replied
    db.session.commit()
    counts_before = list(open_round.counts)
    _answer(app, open_round.invitations[1])
    _decline(app, open_round.invitations[2])
    assert post_form(owner_client, f"/round/{ending}", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Cycle, open_round.id).counts == counts_before
