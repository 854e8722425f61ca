"""Data for the browser tests, written straight into the live server's database (inside `LiveServer.context()`).

Each call makes new people with new addresses, so tests sharing the one live database never see each other's data.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from app.timeutil import today
from facilitator.operations import assign as assign_facilitator
from reports.models import Report
from surveys import links, operations
from surveys.categories import Category
from surveys.models import Cycle
from surveys.rater_list import RaterEntry
from tests.fixtures.answers import answer
from tests.fixtures.people import PASSWORD
from tests.fixtures.rounds import rater_entries, rater_rows

_counter = itertools.count(1)
_hash: list[str] = []
ORGANISATION = "Browser Test Trust"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    password: str = PASSWORD


def person(*roles: Role, name: str | None = None) -> Person:
    if not _hash:
        _hash.append(hash_password(PASSWORD))
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == ORGANISATION))
    if org is None:
        org = Organisation(name=ORGANISATION, email_domains=["browser.example", "raters.example"])
        db.session.add(org)
    n = next(_counter)
    user = User(organisation=org, name=name or f"Person {n}", email=f"person{n}@browser.example",
                password_hash=_hash[0], role_rows=[UserRole(role=r) for r in (roles or (Role.OWNER,))])
    db.session.add(user)
    db.session.flush()
    return Person(user.id, user.name, user.email)


def rater_email(label: str) -> str:
    return f"{label}-{next(_counter)}@raters.example"


@dataclass(frozen=True)
class ReportData:
    owner: Person
    report_id: int
    manager: Person
    facilitator: Person


def closed_round_with_report(categories: dict[str, int]) -> ReportData:
    """A round whose raters answered and which has closed, so the (synchronous) worker built its report; with a
    facilitator assigned by a local lead and a manager the owner could share with."""
    owner = person(Role.OWNER, name=f"Rhiannon Reportowner {next(_counter)}")
    lead = person(Role.LOCAL_LEAD)
    facilitator = person(Role.FACILITATOR, name=f"Farah Facilitator {next(_counter)}")
    manager = person(Role.MANAGER, name=f"Mark Manager {next(_counter)}")
    owner_user = db.session.get(User, owner.id)
    assert owner_user is not None
    cycle: Cycle = operations.start_cycle(owner_user, today() + timedelta(days=21), today())
    operations.add_raters(cycle, rater_entries(rater_rows(categories, lambda group, _n: rater_email(group))))
    operations.open_round(cycle, today())
    unit.commit()
    operations.save_self_answers(cycle, {k: 4 for k in cycle.questionnaire().statement_keys()})
    answer(cycle, random.Random(7))
    operations.close_round_early(cycle)
    unit.commit()  # the round_closed signal queues the build, which the sync queue runs at once
    assign_facilitator(owner_user, db.session.get(User, facilitator.id), db.session.get(User, lead.id))  # type: ignore[arg-type]
    report_id = db.session.scalar(sa.select(Report.id).where(Report.cycle_id == cycle.id))
    assert report_id is not None, "the report was not built"
    return ReportData(owner, report_id, manager, facilitator)


def open_round(raters: dict[str, str]) -> tuple[Person, dict[str, str]]:
    """An owner whose round is open, with raters (email → category); returns the owner and each rater's link path."""
    owner = person(Role.OWNER, name=f"Owen Openround {next(_counter)}")
    owner_user = db.session.get(User, owner.id)
    assert owner_user is not None
    cycle = operations.start_cycle(owner_user, today() + timedelta(days=21), today())
    invitations = operations.add_raters(cycle, [RaterEntry(email.split("@")[0].title(), email, Category(category))
                                                for email, category in raters.items()])
    operations.open_round(cycle, today())
    db.session.flush()
    # Tokens issued here as an email would carry them, without committing: the caller commits the round.
    return owner, {i.email: f"/r/{links.issue(i)}" for i in invitations}
