"""The next round starts where the last ended: the rater list from the last round's, each person re-entered and
checked again (or a plain word when their details are purged)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask

from app import db as unit
from app.extensions import db
from app.models import User
from facilitator.models import GoalProgress, Summary
from facilitator.rules import GoalStatus
from surveys import operations
from surveys.models import Cycle
from surveys.rights import purge_raters
from tests.conftest import post_form
from tests.fixtures.clock import TestClock
from tests.fixtures.people import signed_in

LAST = [("Mo Manager", "mo@trust.example", "manager"), ("Smith, Pat", "pat@trust.example", "peer"),
        ("Pip Peer", "pip@trust.example", "peer"), ("Dee Report", "dee@trust.example", "direct_report")]


@pytest.fixture
def second_round(owner: User, create_round: Callable[..., Cycle], clock: TestClock) -> tuple[Cycle, Cycle]:
    first = create_round(owner, LAST)
    operations.withdraw_rater(next(i for i in first.invitations if i.name == "Dee Report"), clock())
    operations.cancel_round(first)
    unit.commit()
    clock.advance(days=200)
    return first, create_round(owner, open_it=False)


def _raters_page(app: Flask, owner: User, query: str = "") -> str:
    return html.unescape(signed_in(app, owner).get(f"/round/raters{query}").get_data(as_text=True))


def test_the_owner_puts_the_last_list_in_the_box_and_each_person_is_added_afresh(
        app: Flask, owner: User, second_round: tuple[Cycle, Cycle]) -> None:
    first, second = second_round
    page = _raters_page(app, owner)
    assert "Start from your last round’s list" in page and "the 3 people you asked" in page
    assert "mo@trust.example" not in page  # nothing is put in the box until the owner asks
    filled = _raters_page(app, owner, "?start=last")
    assert '"Smith, Pat",pat@trust.example,Peer' in filled and "dee@trust.example" not in filled  # withdrawn
    client = signed_in(app, owner)
    text = ('Mo Manager,mo@trust.example,Manager\n"Smith, Pat",pat@trust.example,Peer\n'
            'Pip Peer,Olivia@trust.example,Peer')  # the owner's own address: refused as on any list
    response = post_form(client, "/round/raters/paste", {"paste-raters": text}, page="/round/raters?start=last",
                         prefix="paste")  # the owner kept two lines and typed one of their own
    assert response.status_code in (200, 302)
    unit.rollback()
    added = {(i.name, i.email) for i in second.invitations}
    assert added == {("Mo Manager", "mo@trust.example"), ("Smith, Pat", "pat@trust.example")}
    assert not {i.id for i in second.invitations} & {i.id for i in first.invitations}
    # What is on the list already is not offered again.
    assert '"Smith, Pat"' not in _raters_page(app, owner, "?start=last").split("Add several people at once")[1]


def test_after_the_purge_the_page_says_so_instead_of_offering_the_list(
        app: Flask, owner: User, second_round: tuple[Cycle, Cycle], clock: TestClock) -> None:
    first, _ = second_round
    purge_raters(first, clock())
    unit.commit()
    page = _raters_page(app, owner, "?start=last")
    assert "were deleted on" in page and "cannot be offered here" in page
    assert "Put your last round’s list in the box" not in page and "mo@trust.example" not in page


def test_the_preparation_document_opens_with_last_times_goals_and_their_progress(
        app: Flask, owner: User, second_round: tuple[Cycle, Cycle], clock: TestClock) -> None:
    first, _ = second_round
    goals = [{"key": "a" * 32, "term": "short", "what": "Chair the weekly huddle", "measure": "m", "support": "s",
              "values": "v", "target_on": "2026-08-01"},
             {"key": "b" * 32, "term": "long", "what": "Lead a service review", "measure": "m", "support": "s",
              "values": "v", "target_on": "2027-03-01"}]
    db.session.add(Summary(cycle_id=first.id, version=1, content={"goals": goals}, status="agreed",
                           agreed_at=clock() - timedelta(days=150)))
    db.session.add(GoalProgress(cycle_id=first.id, goal_key="a" * 32, status=GoalStatus.MET,
                                note="Chaired twelve of them", completed_on=date(2026, 7, 20)))
    unit.commit()
    page = html.unescape(signed_in(app, owner).get("/round/preparation").get_data(as_text=True))
    context = page.split('id="last-goals"')[1].split("</section>")[0]
    assert "Goal 1: Chair the weekly huddle" in context and "Progress: Met, completed 20 July 2026" in context
    assert "Chaired twelve of them" in context
    assert "Goal 2: Lead a service review" in context and "Progress: Not recorded" in context
    assert page.index('id="last-goals"') < page.index("<textarea")  # above the form, read-only
    assert "<input" not in context and "<textarea" not in context


def test_a_first_round_opens_with_no_goals(app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    create_round(owner, open_it=False)
    page = signed_in(app, owner).get("/round/preparation").get_data(as_text=True)
    assert "Your preparation document" in page and "last-goals" not in page
