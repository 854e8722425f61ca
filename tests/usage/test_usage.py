"""The local lead's usage figures: built once per quarter after it ends, small numbers hidden, their own
organisation only, and never anything about a named owner."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from app.mail import OutboundMail
from app.models import Organisation, Role, User
from facilitator.models import Evaluation, SessionRecord, Summary
from facilitator.rules import EVALUATION_QUESTIONS, SessionMode, SummaryStatus
from surveys.categories import Category
from surveys.cycle import CycleState
from surveys.models import Cycle, Invitation, InvitationStatus, Response
from tests.fixtures.pdfua import assert_pdfua
from tests.fixtures.people import signed_in
from usage import jobs, operations, table
from usage.models import UsageQuarter
from usage.periods import Quarter
from usage.report import render_csv

NOW = datetime(2026, 10, 2, 7, 0)  # early in the third quarter of 2026-27: April–June and July–September are done
_n = itertools.count(1)


def add_round(owner, started: datetime, closed: datetime | None = None, raters: int = 0,  # type: ignore[no-untyped-def]
              responded: int = 0) -> Cycle:
    cycle = Cycle(owner=owner, state=CycleState.CLOSED if closed else CycleState.OPEN, questionnaire_version="2026.1",
                  close_on=(closed or started + timedelta(days=21)).date(), created_at=started, opened_at=started,
                  closed_at=closed)
    db.session.add(cycle)
    for n in range(raters):
        k = next(_n)
        cycle.invitations.append(Invitation(
            name=f"Rater {k}", email=f"rater{k}@trust.example", category=Category.PEER,
            status=InvitationStatus.DONE if n < responded or closed else InvitationStatus.INVITED))
    db.session.flush()
    db.session.add_all(Response(cycle.id, Category.PEER, {}, {}) for _ in range(responded))
    db.session.commit()
    return cycle


@pytest.fixture
def usage_org(create_user, organisation):  # type: ignore[no-untyped-def]
    """April–June: 5 rounds started and closed, 20 raters, 12 responded. July–September: 1 round started, none
    closed. One owner had a round in March (the year before): figures start in April 2025."""
    owners = [create_user(Role.OWNER, name=f"Owner Named{n}") for n in range(6)]
    for n, owner in enumerate(owners[:5]):
        add_round(owner, datetime(2026, 4, 10 + n), datetime(2026, 5, 20), raters=4, responded=3 if n < 4 else 0)
    add_round(owners[5], datetime(2026, 8, 3))
    lead = create_user(Role.LOCAL_LEAD, name="Lucy Lead", email="lucy@trust.example")
    return {"owners": owners, "lead": lead}


def _cell(org_id: int, measure: str, quarter: str) -> tuple[int, bool]:
    return operations.published(org_id).cells[table.cell(table.MEASURE, measure, quarter)]


def test_each_complete_quarter_is_built_once_and_the_lead_told_once(app: Flask, usage_org, organisation,  # type: ignore[no-untyped-def]
                                                                    mailbox) -> None:
    assert jobs.tick(NOW) == "built 2 usage quarters"
    assert jobs.tick(NOW) == "built 0 usage quarters"
    assert sorted(db.session.scalars(sa.select(UsageQuarter.quarter))) == ["2026Q1", "2026Q2"]
    assert len(mailbox.to("lucy@trust.example")) == 1
    assert "April to June" not in mailbox.text(mailbox.to("lucy@trust.example")[0])
    assert "July to September 2026" in mailbox.to("lucy@trust.example")[0]["Subject"]

    # A restarted worker (a new app on the same database) and a later tick in the same quarter build nothing.
    again = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                "SMTP_PORT": app.config["SMTP_PORT"]})
    with again.app_context():
        assert jobs.tick(NOW + timedelta(days=40)) == "built 0 usage quarters"
        db.session.remove()  # return its connection, so dispose() can close it
        db.engine.dispose()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMail)
                             .where(OutboundMail.kind == "usage_report")) == 1


def test_a_quarter_built_twice_at_once_is_kept_once(app: Flask, usage_org, organisation) -> None:  # type: ignore[no-untyped-def]
    assert jobs._build(organisation, Quarter(2026, 1), notify=True)
    assert not jobs._build(organisation, Quarter(2026, 1), notify=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsageQuarter)) == 1


def test_small_figures_are_hidden_with_a_sibling_and_the_rest_shown(app: Flask, usage_org, organisation) -> None:  # type: ignore[no-untyped-def]
    jobs.tick(NOW)
    assert _cell(organisation.id, "rounds_started", "2026Q1") == (5, False)
    assert _cell(organisation.id, table.RESPONDED, "2026Q1") == (12, False)
    assert _cell(organisation.id, "rounds_started", "2026Q2") == (1, True)  # one person
    operations.check(operations.published(organisation.id))


def test_a_year_is_published_with_its_last_quarter_and_cannot_be_subtracted(app: Flask, create_user,  # type: ignore[no-untyped-def]
                                                                            organisation) -> None:
    owner = create_user(Role.OWNER)
    for day in (date(2025, 4, 5), date(2025, 4, 6), date(2025, 4, 7), date(2025, 7, 1), date(2025, 7, 2),
                date(2025, 7, 3), date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3), date(2026, 1, 9)):
        add_round(owner, datetime.combine(day, datetime.min.time()))
    jobs.tick(datetime(2026, 4, 2))  # January–March 2026 has ended: all of 2025-26
    year = _cell(organisation.id, "rounds_started", "FY2025")
    assert year == (10, True)  # 10 = 3 + 3 + 3 + 1: shown, it would give the lone January round away
    assert _cell(organisation.id, "rounds_started", "2025Q4") == (1, True)
    operations.check(operations.published(organisation.id))


def test_the_lead_sees_their_organisation_and_never_a_named_owner(app: Flask, usage_org, organisation,  # type: ignore[no-untyped-def]
                                                                  create_user) -> None:
    jobs.tick(NOW)
    client = signed_in(app, usage_org["lead"])
    page = client.get("/usage").get_data(as_text=True)
    assert "Usage at Test Trust" in page and "April to June 2026" in page and ">hidden<" in page
    assert "60%" in page  # 12 of 20 responded
    assert "Named" not in page  # no owner's name, anywhere
    pdf = client.get("/usage/reports/2026Q2/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    found = assert_pdfua(pdf.data)  # PDF/UA-1 by the `page` validator: 0 failures
    assert len(found.scopes) > 20 and found.scopes.count("/Column") > 10  # every table's headers, scoped
    rows = list(csv.reader(io.StringIO(client.get("/usage/reports/2026Q2/csv").get_data(as_text=True))))
    assert ["Test Trust", "April to June 2026", "Response rate (%)", "60"] in rows
    assert ["Test Trust", "July to September 2026", "Rounds started", "[c]"] in rows

    elsewhere = Organisation(name="Elsewhere Trust")
    db.session.add(elsewhere)
    db.session.commit()
    other_lead = create_user(Role.LOCAL_LEAD, org=elsewhere)
    other = signed_in(app, other_lead)
    assert "Test Trust" not in other.get("/usage").get_data(as_text=True)
    assert other.get("/usage/reports/2026Q2/pdf").status_code == 404
    assert other.get("/usage/reports/2026Q9/csv").status_code == 404


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+A1", "-2+3", "@SUM(A1)"])
def test_a_csv_cell_never_starts_a_formula(app: Flask, usage_org, organisation, name: str) -> None:  # type: ignore[no-untyped-def]
    organisation.name = name  # an administrator can name an organisation anything
    db.session.commit()
    jobs.tick(NOW)
    rows = list(csv.reader(io.StringIO(render_csv(organisation, operations.published(organisation.id),
                                                  Quarter(2026, 2)))))
    cells = [cell for row in rows[1:] for cell in row]
    assert name not in cells and any(cell.endswith(name) and cell != name for cell in cells)
    assert not any(cell[:1] in {"=", "+", "@"} or cell.startswith("-2") for cell in cells)


def test_raters_are_hidden_in_a_quarter_in_which_one_round_closed(app: Flask, create_user, organisation) -> None:  # type: ignore[no-untyped-def]
    owner = create_user(Role.OWNER)
    add_round(owner, datetime(2026, 4, 10), datetime(2026, 5, 20), raters=7, responded=5)
    jobs.tick(NOW)
    assert _cell(organisation.id, table.INVITED, "2026Q1") == (7, True)
    assert _cell(organisation.id, table.RESPONDED, "2026Q1") == (5, True)
    assert operations.published(organisation.id).rate("2026Q1") is None


def facilitate(cycle: Cycle, facilitator: User, recorded: datetime, agreed: datetime | None = None,
               evaluated: datetime | None = None, overall: int = 5) -> None:
    """The facilitated session's records, as facilitator/ writes them, at the given times."""
    db.session.add(SessionRecord(cycle_id=cycle.id, held_on=recorded.date(), mode=SessionMode.VIDEO,
                                 facilitator_id=facilitator.id, recorded_at=recorded))
    if agreed:
        db.session.add(Summary(cycle_id=cycle.id, status=SummaryStatus.AGREED, content={}, agreed_at=agreed,
                               facilitator_id=facilitator.id))
        # A later agreed version of the same summary is not a second summary agreed.
        db.session.add(Summary(cycle_id=cycle.id, version=2, status=SummaryStatus.AGREED, content={},
                               agreed_at=agreed + timedelta(days=70), facilitator_id=facilitator.id))
    if evaluated:
        db.session.add(Evaluation(cycle_id=cycle.id, facilitator_id=facilitator.id, submitted_at=evaluated,
                                  ratings={k: 4 for k in EVALUATION_QUESTIONS} | {"overall": overall}))
    db.session.commit()


