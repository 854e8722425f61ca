"""Review-date nudges: on each agreed review date of the plan in force the owner gets one email, whatever the number
of ticks and through a failed one; the facilitator sees the next review date of each of their owners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app import clock
from app import db as unit
from app.extensions import db
from app.mail import OutboundMail
from app.models import Role, User
from facilitator.models import Summary
from facilitator.operations import assign as assign_facilitator
from facilitator.rules import review_dates
from followup import reviews
from followup.rules import NUDGE_WINDOW_DAYS, next_review, nudge_due
from surveys.cycle import CycleState
from surveys.models import Cycle
from tests.fixtures.people import signed_in
from tests.fixtures.smtp import MailCatcher

SUBJECT = "Time to review your development plan"
AGREED = datetime(2026, 5, 13, 15, 0)


def _agreed_round(owner: User, create_round: Callable[..., Cycle], agreed_at: datetime = AGREED) -> Cycle:
    cycle = create_round(owner, open_it=False)
    cycle.state = CycleState.SUMMARY_AGREED
    db.session.add(Summary(cycle_id=cycle.id, version=1, content={"goals": []}, status="agreed",
                           agreed_at=agreed_at))
    unit.commit()
    return cycle


def _at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour))


def _nudges() -> list[str]:
    return sorted(db.session.scalars(sa.select(OutboundMail.dedupe_key).where(OutboundMail.kind == "review_nudge")))


def test_each_review_date_is_nudged_once_and_only_from_its_day() -> None:
    dates = review_dates(date(2026, 5, 13))
    assert nudge_due(dates, dates[0] - timedelta(days=1), set()) is None
    assert nudge_due(dates, dates[0], set()) == dates[0]
    assert nudge_due(dates, dates[0], {dates[0]}) is None
    assert nudge_due(dates, dates[0] + timedelta(days=NUDGE_WINDOW_DAYS - 1), set()) == dates[0]  # late, still sent
    assert nudge_due(dates, dates[0] + timedelta(days=NUDGE_WINDOW_DAYS), set()) is None  # long past: never
    assert next_review(dates, dates[0] + timedelta(days=1)) == (2, dates[1])
    assert next_review(dates, dates[-1] + timedelta(days=1)) is None


def test_one_email_on_each_review_date_however_many_ticks(app: Flask, owner: User, create_round: Callable[..., Cycle],
                                                          mailbox: MailCatcher) -> None:
    cycle = _agreed_round(owner, create_round)
    first, second = review_dates(AGREED.date())[:2]
    clock.tick(now=_at(first - timedelta(days=1), 23))
    assert _nudges() == []
    for moment in (_at(first, 0), _at(first, 9), _at(first + timedelta(days=1))):
        clock.tick(now=moment)
    clock.tick(now=_at(second))
    assert _nudges() == [reviews.dedupe_key(cycle.id, first), reviews.dedupe_key(cycle.id, second)]
    mails = [m for m in mailbox.to("olivia@trust.example") if m["Subject"] == SUBJECT]
    assert len(mails) == 2
    body = mails[0].get_body(("plain",)).get_content()
    assert "/development" in body and "goal check-in" in body


def test_a_failed_tick_claims_nothing_and_the_next_sends_it_once(app: Flask, owner: User,
                                                                 create_round: Callable[..., Cycle],
                                                                 mailbox: MailCatcher,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _agreed_round(owner, create_round)
    first = review_dates(AGREED.date())[0]
    real_claim = reviews.claim_mails
    faults = [RuntimeError("database went away")]

    def claim_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        claimed = real_claim(*args, **kwargs)  # the claim is made, then the tick dies before it commits
        if faults:
            raise faults.pop()
        return claimed

    monkeypatch.setattr(reviews, "claim_mails", claim_then_fail)
    with pytest.raises(clock.TickFailed, match="tick"):
        clock.tick(now=_at(first))
    assert _nudges() == []
    clock.tick(now=_at(first, 10))
    clock.tick(now=_at(first, 11))
    assert len(_nudges()) == 1
    assert len([m for m in mailbox.to("olivia@trust.example") if m["Subject"] == SUBJECT]) == 1


def test_only_the_plan_in_force_is_nudged(app: Flask, owner: User, create_round: Callable[..., Cycle],
                                          ) -> None:
    older = _agreed_round(owner, create_round)
    older.finished_early_at = AGREED
    unit.commit()
    newer = _agreed_round(owner, create_round, agreed_at=AGREED + timedelta(days=90))
    # The older plan's 6-month review and the newer plan's 3-month review fall within days of each other.
    reviews.claim_review_nudges(_at(review_dates(AGREED.date())[1]))
    reviews.claim_review_nudges(_at(review_dates((AGREED + timedelta(days=90)).date())[0]))
    unit.commit()
    assert [k.split(":")[1] for k in _nudges()] == [str(newer.id)]


def test_a_deactivated_owner_is_not_nudged(app: Flask, owner: User, create_round: Callable[..., Cycle]) -> None:
    _agreed_round(owner, create_round)
    owner.is_active_account = False
    unit.commit()
    assert reviews.claim_review_nudges(_at(review_dates(AGREED.date())[0])) == 0


def test_the_facilitator_sees_the_next_review_date_of_each_owner(app: Flask, owner: User,
                                                                  create_round: Callable[..., Cycle],
                                                                  create_user) -> None:  # type: ignore[no-untyped-def]
    facilitator = create_user(Role.FACILITATOR, name="Fay Facilitator")
    assign_facilitator(owner, facilitator, create_user(Role.LOCAL_LEAD))
    unassigned = create_user(Role.OWNER, name="Una Other")
    _agreed_round(owner, create_round)
    _agreed_round(unassigned, create_round)
    unit.commit()
    client = signed_in(app, facilitator)
    assert "/facilitator/review-dates" in client.get("/facilitator").get_data(as_text=True)  # in the navigation
    page = client.get("/facilitator/review-dates").get_data(as_text=True)
    assert "Olivia Owner" in page and "13 August 2026" in page and "1 of 4" in page
    assert "Una Other" not in page
    assert signed_in(app, owner).get("/facilitator/review-dates").status_code in (403, 404)
