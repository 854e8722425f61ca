"""The review-date nudge, rendered at send time: that a review date has come, and where to record progress. No
content of the plan is in it."""

from __future__ import annotations

from app.extensions import db
from app.mail import Message, renderer
from facilitator.mails import _note as note  # the facilitated session's one plain note, with its templates
from facilitator.operations import agreed_summary
from followup.reviews import NUDGE_KIND
from surveys.models import Cycle


@renderer(NUDGE_KIND)
def review_nudge_mail(cycle_id: int) -> Message | None:
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or agreed_summary(cycle) is None:
        return None
    return note(cycle.owner, "Time to review your development plan", [
        "Today is one of the review dates you agreed for your development plan.",
        "Take a few minutes to look at your goals and record how each one is going, with a short note if it helps. "
        "Your facilitator can see your progress too.",
        "You can also send a goal check-in from your development profile, to ask people you work with how they "
        "think each goal is going."],
        "Update your goal progress", "facilitator.profile")
