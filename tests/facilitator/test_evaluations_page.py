"""The administrators' Evaluations page (/evaluations) in plain English."""

from __future__ import annotations

from collections.abc import Callable

from app.extensions import db
from app.models import Role, User
from facilitator.models import Evaluation
from surveys.models import Cycle
from tests.fixtures.people import signed_in

RATINGS = {k: 4 for k in ("understood", "listened", "goals", "next", "overall")}


def test_an_evaluation_without_a_comment_says_so_in_words(app, owner: User, open_round: Cycle,  # type: ignore[no-untyped-def]
                                                           create_user: Callable[..., User]) -> None:
    db.session.add(Evaluation(cycle=open_round, facilitator=create_user(Role.FACILITATOR), ratings=RATINGS,
                              comment=None))
    db.session.commit()
    page = signed_in(app, create_user(Role.ADMIN)).get("/evaluations").get_data(as_text=True)
    comment = page.split('aria-hidden="true">Comment </span>', 1)[1].split("</td>", 1)[0]
    assert "No comment" in comment and "None" not in comment, comment
