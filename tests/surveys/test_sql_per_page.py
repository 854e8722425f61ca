"""A page sends the same number of SQL statements whether its round has 5 raters or 50, and whether its owner has
had one round or three (PRODUCT §8): no page loads row by row. bench/pages.py prints the same counts up to 200."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from app import db as unit
from app.db import counting_statements
from app.extensions import db
from app.models import Role, User
from surveys import responses
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.fixtures.answers import area_form
from tests.fixtures.people import PASSWORD
from tests.fixtures.rounds import link_token


@dataclass
class Case:
    owner_email: str
    token: str  # a rater part-way through
    done_token: str  # a rater with every answer given
    answers: dict[str, str]


def _complete(cycle: Cycle, count: int) -> None:
    keys = cycle.questionnaire().statement_keys()
    for invitation in cycle.invitations[:count]:
        responses.save_answers(invitation, dict.fromkeys(keys, 4))
        responses.save_comments(invitation, {"strengths": "Listens well"})


def _case(create_user: Callable[..., User], create_round: Callable[..., Cycle], raters: int, earlier: int) -> Case:
    owner = create_user(Role.OWNER, email=f"owner{raters}x{earlier}@trust.example")
    for n in range(earlier):
        cycle = create_round(owner, [(f"Old {n}", f"old{n}.{raters}@trust.example", "peer")])
        cycle.state = CycleState.EVALUATED  # done with: how it got there is not what is counted
        unit.commit()
    cycle = create_round(owner, [(f"Rater {n}", f"r{n}.{raters}.{earlier}@trust.example", ["peer", "manager",
                                  "direct_report"][n % 3]) for n in range(raters)])
    _complete(cycle, raters // 2 + 1)
    for invitation in cycle.invitations[: raters // 2]:
        responses.submit(invitation)
    unit.commit()
    area = cycle.questionnaire().areas[0]
    answers = area_form(area)
    return Case(owner.email, link_token(cycle.invitations[-1]), link_token(cycle.invitations[raters // 2]),
                answers | {"action": "continue"})


def _counts(app: Flask, case: Case) -> dict[str, int]:
    rater, done, owner = app.test_client(), app.test_client(), app.test_client()
    # The rater's pages' address, wherever opening the link leads.
    base = rater.get(f"/r/{case.token}", follow_redirects=True).request.path
    done_base = done.get(f"/r/{case.done_token}", follow_redirects=True).request.path
    page = owner.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert csrf
    owner.post("/sign-in", data={"csrf_token": csrf.group(1), "email": case.owner_email, "password": PASSWORD})
    calls = {
        "rater area page": lambda: rater.get(f"{base}/area/1"),
        "rater area save": lambda: rater.post(f"{base}/area/1", data=case.answers),
        "rater check page": lambda: done.get(f"{done_base}/check"),
        "rater submit": lambda: done.post(f"{done_base}/check"),
        "owner dashboard": lambda: owner.get("/round"),
        "owner raters page": lambda: owner.get("/round/raters"),
    }
    counts = {}
    for label, call in calls.items():
        db.session.remove()  # each request starts with an empty session, as in a web process
        with counting_statements() as statements:
            status = call().status_code
        assert status in (200, 302), f"{label} answered {status}"
        counts[label] = len(statements)
    return counts


@pytest.mark.parametrize("earlier", [0, 2], ids=["first round", "third round"])
def test_statements_per_page_do_not_grow_with_the_round(app: Flask, create_user: Callable[..., User],
                                                        create_round: Callable[..., Cycle], earlier: int) -> None:
    small = _case(create_user, create_round, 5, min(earlier, 1))
    large = _case(create_user, create_round, 50, earlier)
    small_counts, large_counts = _counts(app, small), _counts(app, large)
    # Neither the raters nor the rounds before grow a page's statements (with a round before, the raters page
    # also offers that round's list: a fixed two statements more, however many rounds came before).
    assert large_counts == small_counts
    assert small_counts["rater area page"] <= 4 and small_counts["rater submit"] <= 15
    # A save loads the invitation with its draft and round at once, and never the owner's roles (surveys.links)
    assert small_counts["rater area save"] <= 4
