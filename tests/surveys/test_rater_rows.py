"""The raters page's list as plain values and printed rows (surveys/rater_rows.py): the facts it counts are the ones
the database counts, and a row says and offers nothing that tells an answer from a decline (PRODUCT §2.4)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from app import db as unit
from app.models import Role, User
from surveys.models import Cycle, InvitationStatus
from surveys.rater_rows import escaped, list_facts, rater_rows, summary_rows

MOMENT = datetime(2026, 11, 2, 9, 0)


def test_the_list_facts_from_rows_are_the_ones_the_database_counts(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [("Sam Patel", "sam@trust.example", "peer")], open_it=False)
    (invitation,) = cycle.invitations
    # Every combination, one at a time: the counts add up row by row, so a row counted wrongly shows on its own.
    for withdrawn, status, confirmed, requested, approval in itertools.product(
            (None, MOMENT), list(InvitationStatus), (None, MOMENT), (None, MOMENT), (False, True)):
        invitation.withdrawn_at, invitation.status = withdrawn, status
        invitation.confirmed_at, invitation.confirmation_requested_at = confirmed, requested
        cycle.requires_nomination_approval = approval
        unit.commit()
        assert list_facts(rater_rows(cycle.id), approval) == cycle.list_facts()


def _rows_html(cycle: Cycle, editable: bool = True, approval: bool = False) -> str:
    return str(summary_rows(rater_rows(cycle.id), editable=editable, approval=approval))


def test_a_row_offers_change_and_remove_before_the_invitation_and_only_withdraw_after(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [('Jo "O\'Brien" <b>', "jo@trust.example", "peer"),
                                 ("Sam Patel", "sam@trust.example", "manager")], open_it=False)
    jo, sam = cycle.invitations
    with app.test_request_context():
        html = _rows_html(cycle)
        assert f'href="/round/raters/{jo.id}/edit">Change<span class="nhsuk-u-visually-hidden"> Jo &#34;O&#39;Brien' \
               f'&#34; &lt;b&gt;</span></a>' in html
        assert f'href="/round/raters/{sam.id}/remove">Remove' in html and "<b>" not in html
        assert "Withdraw" not in html and "Invited" not in html
        sam.status = InvitationStatus.INVITED
        unit.commit()
        html = _rows_html(cycle)
        assert f'href="/round/raters/{sam.id}/withdraw">Withdraw' in html
        assert f"/round/raters/{sam.id}/edit" not in html and f"/round/raters/{sam.id}/remove" not in html
        assert "Change" in html  # Jo, not yet invited
        assert not re.search(r"Change|Remove|Withdraw", _rows_html(cycle, editable=False))


def test_an_invited_rater_who_answered_or_declined_reads_as_one_who_did_neither(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [("Sam Patel", "sam@trust.example", "peer")])
    (sam,) = cycle.invitations
    seen = []
    with app.test_request_context():
        for status in (InvitationStatus.INVITED, InvitationStatus.DONE):
            sam.status = status
            unit.commit()
            seen += [_rows_html(cycle, approval=approval) for approval in (False, True)]
    assert len(set(seen)) == 1 and "<br>Invited</dd>" in seen[0]


def test_with_approval_a_row_says_where_its_confirmation_stands(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [("A", "a@trust.example", "peer"), ("B", "b@trust.example", "peer"),
                                 ("C", "c@trust.example", "peer"), ("D", "d@trust.example", "peer")], open_it=False)
    _, b, c, d = cycle.invitations
    b.confirmed_at, c.confirmation_requested_at, d.withdrawn_at = MOMENT, MOMENT, MOMENT
    unit.commit()
    with app.test_request_context():
        stands = re.findall(r"<br>Peer(?:<br>([^<]*))?</dd>", _rows_html(cycle, approval=True))
        assert stands == ["Not yet confirmed", "Confirmed by your facilitator",
                          "Waiting for your facilitator to confirm", "Withdrawn"]
        assert re.findall(r"<br>Peer(?:<br>([^<]*))?</dd>", _rows_html(cycle)) == ["", "", "", "Withdrawn"]


@given(st.text(alphabet=st.sampled_from("&<>\"'; #x27quotamp") | st.characters()))
def test_a_name_is_escaped_exactly_as_the_template_escaped_it(text: str) -> None:
    assert escaped(text) == str(escape(text))


def test_the_list_read_on_the_sessions_connection_holds_a_change_not_yet_flushed(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle]) -> None:
    owner = create_user(Role.OWNER)
    cycle = create_round(owner, [("Sam Patel", "sam@trust.example", "peer")], open_it=False)
    (sam,) = cycle.invitations
    sam.withdrawn_at = MOMENT  # in the session only, as a page's own change would be
    assert [row.withdrawn_at for row in rater_rows(cycle.id)] == [MOMENT]