@pytest.fixture
def facilitated_org(create_user, usage_org):  # type: ignore[no-untyped-def]
    """April–June: Farah records 4 sessions and Omar 1; 4 summaries are agreed and 3 evaluated (overall 5, 4, 4).
    July–September: 1 more evaluation."""
    farah = create_user(Role.FACILITATOR, name="Farah Facilitator")
    omar = create_user(Role.FACILITATOR, name="Omar Facilitator")
    cycles = [db.session.scalar(sa.select(Cycle).where(Cycle.owner_id == o.id)) for o in usage_org["owners"][:5]]
    for n, cycle in enumerate(cycles):
        facilitate(cycle, omar if n == 4 else farah, datetime(2026, 6, 1 + n),
                   agreed=datetime(2026, 6, 10 + n) if n < 4 else None,
                   evaluated=(datetime(2026, 6, 20 + n) if n < 3 else datetime(2026, 7, 5)) if n < 4 else None,
                   overall=5 if n == 0 else 4)
    return usage_org | {"farah": farah, "omar": omar}


def test_sessions_summaries_and_evaluations_by_quarter_small_ones_hidden(app: Flask, facilitated_org,  # type: ignore[no-untyped-def]
                                                                         organisation) -> None:
    jobs.tick(NOW)
    figures = operations.published(organisation.id)
    assert _cell(organisation.id, table.SESSIONS, "2026Q1") == (5, False)
    assert _cell(organisation.id, table.AGREED, "2026Q1") == (4, False)  # the second version counts no more
    assert _cell(organisation.id, table.EVALUATIONS, "2026Q1") == (3, False)
    assert _cell(organisation.id, table.EVALUATIONS, "2026Q2") == (1, True)
    omar = figures.cells[table.cell(table.FACILITATOR, facilitated_org["omar"].id, "2026Q1")]
    farah = figures.cells[table.cell(table.FACILITATOR, facilitated_org["farah"].id, "2026Q1")]
    assert omar == (1, True) and farah == (4, True)  # 5 − 4 would give Omar's one session away
    assert figures.average("overall", "2026Q1") == pytest.approx(13 / 3)
    assert figures.average("overall", "2026Q2") is None  # one owner's ratings
    assert figures.cells[table.cell(table.EVALUATION_SUM, "overall", "2026Q2")] == (4, True)
    operations.check(figures)


