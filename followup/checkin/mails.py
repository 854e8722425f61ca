"""The check-in's mails, rendered at send time so a rater's link is never stored (as a round's, surveys/mails.py).

An invitation or reminder carries the owner's name and the close date, and nothing else about the check-in: no
goals (they are the owner's plan), no count of who else has answered."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from app.extensions import db
from app.mail import Message, renderer
from app.timeutil import today
from facilitator.mails import _note as note  # the facilitated session's one plain note, with its templates
from followup.checkin import operations, rules
from followup.checkin.models import CheckIn, CheckInRater
from surveys.mails import closes_phrase


def _rater_mail(rater_id: int, subject: str, template: str) -> Message | None:
    rater = db.session.get(CheckInRater, rater_id)
    if rater is None or not rater.is_outstanding:
        return None  # answered, declined or purged before the mail went out
    checkin = rater.checkin
    if not rules.accepts_answers(checkin.state, checkin.close_on, today()):
        return None  # closed while the mail waited
    owner = checkin.cycle.owner
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        token = operations.issue(rater)
        db.session.flush()
        context = {"rater": rater, "owner": owner, "goals": len(checkin.goals),
                   "closes": closes_phrase(checkin.close_on, today()),
                   "link": current_app.config["PUBLIC_URL"] + url_for("checkin.rater_link", token=token)}
        return Message(to=rater.email, subject=subject.format(owner=owner.name),
                       text=render_template(f"checkin/mail/{template}.txt", **context),
                       html=render_template(f"checkin/mail/{template}.html", **context))


@renderer(operations.INVITATION_KIND)
def invitation_mail(rater_id: int) -> Message | None:
    return _rater_mail(rater_id, "{owner} asks: how are their goals going?", "invitation")


@renderer(operations.REMINDER_KIND)
def reminder_mail(rater_id: int) -> Message | None:
    return _rater_mail(rater_id, "Reminder: {owner} asks how their goals are going", "reminder")


@renderer(operations.CLOSED_KIND)
def closed_mail(checkin_id: int) -> Message | None:
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None:
        return None
    return note(checkin.cycle.owner, "Your goal check-in has closed", [
        "Your goal check-in has closed, so no more answers will be accepted.",
        "What the people you asked said is in your development profile, beside your own progress on each goal. "
        "Your facilitator can see it too."], "See your development profile", "facilitator.profile")
