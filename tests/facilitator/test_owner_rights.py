"""Owners' rights over the facilitated session (PRODUCT §5-§7): the export holds it all and reads back; deleting a
round in any state, the account, or the worker's retention leaves no row that points at what was deleted, in any
table (found by walking the metadata's foreign keys, so a table added later is checked without naming it), and no
mail claim about it."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import db as unit
from app.clock import tick
from app.extensions import db
from app.mail import OutboundMail
from app.models import Role, User
from app.owner_data import read_export
from app.timeutil import today, utcnow
from facilitator import jobs
from facilitator import operations as facilitated
from facilitator.rules import EVALUATION_QUESTIONS, SessionMode
from followup.checkin import operations as checkins
from reports import operations as reports
from reports.build import figures_csv, pdf_for
from surveys import links, operations, responses
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.models import Cycle, ReturnedList
from surveys.rater_list import RaterEntry
from surveys.signals import round_closed
from tests.conftest import post_form
from tests.fixtures.answers import COMMENT, answer
from tests.fixtures.insider import database_bytes
from tests.fixtures.people import PASSWORD, signed_in
from tests.fixtures.smtp import MailCatcher

CATEGORIES = ["manager", "peer", "peer", "peer", "direct_report", "direct_report", "direct_report"]
PREPARATION = {"highs_and_lows": "Led the ward move", "implications": "", "growth": "", "achieve": "",
               "support": "", "life_factors": ""}


def _goal(what: str, days: int, term: str = "short") -> dict[str, Any]:
    return {"term": term, "what": what, "measure": "Chaired 4 meetings", "support": "Time from my manager",
            "values": "Compassion", "target_on": today() + timedelta(days=days)}


SUMMARY = {"key_points": "Wants to lead the discharge programme", "strengths": "Calm",
           "development_areas": "Delegation"}
RATINGS = dict.fromkeys(EVALUATION_QUESTIONS, 4)


class World:
    """The people around the owners: one facilitator, one manager to share with, one lead who assigns."""

    def __init__(self, create_user: Callable[..., User]) -> None:
        self.create_user = create_user
        self.facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
        self.manager = create_user(Role.MANAGER, name="Mo Manager")
        self.lead = create_user(Role.LOCAL_LEAD, name="Lee Lead")
        self.mail_of: dict[int, set[int]] = {}  # round id -> the outbox rows its life created

    def round_in(self, state: CycleState, owner: User | None = None) -> Cycle:
        """A round brought to `state` through the real steps, with everything that state can hold."""
        owner = owner or self.create_user(Role.OWNER, name=f"Owner {state.value}",
                                          email=f"owner-{state.value}@trust.example")
        owner.organisation.facilitator_releases_report = True
        facilitated.assign(owner, self.facilitator, self.lead)
        unit.commit()
        before = set(db.session.scalars(sa.select(OutboundMail.id)))
        cycle = self._build(owner, state)
        assert cycle.state is state
        self.mail_of[cycle.id] = set(db.session.scalars(sa.select(OutboundMail.id))) - before
        return cycle

    def _build(self, owner: User, state: CycleState) -> Cycle:
        cycle = operations.start_cycle(owner, today() + timedelta(days=21), today())
        operations.save_preparation(cycle, PREPARATION, {"fulfilment": 4}, "stay", submit=True)
        operations.add_raters(cycle, [RaterEntry(f"Rater {n}", f"rater-{state.value}-{n}@trust.example",
                                                 Category(category)) for n, category in enumerate(CATEGORIES)])
        if state is CycleState.DRAFT:  # a facilitator's note sending the list back: a draft's alone
            cycle.returned_list = ReturnedList(note="Ask someone from the ward too", returned_at=utcnow())
        unit.commit()
        if state is CycleState.DRAFT:
            return cycle
        operations.open_round(cycle, today())
        operations.save_self_answers(cycle, {k: 4 for k in cycle.questionnaire().statement_keys()})
        first = cycle.invitations[0]
        links.issue(first)
        links.start_session(first, utcnow())
        responses.save_answers(first, {k: 3 for k in cycle.questionnaire().statement_keys()})  # a draft
        unit.commit()
        if state is CycleState.OPEN:
            return cycle
        if state is CycleState.CANCELLED:
            operations.cancel_round(cycle)
            unit.commit()
            return cycle
        if state is CycleState.NO_RESPONSES:  # closed before anyone answered: no report
            operations.close_round_early(cycle)
            unit.commit()
            return cycle
        answer(cycle, random.Random(cycle.id), choices=(2, 3, 4, 5), comments={"strengths": COMMENT})
        if state is CycleState.CLOSED:
            with round_closed.muted():  # the report is not built yet: the round stays `closed`
                operations.close_round_early(cycle)
                unit.commit()
            return cycle
        operations.close_round_early(cycle)
        unit.commit()  # the (synchronous) test queue builds the report here
        report = reports.report_for(cycle.id)
        assert report is not None
        facilitated.record_read(cycle, self.facilitator, "preparation")
        facilitated.release(cycle, self.facilitator)
        reports.share(report, self.manager)
        unit.commit()
        reports.log_read(reports.read_log_entry(report, owner, "owner", "pdf"))
        reports.log_read(reports.read_log_entry(report, self.manager, "shared", "page"))
        if state is CycleState.REPORT_READY:
            return cycle
        facilitated.record_session(cycle, today(), SessionMode.VIDEO, self.facilitator, today())
        summary = facilitated.propose(cycle, SUMMARY, [_goal("Chair the team meeting", 30)], self.facilitator,
                                      today())
        facilitated.answer(summary, agree=False, comment="Add a longer-term goal", now=utcnow())
        unit.commit()
        if state is CycleState.SESSION_HELD:
            return cycle
        summary = facilitated.propose(cycle, SUMMARY, [_goal("Chair the team meeting", 30),
                                                       _goal("Lead a project", 200, "long")], self.facilitator, today())
        facilitated.answer(summary, agree=True, comment="", now=utcnow())
        same_goals = [{**goal, "target_on": date.fromisoformat(goal["target_on"])} for goal in summary.goals]
        version_two = facilitated.propose(cycle, {**SUMMARY, "strengths": "Calm, and kind"}, same_goals,
                                          self.facilitator, today())
        facilitated.answer(version_two, agree=True, comment="", now=utcnow())
        facilitated.record_progress(cycle, summary.goals[0]["key"], "on_track", "Two meetings so far", None, today())
        facilitated.share_summary(cycle, self.manager)
        facilitated.record_read(cycle, self.manager, "plan_pdf", capacity="shared")
        unit.commit()
        if state is CycleState.SUMMARY_AGREED:
            jobs.claim_evaluation_reminders(utcnow() + timedelta(days=4))
            unit.commit()
            return cycle
        facilitated.evaluate(cycle, RATINGS, "Very helpful")
        # A goal check-in about the agreed goals: a link, a cookie session and an answer (followup/checkin/).
        plan = checkins.plan_in_force(owner)
        assert plan is not None
        checkin = checkins.send(owner, plan, [RaterEntry(f"Asked {n}", f"asked-{n}@trust.example", Category.OTHER)
                                              for n in range(3)], today() + timedelta(days=14), True, utcnow())
        checkins.issue(checkin.raters[0])
        checkins.start_session(checkin.raters[1], utcnow())
        checkins.submit(checkin.raters[2], dict.fromkeys(checkin.goal_keys, 1), "")
        unit.commit()
        return cycle


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> World:
    return World(create_user)


# --- Everything tied to a round, found from the metadata --------------------------------------------------------

def rows_tied_to(cycle_id: int) -> dict[str, int]:
    """Every row of every table that points at the round, directly or through rows that do (an invitation's
    link, a report's read), by table: the row count. Tables come in dependency order, so one pass follows chains."""
    values: dict[str, dict[str, set[Any]]] = {"cycles": {"id": {cycle_id}}}
    counts: dict[str, int] = {}
    referenced = {(fk.column.table.name, fk.column.name) for t in db.metadata.sorted_tables for fk in t.foreign_keys}
    for table in db.metadata.sorted_tables:
        conditions = [fk.parent.in_(values[fk.column.table.name][fk.column.name])
                      for fk in table.foreign_keys
                      if fk.column.table.name != table.name and values.get(fk.column.table.name, {}).get(
                          fk.column.name)]
        if table.name == "cycles":
            conditions.append(table.c.id == cycle_id)
        if not conditions:
            continue
        rows = db.session.execute(sa.select(table).where(sa.or_(*conditions))).mappings().all()
        if rows:
            counts[table.name] = len(rows)
            seen = values.setdefault(table.name, {})
            for row in rows:
                for column, value in row.items():
                    if (table.name, column) in referenced:
                        seen.setdefault(column, set()).add(value)
    return counts


def tables_hanging_on_rounds() -> set[str]:
    """Every table with a chain of foreign keys to `cycles`: what a round in its fullest state must have rows in."""
    found = {"cycles"}
    for table in db.metadata.sorted_tables:
        if any(fk.column.table.name in found and fk.column.table.name != table.name for fk in table.foreign_keys):
            found.add(table.name)
    return found


def _mail_left(mail_ids: set[int]) -> list[str]:
    return list(db.session.scalars(sa.select(OutboundMail.dedupe_key).where(OutboundMail.id.in_(mail_ids))))


def _delete_through_the_page(app: Flask, cycle: Cycle) -> None:
    client = signed_in(app, cycle.owner)
    page = client.get(f"/round/{cycle.id}/delete").get_data(as_text=True)
    if cycle.state is CycleState.EVALUATED:
        for words in ("your conversation summary (3 versions)", "the progress you recorded on your goals",
                      "your evaluation of the session", "the record of your facilitated session"):
            assert words in page, words
    assert post_form(client, f"/round/{cycle.id}/delete", {}).status_code == 302


def test_deleting_a_round_in_any_state_leaves_no_row_pointing_at_it(app: Flask, world: World) -> None:
    rounds = {state: world.round_in(state) for state in CycleState}
    tied = {state: rows_tied_to(cycle.id) for state, cycle in rounds.items()}
    # The test can fail: between them the rounds fill every table that hangs on a round, facilitator/'s included.
    assert set().union(*tied.values()) == tables_hanging_on_rounds()
    assert tied[CycleState.EVALUATED].keys() >= {"facilitated_sessions", "report_releases", "conversation_summaries",
                                                 "goal_progress", "summary_shares", "document_reads", "evaluations",
                                                 "reports", "report_shares", "report_reads", "responses"}
    assert tied[CycleState.EVALUATED]["conversation_summaries"] == 3  # every proposal is a version
    assert "rater_drafts" in tied[CycleState.OPEN]
    remaining = dict(rounds)
    for state, cycle in rounds.items():
        cycle_id, mail, emails = cycle.id, world.mail_of[cycle.id], [i.email for i in cycle.invitations]
        _delete_through_the_page(app, cycle)
        del remaining[state]
        db.session.expire_all()
        assert rows_tied_to(cycle_id) == {}, state
        assert _mail_left(mail) == [], state
        on_disk = database_bytes(app)
        assert not [e for e in emails if e.encode() in on_disk], state  # overwritten, not left in free pages
        for other_state, other in remaining.items():  # nobody else's round lost anything
            assert rows_tied_to(other.id) == tied[other_state], (state, other_state)


def test_deleting_the_account_leaves_nothing_of_its_rounds_or_its_assignment(app: Flask, world: World) -> None:
    cycle = world.round_in(CycleState.EVALUATED)
    owner, cycle_id = cycle.owner, cycle.id
    owner_id, owner_mail = owner.id, set(db.session.scalars(sa.select(OutboundMail.id).where(
        OutboundMail.kind.in_(("assigned_owner", "assigned_facilitator")), OutboundMail.ref_id == owner.id)))
    assert owner_mail
    client = signed_in(app, owner)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "that Fay Facilitator is your facilitator" in page
    assert post_form(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert rows_tied_to(cycle_id) == {}
    assert _mail_left(world.mail_of[cycle_id] | owner_mail) == []
    for table in db.metadata.sorted_tables:  # no row anywhere points at the account, nor keeps its id
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                assert not db.session.execute(sa.select(table).where(fk.parent == owner_id)).first(), table.name
    assert db.session.get(User, world.facilitator.id) is not None  # the facilitator and their other work stay


def test_retention_deletes_a_finished_round_with_its_facilitated_session_after_one_notice(
        app: Flask, world: World, mailbox: MailCatcher) -> None:
    cycle = world.round_in(CycleState.EVALUATED)
    kept = world.round_in(CycleState.SUMMARY_AGREED)
    organisation = cycle.owner.organisation
    now = datetime(2026, 12, 20, 6, 0)  # near the rounds, so the tick has few usage quarters to build
    cycle.closed_at = now - timedelta(days=organisation.retention_days - 30)
    kept.closed_at = now - timedelta(days=10)
    unit.commit()
    cycle_id, kept_rows = cycle.id, rows_tied_to(kept.id)
    for days in (0, 0, 5, 15, 29):
        tick(now=now + timedelta(days=days))
    notices = [m for m in mailbox.messages if "will be deleted" in m["Subject"]]
    assert [m["To"] for m in notices] == ["owner-evaluated@trust.example"]  # once, to its owner only
    assert rows_tied_to(cycle_id)["conversation_summaries"] == 3  # 29 days after the notice: not yet gone
    notice = _notice_ids(cycle_id)
    assert notice
    tick(now=now + timedelta(days=30))
    tick(now=now + timedelta(days=31))
    db.session.expire_all()
    assert rows_tied_to(cycle_id) == {}
    assert _mail_left(world.mail_of[cycle_id] | notice) == []
    assert len([m for m in mailbox.messages if "will be deleted" in m["Subject"]]) == 1
    # The other round's raters were purged on its own schedule; nothing else of it changed.
    assert rows_tied_to(kept.id).keys() == kept_rows.keys() - {"rater_links", "rater_sessions"}


def _notice_ids(cycle_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(OutboundMail.id).where(OutboundMail.kind == "retention_notice",
                                                                   OutboundMail.ref_id == cycle_id)))


# --- The export -------------------------------------------------------------------------------------------------

def test_the_export_holds_the_facilitated_session_and_every_field_is_documented(app: Flask, world: World) -> None:
    cycle = world.round_in(CycleState.EVALUATED)
    client = signed_in(app, cycle.owner)
    document, files = read_export(client.get("/account/export").data)

    assert document["facilitator"]["facilitator"] == "Fay Facilitator"
    assert document["facilitator"]["assigned_by"] == "Lee Lead"
    (record,) = document["facilitated_sessions"]
    assert record["round_id"] == cycle.id
    assert record["session"] == {"held_on": today().isoformat(), "mode": "video", "facilitator": "Fay Facilitator",
                                 "recorded_at": record["session"]["recorded_at"]}
    assert record["report_released"]["by"] == "Fay Facilitator"
    first, revised, second = record["summaries"]  # every proposal is kept: the one changes were asked of too
    assert [(s["version"], s["status"]) for s in (first, revised, second)] == [
        (1, "changes_requested"), (2, "superseded"), (3, "agreed")]
    assert first["change_request"] == "Add a longer-term goal" and first["strengths"] == "Calm"
    assert second["strengths"] == "Calm, and kind" and second["key_points"] == SUMMARY["key_points"]
    assert [g["what"] for g in second["goals"]] == ["Chair the team meeting", "Lead a project"]
    assert date.fromisoformat(second["goals"][1]["target_on"]) == today() + timedelta(days=200)
    (progress,) = record["goal_progress"]
    assert (progress["goal_key"], progress["status"], progress["note"]) == (
        second["goals"][0]["key"], "on_track", "Two meetings so far")
    assert [(s["name"], s["revoked_at"]) for s in record["summary_shared_with"]] == [("Mo Manager", None)]
    assert [(r["reader"], r["as"], r["document"]) for r in record["document_reads"]] == [
        ("Fay Facilitator", "facilitator", "preparation"), ("Mo Manager", "shared", "plan_pdf")]
    assert record["evaluation"]["ratings"] == RATINGS and record["evaluation"]["comment"] == "Very helpful"
    assert record["evaluation"]["facilitator"] == "Fay Facilitator"

    (report,) = document["reports"]
    built = reports.report_for(cycle.id)
    assert files[report["pdf"]] == pdf_for(built, "pdf")
    assert files[report["figures"]] == figures_csv(built)
    assert [(r["reader"], r["as"]) for r in report["reads"]] == [("Owner evaluated", "owner"),
                                                                ("Mo Manager", "shared")]

    guide = files["FIELDS.txt"].decode()
    for key, section in document.items():
        if key in {"format", "version", "exported_at"}:
            continue
        records = section if isinstance(section, list) else [section]
        for item in records:
            for name in item:
                assert f"  {name}: " in guide, f"{key}.{name} is not in FIELDS.txt"
    for goal_field in second["goals"][0]:
        assert goal_field in guide.split("summaries.goals:")[1].splitlines()[0], goal_field


def test_an_owner_with_no_facilitated_session_exports_empty_sections(app: Flask, world: World,
                                                                    create_user: Callable[..., User]) -> None:
    owner = create_user(Role.OWNER, name="Nina New", email="nina@trust.example")
    operations.start_cycle(owner, today() + timedelta(days=21), today())
    unit.commit()
    client = signed_in(app, owner)
    document, _ = read_export(client.get("/account/export").data)
    assert document["facilitator"] is None and document["facilitated_sessions"] == []
    assert len(document["rounds"]) == 1