def test_the_checker_refuses_an_average_that_gives_one_evaluation_away(app: Flask, facilitated_org,  # type: ignore[no-untyped-def]
                                                                       organisation) -> None:
    jobs.tick(NOW)
    figures = operations.published(organisation.id)
    key = table.cell(table.EVALUATION_SUM, "overall", "2026Q2")
    leaked = table.Published(dict(figures.cells) | {key: (4, False)})
    with pytest.raises(operations.UnsafeTable, match="is shown but its count"):
        operations.check(leaked)


def test_the_lead_reads_sessions_per_facilitator_and_averages(app: Flask, facilitated_org, organisation) -> None:  # type: ignore[no-untyped-def]
    jobs.tick(NOW)
    client = signed_in(app, facilitated_org["lead"])
    page = client.get("/usage").get_data(as_text=True)
    for heading in ("Rounds with a session", "Summaries agreed", "Rounds evaluated", "Sessions per facilitator",
                    "Evaluation averages", "Farah Facilitator", "All facilitators"):
        assert heading in page
    assert ">4.3<" in page  # 13 / 3, one decimal
    assert "does not record" not in page and "Named" not in page
    rows = list(csv.reader(io.StringIO(client.get("/usage/reports/2026Q2/csv").get_data(as_text=True))))
    overall = f"Mean rating (1 to 5): {EVALUATION_QUESTIONS['overall']}"
    assert ["Test Trust", "April to June 2026", overall, "4.3"] in rows
    assert ["Test Trust", "July to September 2026", overall, "[c]"] in rows
    assert ["Test Trust", "April to June 2026", "Rounds with a session", "5"] in rows
    assert ["Test Trust", "April to June 2026", "Sessions: Omar Facilitator", "[c]"] in rows


