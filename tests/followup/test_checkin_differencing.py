"""Two check-ins about the same goals subtract (PRODUCT §3.2, §10): asked {x, y, z} and then {x, y, z, w}, the second
sum less the first is w's answer. The owner can send one after another (close early, send again), so the product
must refuse a list that overlaps an earlier one about the same goals without being the same people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.models import User
from app.timeutil import today, utcnow
from followup.checkin import operations
from followup.checkin.operations import SendProblems
from surveys.categories import Category
from surveys.models import Cycle
from surveys.rater_list import RaterEntry
from tests.conftest import post_form
from tests.followup.checkins import agreed_plan, answer


def _send(owner: User, emails: list[str]) -> operations.CheckIn:
    plan = operations.plan_in_force(owner)
    assert plan is not None
    entries = [RaterEntry(e.split("@")[0], e, Category.OTHER) for e in emails]
    checkin = operations.send(owner, plan, entries, today() + timedelta(days=14), True, utcnow())
    unit.commit()
    return checkin


def _sum_and_count(checkin: operations.CheckIn) -> tuple[int, int]:
    line = operations.results(checkin).lines[0].result
    assert line is not None and line.value is not None and line.answers is not None
    # A mean printed to one decimal times a count under 10 rounds to the exact sum of whole-number answers.
    return round(line.value * line.answers), line.answers


def test_adding_one_person_to_an_earlier_check_ins_list_is_refused(
        app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round, goals=1)
    domain = owner.email.split("@")[1]
    friends = [f"x@{domain}", f"y@{domain}", f"z@{domain}"]
    first = _send(owner, friends)
    for rater, value in zip(first.raters, ("1", "1", "0"), strict=True):  # x, y, z: the owner hears them all
        answer(app.test_client(), first, rater, value)
    operations.close_early(first, utcnow())
    unit.commit()
    assert _sum_and_count(first) == (2, 3)
    with pytest.raises(SendProblems) as refused:
        _send(owner, [*friends, f"W+list@{domain}"])  # w's answer would be the second sum less the first
    unit.rollback()
    assert "same people" in refused.value.problems[0][1]
    # The same people again is a fair question (their change together), and so are only new people.
    again = _send(owner, [f"X@{domain}", f"y+again@{domain}", f"z@{domain}"])
    operations.close_early(again, utcnow())
    unit.commit()
    _send(owner, [f"u@{domain}", f"v@{domain}", f"w@{domain}"])


def test_the_send_page_says_so_at_the_list_and_keeps_what_was_typed(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round, goals=1)
    domain = owner.email.split("@")[1]
    first = _send(owner, [f"x@{domain}", f"y@{domain}", f"z@{domain}"])
    operations.close_early(first, utcnow())
    unit.commit()
    close = today() + timedelta(days=14)
    typed = "\n".join(f"{n}, {n}@{domain}" for n in "xyzw")
    page = post_form(owner_client, "/development/check-in",
                     {"day": str(close.day), "month": str(close.month), "year": str(close.year), "raters": typed})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<title>Error:" in html and "Ask exactly the same people" in html
    assert 'href="#raters"' in html and f"w@{domain}" in html
    assert len(operations.checkins_of(owner.id)) == 1


def test_after_a_check_in_the_send_page_starts_from_its_people_and_says_why(
        owner: User, owner_client: FlaskClient, create_round: Callable[..., Cycle]) -> None:
    agreed_plan(owner, create_round, goals=1)
    domain = owner.email.split("@")[1]
    first = _send(owner, [f"x@{domain}", f"y@{domain}", f"z@{domain}"])
    operations.close_early(first, utcnow())
    unit.commit()
    html = owner_client.get("/development/check-in").get_data(as_text=True)
    assert f"x@{domain}" in html and "peer0@" not in html  # the check-in's people, not the round's
    assert "ask exactly them again, or only people you have not asked" in html
