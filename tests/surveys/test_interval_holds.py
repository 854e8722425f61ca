"""The minimum interval between rounds outlives the owner's account (PRODUCT §2.1, §7): an owner who downloads their
report, deletes their account and is invited again at the same mailbox cannot start the next round at once, however
the new account is made; what is kept is a keyed hash of the address and the close, until the interval passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st

from app import db as unit
from app.accounts.operations import invite_person
from app.accounts.rules import ROUND_INTERVAL_MONTHS_RANGE
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.owner_data import delete_account
from surveys import cycle as rules
from surveys import interval_holds, operations, rights
from surveys.models import Cycle, IntervalHold
from tests.conftest import post_form
from tests.fixtures.clock import TestClock
from tests.fixtures.people import PASSWORD


def _finished_round(create_round: Callable[..., Cycle], owner: User) -> Cycle:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    cycle.closed_at = cycle.opened_at
    cycle.state = rules.CycleState.EVALUATED
    unit.commit()
    return cycle


def _delete(owner: User) -> None:
    delete_account(owner)
    unit.commit()


def test_a_new_account_at_the_same_mailbox_waits_out_the_interval(owner: User, organisation: Organisation,
                                                                  create_round: Callable[..., Cycle],
                                                                  clock: TestClock) -> None:
    closed_on = _finished_round(create_round, owner).closed_at.date()  # type: ignore[union-attr]
    earliest = rules.months_after(closed_on, 6)
    _delete(owner)
    # Invited again by an administrator, the address written another way that reaches the same mailbox.
    again = invite_person(organisation, "Olivia Owner", "Olivia+again@Trust.example", frozenset({Role.OWNER}), None)
    unit.commit()
    refusal = operations.start_refusal(again, clock().date())
    assert refusal is not None and f"on or after {earliest:%-d %B %Y}" in refusal
    assert operations.start_refusal(again, earliest) is None


def test_every_way_of_making_the_account_takes_the_wait(owner: User, organisation: Organisation,
                                                        create_round: Callable[..., Cycle], clock: TestClock) -> None:
    """The hold is taken as the account is written, whatever wrote it: here a plain insert (as the command line,
    bulk import and SCIM make accounts) and an existing account whose address is changed to the held one."""
    closed_at = _finished_round(create_round, owner).closed_at
    _delete(owner)
    made = User(organisation=organisation, name="Olivia", email="olivia@trust.example", password_hash="x",
                role_rows=[UserRole(role=Role.OWNER)])
    other = User(organisation=organisation, name="Other", email="other@trust.example", password_hash="x",
                 role_rows=[UserRole(role=Role.OWNER)])
    db.session.add_all([made, other])
    unit.commit()
    assert made.deleted_round_closed_at == closed_at and other.deleted_round_closed_at is None
    made.email = "olivia.moved@trust.example"  # a change of address keeps what the account already had
    other.email = "OLIVIA@trust.example"
    unit.commit()
    assert other.deleted_round_closed_at == closed_at and made.deleted_round_closed_at == closed_at


def test_another_organisation_or_another_mailbox_does_not_wait(owner: User, create_round: Callable[..., Cycle],
                                                               clock: TestClock) -> None:
    _finished_round(create_round, owner)
    _delete(owner)
    elsewhere = Organisation(name="Elsewhere", email_domains=["elsewhere.example"])
    db.session.add(elsewhere)
    unit.commit()
    users = [User(organisation_id=elsewhere.id, name="O", email="olivia@trust.example", password_hash="x"),
             User(organisation_id=owner.organisation_id, name="P", email="olivia2@trust.example", password_hash="x")]
    db.session.add_all(users)
    unit.commit()
    assert [u.deleted_round_closed_at for u in users] == [None, None]


def test_only_a_keyed_hash_and_the_close_are_kept_and_only_while_an_interval_could_run(
        app: Flask, owner: User, create_round: Callable[..., Cycle], clock: TestClock) -> None:
    closed_at = _finished_round(create_round, owner).closed_at
    longest = rules.months_after(closed_at.date(), ROUND_INTERVAL_MONTHS_RANGE[1])  # type: ignore[union-attr]
    _delete(owner)
    rows = db.session.execute(sa.select(IntervalHold.__table__)).all()
    assert len(rows) == 1 and rows[0].closed_at == closed_at
    assert "olivia" not in str(tuple(rows[0])).lower() and len(rows[0].address_key) == 64
    assert interval_holds.forget_passed_holds(longest - timedelta(days=1)) == 0
    clock.set(clock().replace(year=longest.year, month=longest.month, day=longest.day))
    assert "1 deleted accounts' intervals ended" in rights.purge_and_retain(clock())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IntervalHold)) == 0


def test_a_rotated_secret_key_forgets_no_hold(app: Flask, owner: User, organisation: Organisation,
                                              create_round: Callable[..., Cycle], clock: TestClock) -> None:
    _finished_round(create_round, owner)
    _delete(owner)
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "rotated after a leak", [old]
    again = invite_person(organisation, "Olivia Owner", "olivia@trust.example", frozenset({Role.OWNER}), None)
    unit.commit()
    assert operations.start_refusal(again, clock().date()) is not None


def test_an_interval_lengthened_after_the_deletion_holds_the_new_account_too(
        owner: User, organisation: Organisation, create_round: Callable[..., Cycle], clock: TestClock) -> None:
    closed_on = _finished_round(create_round, owner).closed_at.date()  # type: ignore[union-attr]
    clock.set(clock() + timedelta(days=220))  # past the 6 months the organisation asked when the account went
    _delete(owner)
    organisation.min_round_interval_months = 12
    again = invite_person(organisation, "Olivia Owner", "olivia@trust.example", frozenset({Role.OWNER}), None)
    unit.commit()
    refusal = operations.start_refusal(again, clock().date())
    assert refusal is not None and f"on or after {rules.months_after(closed_on, 12):%-d %B %Y}" in refusal

def test_nothing_is_kept_when_there_is_nothing_to_wait_for(owner: User, create_round: Callable[..., Cycle],
                                                           clock: TestClock) -> None:
    cycle = create_round(owner, [("Pat Peer", "pat@trust.example", "peer")])
    operations.cancel_round(cycle)  # no report: no wait
    unit.commit()
    _delete(owner)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IntervalHold)) == 0


def test_the_confirmation_says_what_is_kept_and_until_when(owner_client: FlaskClient, owner: User,
                                                           create_round: Callable[..., Cycle]) -> None:
    assert "This will be kept" not in owner_client.get("/account/delete").get_data(as_text=True)
    closed_on = _finished_round(create_round, owner).closed_at.date()  # type: ignore[union-attr]
    page = owner_client.get("/account/delete").get_data(as_text=True)
    earliest = rules.months_after(closed_on, 6)
    assert "This will be kept" in page and f"round before {earliest:%-d %B %Y}:" in page
    done = post_form(owner_client, "/account/delete", {"password": PASSWORD})
    assert done.status_code == 302 and db.session.scalar(sa.select(IntervalHold.closed_at)) is not None


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2103, 12, 31)))
@example(datetime(2024, 2, 29, 12), date(2026, 2, 28))  # a leap day's hold ends on the 28th two years on
def test_the_purge_deletes_exactly_the_holds_that_have_ended(closed_at: datetime, today: date) -> None:
    """The purge's one DELETE by close date ends the same holds as asking each hold whether it has ended."""
    ended = interval_holds.hold_ends(closed_at) <= today
    assert (closed_at.date() <= interval_holds.last_close_past_its_hold(today)) == ended
