"""When a rater is reminded (PRODUCT §2.5): pure functions of the round's close date, one invitation's state, the
reminders already claimed for it, and the time. No database, no clock: the caller passes `now` (naive UTC).

To a rater who has neither responded nor declined:

1. **Periodic**: 5 days after the last email we sent them (their invitation, or a reminder of any kind), then again
   5 days after that one, at most 3 in all. Counting from the last email rather than from the invitation means a
   clock that was down for a while, or an owner's "remind all", never makes two reminders arrive close together:
   after an outage the rater gets one catch-up reminder, not three at once.
2. **Last**: from 08:00 UTC two days before the close date, one reminder that the round is closing. No periodic
   reminder goes out on or after that day: the last one takes its place. It is not sent if we have already emailed
   the rater since that day began (their invitation, because they were added late, or the owner's "remind all"):
   that email told them the same.
3. **At most one email a day**: nothing is due on a (UTC) day on which the rater was already emailed, so a reminder
   never lands on the same day as their invitation or another reminder.
4. **Nothing after close**: no reminder once the close date has passed, and none to raters not yet invited, who
   have responded, or who have declined.

Edge cases, decided:
- A rater added to an open round is counted from their own invitation; one added on or after the last-reminder
  day gets no reminders (their invitation is fresh).
- A rater whose email address was corrected is invited again; the 5 days start from the new invitation, and the
  count of 3 carries over (they are the same invitation).
- Close date moved later: the schedule follows the new date, but once the last reminder has gone no more automatic
  ones follow (the owner can still "remind all"). Moved earlier: the last reminder comes forward with it.
- "Remind all" is the owner's: at most once a (UTC) day per round, while it is open, to every outstanding rater
  not already emailed that day. It counts as an email for rules 1-3 but not towards the 3 periodic or the last.

Each reminder is claimed once per invitation and kind (`reminder:{invitation_id}:{kind}`), so a tick that runs
twice, late or on two workers at once cannot send it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from surveys.cycle import CycleRuleError

OUTSTANDING = "invited"  # InvitationStatus.INVITED: asked, and neither responded nor declined
PERIODIC = ("periodic-1", "periodic-2", "periodic-3")
LAST = "last"
BY_HAND_PREFIX = "all-"
INTERVAL = timedelta(days=5)
LAST_DAYS_BEFORE_CLOSE = 2
LAST_HOUR = time(8, 0)  # UTC: 08:00 or 09:00 in the UK, the start of a working day


@dataclass(frozen=True)
class RaterFacts:
    """What the rules need to know about one invitation."""

    status: str  # an InvitationStatus value
    invited_at: datetime | None  # when the (latest) invitation mail was claimed; None if never invited
    sent: Mapping[str, datetime]  # reminder kinds already claimed for this invitation, and when


def by_hand_kind(day: date) -> str:
    """The kind of an owner's "remind all" reminder: one per invitation per day."""
    return f"{BY_HAND_PREFIX}{day.isoformat()}"


def last_day(close_on: date) -> date:
    return close_on - timedelta(days=LAST_DAYS_BEFORE_CLOSE)


def last_contact(rater: RaterFacts) -> datetime | None:
    """When we last emailed this rater: their invitation or any reminder."""
    times = [t for t in (rater.invited_at, *rater.sent.values()) if t is not None]
    return max(times) if times else None


def _may_email(rater: RaterFacts, close_on: date, now: datetime) -> datetime | None:
    """Rules 3 and 4: the last contact if this rater may be emailed at all today, else None."""
    contact = last_contact(rater)
    if rater.status != OUTSTANDING or rater.invited_at is None or contact is None:
        return None
    if now.date() > close_on:
        return None
    if contact.date() >= now.date():  # `>=`: a contact stamped later than `now` (clock skew) also counts as today
        return None
    return contact


def due_reminder(rater: RaterFacts, close_on: date, now: datetime) -> str | None:
    """The reminder kind to send this rater now, if any. Never more than one: one email a day at most."""
    contact = _may_email(rater, close_on, now)
    if contact is None or LAST in rater.sent:
        return None
    closing_day = last_day(close_on)
    if now.date() >= closing_day:
        starts = datetime.combine(closing_day, time.min)
        if now >= datetime.combine(closing_day, LAST_HOUR) and contact < starts:
            return LAST
        return None
    periodic_sent = sum(1 for kind in PERIODIC if kind in rater.sent)
    if periodic_sent < len(PERIODIC) and now >= contact + INTERVAL:
        return PERIODIC[periodic_sent]
    return None


def may_remind_by_hand(rater: RaterFacts, close_on: date, now: datetime) -> bool:
    """Whether the owner's "remind all" reaches this rater now (outstanding, and not yet emailed today)."""
    return _may_email(rater, close_on, now) is not None


@dataclass(frozen=True)
class RemindAllOffer:
    """What the owner's round page says about "remind all outstanding"."""

    outstanding: int
    sent_today: bool
    next_on: date | None  # when it can next be used, if it cannot be used now and the round is still open then

    @property
    def available(self) -> bool:
        return self.outstanding > 0 and not self.sent_today


def remind_all_offer(is_open: bool, close_on: date, reminded_all_on: date | None, outstanding: int,
                     today: date) -> RemindAllOffer | None:
    """None when the round is not open for responses (nothing to offer)."""
    if not is_open or today > close_on:
        return None
    sent_today = reminded_all_on == today
    tomorrow = today + timedelta(days=1)
    return RemindAllOffer(outstanding, sent_today, tomorrow if sent_today and tomorrow <= close_on else None)


def check_remind_all(offer: RemindAllOffer | None, reachable: int) -> None:
    """Refuse "remind all" with a message for the owner; `reachable` is how many raters it would email now."""
    if offer is None:
        raise CycleRuleError("You can only send reminders while your round is open.")
    if offer.sent_today:
        if offer.next_on is None:
            raise CycleRuleError("You have already sent a reminder today, and your round closes today.")
        raise CycleRuleError("You have already sent a reminder today. "
                             f"You can send another from {offer.next_on.strftime('%-d %B %Y')}.")
    if offer.outstanding == 0:
        raise CycleRuleError("Everyone you invited has replied, so there is no one to remind.")
    if reachable == 0:
        raise CycleRuleError("Everyone who has not replied has already had an email from us today, "
                             "so no reminder was sent.")