def test_the_demo_history_shows_the_facilitated_figures_some_hidden(app: Flask, organisation, create_user) -> None:  # type: ignore[no-untyped-def]
    from demo import usage_history

    create_user(Role.FACILITATOR, name="Farah Ahmed", email="farah@demo.example")
    today = date(2026, 12, 1)
    usage_history.load(organisation, today, "demo.example")
    db.session.commit()
    usage_history.build_usage(datetime.combine(today, datetime.min.time()))
    figures = operations.published(organisation.id)
    quarters = [f"2025Q{n}" for n in range(1, 5)] + ["2026Q1", "2026Q2"]
    for measure in (table.SESSIONS, table.AGREED, table.EVALUATIONS):
        states = {figures.get(table.MEASURE, measure, q) is None for q in quarters}
        assert states == {True, False}, measure  # some shown, some hidden
    averages = [figures.average("overall", q) for q in quarters]
    assert any(a is None for a in averages) and any(a is not None for a in averages)
    assert len(figures.facilitators()) == 2
    operations.check(figures)


def test_three_rounds_of_two_owners_are_hidden_like_two(app: Flask, create_user, organisation) -> None:  # type: ignore[no-untyped-def]
    """One owner started a round, stopped it and started again: three rounds, two people."""
    twice, once = create_user(Role.OWNER), create_user(Role.OWNER)
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    for owner, day in ((twice, 5), (twice, 20), (once, 9)):
        cycle = add_round(owner, datetime(2026, 4, day), datetime(2026, 4, day + 3))
        facilitate(cycle, facilitator, datetime(2026, 5, day))
    jobs.tick(NOW)
    figures = operations.published(organisation.id)
    assert _cell(organisation.id, "rounds_started", "2026Q1") == (3, True)
    assert _cell(organisation.id, table.SESSIONS, "2026Q1") == (3, True)
    assert figures.cells[table.cell(table.FACILITATOR, facilitator.id, "2026Q1")] == (3, True)
    assert figures.cells[table.owners_cell(table.MEASURE, "rounds_started", "2026Q1")] == (2, True)
    assert not any(table.parse(k)[0] == table.OWNERS for k in figures.shown_cells())
    operations.check(figures)


# A phone's column is 390 px less the page's 16 px margins; a desktop's, the chart's own width (its column is wider).
PHONE_COLUMN, DESKTOP_COLUMN, READABLE_PX = 358, 700, 12


def test_the_charts_text_is_readable_on_a_phone_and_on_a_desktop() -> None:
    """The phone's chart is drawn for a phone's width: drawn wide and shrunk to fit, 7 pt text was 5 px tall."""
    from usage.report import PHONE, WIDE, text_px

    assert text_px(PHONE, PHONE_COLUMN) >= READABLE_PX
    assert text_px(WIDE, DESKTOP_COLUMN) >= READABLE_PX


def test_the_usage_page_offers_each_chart_drawn_for_a_phone(app: Flask, organisation, create_user) -> None:  # type: ignore[no-untyped-def]
    import base64
    import re
    import struct

    from demo import usage_history
    from usage.report import PHONE, PHONE_MEDIA, PIXEL_SCALE, WIDE

    create_user(Role.FACILITATOR, name="Farah Ahmed", email="farah@demo.example")
    today = date(2026, 12, 1)
    usage_history.load(organisation, today, "demo.example")
    db.session.commit()
    usage_history.build_usage(datetime.combine(today, datetime.min.time()))
    page = signed_in(app, create_user(Role.LOCAL_LEAD)).get("/usage").get_data(as_text=True)
    phones = re.findall(rf'<source media="{re.escape(PHONE_MEDIA)}" srcset="data:image/png;base64,([^"]+)"', page)
    wides = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(phones) == len(wides) == 4

    def width_height(encoded: str) -> tuple[int, int]:
        return struct.unpack(">II", base64.b64decode(encoded)[16:24])  # the PNG's IHDR

    # Drawn at PIXEL_SCALE times the CSS pixels of the shape its text sizes were chosen for (sharp on a phone).
    assert {width_height(p) for p in phones} == {(PIXEL_SCALE * PHONE.width_px, PIXEL_SCALE * PHONE.height_px)}
    assert {width_height(w) for w in wides} == {(PIXEL_SCALE * WIDE.width_px, PIXEL_SCALE * WIDE.height_px)}
