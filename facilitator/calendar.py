"""The agreed review dates as an iCalendar file (RFC 5545), built with the `icalendar` library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from icalendar import Calendar, Event

from app.timeutil import utcnow


def review_calendar(cycle_id: int, dates: Sequence[date]) -> bytes:
    """One all-day event per review date. The events carry no content of the plan: a calendar is often shared."""
    calendar = Calendar()
    calendar.add("prodid", "-//Open360//Development plan reviews//EN")
    calendar.add("version", "2.0")
    stamp = utcnow()
    for n, day in enumerate(dates, start=1):
        event = Event()
        event.add("uid", f"open360-review-{cycle_id}-{n}@open360")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Review my development plan ({n} of {len(dates)})")
        event.add("description", "Look at the goals in your development plan on Open360 and record your progress.")
        calendar.add_component(event)
    return calendar.to_ical()
