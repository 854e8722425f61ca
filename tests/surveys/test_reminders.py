"""The reminder schedule (PRODUCT §2.5) as pure rules: examples for each rule and edge case, and properties that
hold whatever the timing of ticks, replies, "remind all" clicks and close-date changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.cycle import CycleRuleError
from surveys.reminders import (
    LAST,
    PERIODIC,
    RaterFacts,
    by_hand_kind,
    check_remind_all,
    due_reminder,
    may_remind_by_hand,
    remind_all_offer,
)

INVITED_AT = datetime(2026, 11, 2, 14, 30)  # a Monday afternoon
CLOSE_ON = INVITED_AT.date() + timedelta(days=21)
Sent = list[tuple[datetime, str]]


def ticking(start: datetime, end: datetime, period: timedelta = timedelta(minutes=30)) -> list[datetime]:
    """A clock ticking every half hour (the real one ticks every minute; the rules only care about the order)."""
    ticks, now = [], start
    while now <= end:
        ticks.append(now)
        now += period
    return ticks


def simulate(ticks: Iterable[datetime], invited_at: datetime = INVITED_AT, close_on: date = CLOSE_ON, *,
             replied_at: datetime | None = None, by_hand: Iterable[datetime] = (),
             close_moves: tuple[datetime, date] | None = None, status_after_reply: str = "done") -> Sent:
    """Run the clock at `ticks` and the owner's "remind all" at `by_hand`, recording what each sends, as the
    database would (a claim per kind)."""
    sent: dict[str, datetime] = {}
    log: Sent = []
    events = sorted([(t, "tick") for t in ticks] + [(t, "hand") for t in by_hand])
    for now, what in events:
        status = status_after_reply if replied_at is not None and now >= replied_at else "invited"
        close = close_moves[1] if close_moves and now >= close_moves[0] else close_on
        facts = RaterFacts(status, invited_at, dict(sent))
        if what == "tick":
            kind = due_reminder(facts, close, now)
        else:
            kind = by_hand_kind(now.date()) if may_remind_by_hand(facts, close, now) else None
        if kind is not None and kind not in sent:
            sent[kind] = now
            log.append((now, kind))
    return log


def at(days: float, clock: time | None = None) -> datetime:
    moment = INVITED_AT + timedelta(days=days)
    return datetime.combine(moment.date(), clock) if clock else moment


# --- the schedule ---------------------------------------------------------------------------------------------

def test_a_21_day_round_reminds_after_5_10_and_15_days_then_2_days_before_close() -> None:
    log = simulate(ticking(INVITED_AT, datetime.combine(CLOSE_ON, time(23))))
    assert log == [(at(5), "periodic-1"), (at(10), "periodic-2"), (at(15), "periodic-3"),
                   (datetime.combine(CLOSE_ON - timedelta(days=2), time(8)), LAST)]


def test_a_short_round_gets_only_the_last_reminder_when_it_would_fall_on_or_after_its_day() -> None:
    close_on = INVITED_AT.date() + timedelta(days=7)  # the last-reminder day is day 5, as periodic-1 would be
    log = simulate(ticking(INVITED_AT, datetime.combine(close_on, time(23))), close_on=close_on)
    assert log == [(datetime.combine(close_on - timedelta(days=2), time(8)), LAST)]


def test_a_round_of_two_days_gets_no_reminder_on_the_invitation_day() -> None:
    close_on = INVITED_AT.date() + timedelta(days=2)  # the last-reminder day is the invitation day
    assert simulate(ticking(INVITED_AT, datetime.combine(close_on, time(23))), close_on=close_on) == []


def test_nothing_before_5_days() -> None:
    facts = RaterFacts("invited", INVITED_AT, {})
    assert due_reminder(facts, CLOSE_ON, at(5) - timedelta(minutes=1)) is None
    assert due_reminder(facts, CLOSE_ON, at(5)) == "periodic-1"


@pytest.mark.parametrize("status", ["done", "not_sent"])
def test_no_reminder_to_raters_who_replied_or_were_never_invited(status: str) -> None:
    assert due_reminder(RaterFacts(status, INVITED_AT, {}), CLOSE_ON, at(6)) is None
    assert not may_remind_by_hand(RaterFacts(status, INVITED_AT, {}), CLOSE_ON, at(6))


def test_no_reminder_without_an_invitation_time() -> None:
    assert due_reminder(RaterFacts("invited", None, {}), CLOSE_ON, at(6)) is None


def test_a_reply_stops_the_reminders() -> None:
    log = simulate(ticking(INVITED_AT, datetime.combine(CLOSE_ON, time(23))), replied_at=at(7))
    assert [kind for _, kind in log] == ["periodic-1"]


def test_nothing_after_the_close_date_even_if_the_last_reminder_never_went() -> None:
    facts = RaterFacts("invited", INVITED_AT, {})
    assert due_reminder(facts, CLOSE_ON, datetime.combine(CLOSE_ON, time(23, 59))) == LAST
    assert due_reminder(facts, CLOSE_ON, datetime.combine(CLOSE_ON + timedelta(days=1), time(0))) is None
    assert not may_remind_by_hand(facts, CLOSE_ON, datetime.combine(CLOSE_ON + timedelta(days=1), time(9)))


# --- edge cases -----------------------------------------------------------------------------------------------

def test_after_an_outage_one_catch_up_reminder_goes_and_the_next_is_5_days_later() -> None:
    ticks = ticking(INVITED_AT, at(4)) + ticking(at(12), datetime.combine(CLOSE_ON, time(23)))
    log = simulate(ticks)
    assert log[:2] == [(at(12), "periodic-1"), (at(17), "periodic-2")]
    assert [kind for _, kind in log] == ["periodic-1", "periodic-2", LAST]  # day 22 would be after the last day


def test_an_outage_over_the_last_reminder_day_sends_it_late_but_before_close() -> None:
    last_day = CLOSE_ON - timedelta(days=2)
    ticks = ticking(INVITED_AT, datetime.combine(last_day, time(7))) + \
        ticking(datetime.combine(CLOSE_ON, time(10)), datetime.combine(CLOSE_ON, time(23)))
    assert simulate(ticks)[-1] == (datetime.combine(CLOSE_ON, time(10)), LAST)


def test_a_periodic_reminder_due_on_the_last_reminder_day_gives_way_to_the_last_one() -> None:
    close_on = INVITED_AT.date() + timedelta(days=12)  # periodic-2 would be due on day 10, the last-reminder day
    log = simulate(ticking(INVITED_AT, datetime.combine(close_on, time(23))), close_on=close_on)
    assert [kind for _, kind in log] == ["periodic-1", LAST]
    assert len({sent_at.date() for sent_at, _ in log}) == len(log)


def test_a_rater_added_late_counts_from_their_own_invitation() -> None:
    invited_at = at(8)
    log = simulate(ticking(invited_at, datetime.combine(CLOSE_ON, time(23))), invited_at=invited_at)
    assert [(sent_at - invited_at, kind) for sent_at, kind in log][:1] == [(timedelta(days=5), "periodic-1")]
    assert [kind for _, kind in log] == ["periodic-1", "periodic-2", LAST]


def test_a_rater_added_on_the_last_reminder_day_gets_no_reminder() -> None:
    invited_at = datetime.combine(CLOSE_ON - timedelta(days=2), time(7))
    assert simulate(ticking(invited_at, datetime.combine(CLOSE_ON, time(23))), invited_at=invited_at) == []


def test_a_rater_added_the_day_before_gets_the_last_reminder_the_next_day() -> None:
    invited_at = datetime.combine(CLOSE_ON - timedelta(days=3), time(16))
    log = simulate(ticking(invited_at, datetime.combine(CLOSE_ON, time(23))), invited_at=invited_at)
    assert log == [(datetime.combine(CLOSE_ON - timedelta(days=2), time(8)), LAST)]


def test_a_reinvited_rater_waits_5_days_from_the_new_invitation_and_keeps_their_count() -> None:
    reinvited = RaterFacts("invited", at(8), {"periodic-1": at(5)})  # address corrected on day 8
    assert due_reminder(reinvited, CLOSE_ON, at(12)) is None
    assert due_reminder(reinvited, CLOSE_ON, at(13)) == "periodic-2"


def test_remind_all_pushes_the_next_periodic_reminder_back_5_days() -> None:
    log = simulate(ticking(INVITED_AT, at(20)), by_hand=[at(3)])
    assert log[:2] == [(at(3), by_hand_kind(at(3).date())), (at(8), "periodic-1")]


def test_remind_all_on_the_last_reminder_day_takes_the_place_of_the_last_reminder() -> None:
    last_day = CLOSE_ON - timedelta(days=2)
    log = simulate(ticking(INVITED_AT, datetime.combine(CLOSE_ON, time(23))),
                   by_hand=[datetime.combine(last_day, time(7))])
    assert LAST not in [kind for _, kind in log]
    assert log[-1] == (datetime.combine(last_day, time(7)), by_hand_kind(last_day))


def test_remind_all_skips_a_rater_already_emailed_today() -> None:
    facts = RaterFacts("invited", INVITED_AT, {"periodic-1": at(5)})
    assert not may_remind_by_hand(facts, CLOSE_ON, at(5) + timedelta(hours=2))
    assert may_remind_by_hand(facts, CLOSE_ON, at(6))
    assert not may_remind_by_hand(RaterFacts("invited", INVITED_AT, {}), CLOSE_ON, INVITED_AT + timedelta(hours=1))


def test_close_date_moved_later_after_the_last_reminder_sends_no_more() -> None:
    short_close = INVITED_AT.date() + timedelta(days=8)
    later = INVITED_AT.date() + timedelta(days=30)
    log = simulate(ticking(INVITED_AT, datetime.combine(later, time(23))), close_on=short_close,
                   close_moves=(at(7), later))
    assert [kind for _, kind in log] == ["periodic-1", LAST]


def test_close_date_moved_later_before_the_last_reminder_resumes_the_periodic_ones() -> None:
    later = CLOSE_ON + timedelta(days=10)
    log = simulate(ticking(INVITED_AT, datetime.combine(later, time(23))), close_moves=(at(2), later))
    assert [kind for _, kind in log] == [*PERIODIC, LAST]
    assert log[-1][0] == datetime.combine(later - timedelta(days=2), time(8))


def test_close_date_moved_earlier_brings_the_last_reminder_forward() -> None:
    earlier = INVITED_AT.date() + timedelta(days=9)
    log = simulate(ticking(INVITED_AT, datetime.combine(CLOSE_ON, time(23))), close_moves=(at(6), earlier))
    assert log == [(at(5), "periodic-1"), (datetime.combine(earlier - timedelta(days=2), time(8)), LAST)]


def test_a_claim_stamped_in_the_future_counts_as_today() -> None:
    facts = RaterFacts("invited", INVITED_AT, {"periodic-1": at(10)})  # a clock running ahead on another host
    assert due_reminder(facts, CLOSE_ON, at(9)) is None


# --- remind all: once a day -----------------------------------------------------------------------------------

TODAY = date(2026, 11, 24)


def test_remind_all_is_offered_while_open_with_someone_to_remind() -> None:
    offer = remind_all_offer(True, TODAY + timedelta(days=5), None, 3, TODAY)
    assert offer is not None and offer.available and offer.next_on is None
    assert remind_all_offer(False, TODAY + timedelta(days=5), None, 3, TODAY) is None
    assert remind_all_offer(True, TODAY - timedelta(days=1), None, 3, TODAY) is None
    nobody = remind_all_offer(True, TODAY + timedelta(days=5), None, 0, TODAY)
    assert nobody is not None and not nobody.available


def test_remind_all_used_today_can_be_used_again_tomorrow() -> None:
    offer = remind_all_offer(True, TODAY + timedelta(days=5), TODAY, 3, TODAY)
    assert offer is not None and not offer.available and offer.next_on == TODAY + timedelta(days=1)
    with pytest.raises(CycleRuleError, match="You can send another from 25 November 2026"):
        check_remind_all(offer, 3)
    yesterday = remind_all_offer(True, TODAY + timedelta(days=5), TODAY - timedelta(days=1), 3, TODAY)
    assert yesterday is not None and yesterday.available
    check_remind_all(yesterday, 3)


def test_remind_all_used_on_the_close_date_cannot_be_used_again() -> None:
    offer = remind_all_offer(True, TODAY, TODAY, 3, TODAY)
    assert offer is not None and offer.next_on is None
    with pytest.raises(CycleRuleError, match="closes today"):
        check_remind_all(offer, 3)


@pytest.mark.parametrize(("offer", "reachable", "message"), [
    (None, 1, "while your round is open"),
    (remind_all_offer(True, TODAY + timedelta(days=3), None, 0, TODAY), 0, "Everyone you invited has replied"),
    (remind_all_offer(True, TODAY + timedelta(days=3), None, 2, TODAY), 0, "already had an email from us today"),
])
def test_remind_all_refusals_are_explained(offer, reachable: int, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CycleRuleError, match=message):
        check_remind_all(offer, reachable)


# --- properties -----------------------------------------------------------------------------------------------

@st.composite
def histories(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    """A rater's whole round: a clock ticking at some period with outages, maybe a reply, maybe some "remind all"
    clicks, maybe a close date moved."""
    invited_at = INVITED_AT + timedelta(minutes=draw(st.integers(min_value=0, max_value=20 * 24 * 60)))
    close_on = invited_at.date() + timedelta(days=draw(st.integers(min_value=1, max_value=45)))
    period = timedelta(minutes=draw(st.integers(min_value=20, max_value=12 * 60)))
    outages = draw(st.lists(st.tuples(st.integers(min_value=0, max_value=50 * 24), st.integers(1, 10 * 24)),
                            max_size=3))
    start = invited_at - timedelta(minutes=draw(st.integers(min_value=0, max_value=24 * 60)))
    ticks = [t for t in ticking(start, datetime.combine(close_on + timedelta(days=30), time(0)), period)
             if not any(timedelta(hours=h) <= t - invited_at < timedelta(hours=h + length) for h, length in outages)]
    replied = draw(st.none() | st.integers(min_value=0, max_value=50 * 24 * 60))
    moves = draw(st.none() | st.tuples(st.integers(min_value=0, max_value=40 * 24 * 60),
                                       st.integers(min_value=1, max_value=60)))
    return {
        "ticks": ticks, "invited_at": invited_at, "close_on": close_on,
        "replied_at": invited_at + timedelta(minutes=replied) if replied is not None else None,
        "by_hand": draw(st.lists(st.sampled_from(ticks), max_size=4)) if ticks else [],
        "close_moves": (invited_at + timedelta(minutes=moves[0]), invited_at.date() + timedelta(days=moves[1]))
        if moves else None,
        "status_after_reply": "done",
    }


def _close_at(history: dict, now: datetime) -> date:  # type: ignore[type-arg]
    moves = history["close_moves"]
    return moves[1] if moves and now >= moves[0] else history["close_on"]


@settings(max_examples=300, deadline=None)
@given(histories())
def test_never_more_than_3_periodic_and_1_last(history: dict) -> None:  # type: ignore[type-arg]
    kinds = [kind for _, kind in simulate(**history)]
    assert sum(kind in PERIODIC for kind in kinds) <= 3
    assert kinds.count(LAST) <= 1
    assert len(kinds) == len(set(kinds))
    periodic = [kind for kind in kinds if kind in PERIODIC]
    assert periodic == list(PERIODIC[:len(periodic)])  # in order, none skipped


@settings(max_examples=300, deadline=None)
@given(histories())
def test_never_after_close(history: dict) -> None:  # type: ignore[type-arg]
    for sent_at, _ in simulate(**history):
        assert sent_at.date() <= _close_at(history, sent_at)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_never_to_raters_who_responded_or_declined(history: dict) -> None:  # type: ignore[type-arg]
    replied_at = history["replied_at"]
    for sent_at, _ in simulate(**history):
        assert replied_at is None or sent_at < replied_at


@settings(max_examples=300, deadline=None)
@given(histories())
def test_never_two_emails_on_the_same_day(history: dict) -> None:  # type: ignore[type-arg]
    days = [history["invited_at"].date()] + [sent_at.date() for sent_at, _ in simulate(**history)]
    assert len(days) == len(set(days))


@settings(max_examples=300, deadline=None)
@given(histories())
def test_periodic_reminders_come_at_least_5_days_after_the_previous_email(history: dict) -> None:  # type: ignore[type-arg]
    previous = history["invited_at"]
    for sent_at, kind in simulate(**history):
        if kind in PERIODIC:
            assert sent_at - previous >= timedelta(days=5)
        previous = sent_at
