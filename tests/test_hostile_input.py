"""Hostile input in every field a person can fill, then every page, every email and the PDF, read by every kind
of person: the markup arrives as text, never as markup (PRODUCT §8: every template escapes what it renders, the
design system's macros included)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader
from werkzeug.routing import AnyConverter, IntegerConverter

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User
from app.timeutil import today, utcnow
from facilitator import operations as facilitated
from facilitator import plan
from facilitator.operations import assign
from facilitator.rules import EVALUATION_QUESTIONS, GOAL_FIELDS, SUMMARY_TEXTS, SessionMode
from reports.build import pdf_for
from reports.models import Report
from reports.operations import share
from surveys import operations
from surveys.models import Cycle, OrgStatement
from tests.fixtures.answers import answer
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher

MARK = '<b id="hostile">x</b>'
HOSTILE = f'"\'><script>alert(1)</script></textarea></title><meta http-equiv="refresh" content="0">{MARK}'
RAW = ("<script>alert(1)", '<meta http-equiv="refresh"', MARK)  # what must never reach a page as markup


def _clean(text: str, where: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where}: {raw!r} written unescaped"


@pytest.fixture
def hostile_world(app: Flask, organisation: Organisation, create_user: Callable[..., User],
                  create_round: Callable[..., Cycle]) -> dict[Role, User]:
    organisation.name = f"Trust {HOSTILE}"
    db.session.add(OrgStatement(organisation_id=organisation.id, self_text=f"I value {HOSTILE}",
                                rater_text=f"This person values {HOSTILE}"))
    unit.commit()
    people = {role: create_user(role, name=f"{role.value} {HOSTILE}", email=f"{role.value}@trust.example")
              for role in Role}
    owner = people[Role.OWNER]
    cycle = create_round(owner, [(f"Rater {n} {HOSTILE}", f"r{n}@trust.example", cat)
                                 for n, cat in enumerate(["manager", "peer", "peer", "peer", "other"])])
    texts = dict.fromkeys(("highs_and_lows", "implications", "growth", "achieve", "support", "life_factors"),
                          HOSTILE)
    operations.save_preparation(cycle, texts, {}, None, submit=True)
    operations.save_self_answers(cycle, {k: 4 for k in cycle.questionnaire().statement_keys()})
    answer(cycle, random.Random(3), choices=(2, 3, 4, 5),
           comments={q.key: HOSTILE for q in cycle.questionnaire().open_questions})
    operations.close_round_early(cycle)
    unit.commit()  # the report is built here (the test queue runs the job at once)
    report = db.session.scalar(sa.select(Report).where(Report.cycle_id == cycle.id))
    assign(owner, people[Role.FACILITATOR], people[Role.ADMIN])
    share(report, people[Role.MANAGER])
    unit.commit()
    _facilitated_session(cycle, people)
    return people


def _facilitated_session(cycle: Cycle, people: dict[Role, User]) -> None:
    """Every field of the facilitated session: the summary's texts and goals, the owner's change request, a goal's
    progress note and the evaluation's comment."""
    facilitator = people[Role.FACILITATOR]
    facilitated.record_session(cycle, today(), SessionMode.VIDEO, facilitator, today())
    texts = dict.fromkeys(SUMMARY_TEXTS, HOSTILE)
    goals = [{"term": "short", **dict.fromkeys(GOAL_FIELDS, HOSTILE), "target_on": today() + timedelta(days=30)}]
    summary = facilitated.propose(cycle, texts, goals, facilitator, today())
    facilitated.answer(summary, agree=False, comment=HOSTILE, now=utcnow())
    summary = facilitated.propose(cycle, texts, goals, facilitator, today())
    facilitated.answer(summary, agree=True, comment="", now=utcnow())
    facilitated.record_progress(cycle, summary.goals[0]["key"], "on_track", HOSTILE, None, today())
    facilitated.share_summary(cycle, people[Role.MANAGER])
    facilitated.evaluate(cycle, dict.fromkeys(EVALUATION_QUESTIONS, 4), HOSTILE)
    unit.commit()


def _urls(app: Flask, values: dict[str, object]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in {"static", "assets.static", "auth.logout"}:
            continue
        converters = rule._converters
        filled = {name: values.get(name, 1 if isinstance(c, IntegerConverter) else
                                   min(c.items) if isinstance(c, AnyConverter) else "x")
                  for name, c in converters.items()}
        if "action" in converters:
            filled["action"] = "close"
        urls.append(rule.build(filled, append_unknown=False)[1])
    return urls


def test_every_page_email_and_pdf_shows_hostile_input_as_text(app: Flask, hostile_world: dict[Role, User],
                                                              mailbox: MailCatcher) -> None:
    report = db.session.scalar(sa.select(Report))
    values = {"report_id": report.id, "cycle_id": report.cycle_id, "number": 1, "goal_number": 1}
    shown = 0
    for role, person in hostile_world.items():
        client = signed_in(app, person)
        for url in _urls(app, values):
            response = client.get(url)
            if response.mimetype == "text/html":
                page = response.get_data(as_text=True)
                _clean(page, f"{role.value} GET {url}")
                shown += "hostile" in page
    assert shown >= 10  # the hostile text really reached the pages: escaped, not missing

    messages: list[EmailMessage] = list(mailbox.messages)
    assert messages
    for message in messages:
        html = message.get_body(("html",))
        if html is not None:
            _clean(html.get_content(), f"mail '{message['Subject']}'")

    cycle = report.cycle
    plan_pdf = plan.pdf(cycle, facilitated.agreed_summary(cycle), "owner")  # type: ignore[arg-type]
    for pdf_bytes in (pdf_for(report, "pdf"), plan_pdf):
        pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
        assert "hostile" in pdf
        assert "&lt;" not in pdf and "&amp;" not in pdf and "&#34;" not in pdf  # escaped once, printed as typed
