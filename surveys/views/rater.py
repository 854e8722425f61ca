"""The rater survey (PRODUCT §3.3, §3.5). No account: the emailed link is the rater's only key.

`/r/<token>` exchanges the token for a short-lived cookie scoped to `/feedback` and redirects there, so every page
the rater then sees has an address without the token. The cookie is `SameSite=Lax`, so another site cannot make a
rater's browser post to these pages with it; these forms therefore do without the session-bound CSRF token, which
keeps a rater's answers safe when the product's own session cookie has expired. A POST whose `Origin` is another
site is refused all the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from app import db as unit
from app.access import public
from app.errors import DomainError
from app.extensions import csrf
from app.security import send_no_referrer
from app.timeutil import utcnow
from surveys import links, responses
from surveys.answers import (
    MAX_COMMENT_LENGTH,
    area_statements,
    changing_at,
    field_name,
    first_incomplete_area,
    missing_answer,
    read_area,
    read_comments,
    too_long_comment,
    unanswered,
)
from surveys.models import Invitation
from surveys.views import bp, survey_url

COOKIE = "open360_rater"
COOKIE_PATH = "/feedback"
RATER_ENDPOINTS = frozenset({"surveys.rater_link", "surveys.rater_start", "surveys.rater_area",
                             "surveys.rater_comments", "surveys.rater_check", "surveys.rater_decline",
                             "surveys.rater_thanks", "surveys.rater_declined"})

send_no_referrer(RATER_ENDPOINTS)  # nothing about a rater's visit leaves the page, not even to this site


def _not_working() -> WerkzeugResponse:
    # One page and one status for every link that does not work, whatever the reason.
    response = make_response(render_template("surveys/rater/link_not_working.html"), 404)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _visit() -> links.RaterVisit:
    if request.method == "POST":
        origin = request.headers.get("Origin")
        # Browsers send `Origin: null` from a no-referrer page; another site's origin is refused.
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            abort(_not_working())
    found = links.visit(request.cookies.get(COOKIE), utcnow())
    if found is None:
        abort(_not_working())
    return found


def _save(visit: links.RaterVisit, answers: dict[str, Any], comments: dict[str, str]) -> None:
    """Keep the draft, commit, and give the cookie its full lifetime again. The draft is sealed before the first
    write and the renewal is the last: writers queue from their first write to their commit
    (app/sqlite_writes.py), so nothing slow comes after it."""
    if not responses.write_draft(visit.invitation_id, visit.questionnaire, answers, comments):
        abort(_not_working())  # the round was deleted meanwhile
    links.renew(visit, utcnow())
    unit.commit()


def _invitation(visit: links.RaterVisit) -> Invitation:
    """The invitation, for a page that writes through the ORM."""
    invitation = links.invitation_for(visit)
    if invitation is None:
        abort(_not_working())
    return invitation


def _set_cookie(response: WerkzeugResponse, secret: str) -> WerkzeugResponse:
    response.set_cookie(COOKIE, secret, max_age=int(links.SESSION_LIFETIME.total_seconds()), path=COOKIE_PATH,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                        samesite="Lax")
    return response


def _ended(endpoint: str) -> WerkzeugResponse:
    response = redirect(url_for(endpoint))
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@bp.route("/r/<token>")
@public
def rater_link(token: str):  # type: ignore[no-untyped-def]
    invitation = links.by_token(token, utcnow())
    if invitation is None:
        return _not_working()
    secret = links.start_session(invitation, utcnow())
    unit.commit()
    return _set_cookie(redirect(url_for("surveys.rater_start")), secret)


@bp.route("/feedback")
@public
def rater_start():  # type: ignore[no-untyped-def]
    visit = _visit()
    # A draft saved with nothing chosen still resumes at the first page with a statement left to answer.
    resume_at = first_incomplete_area(visit.questionnaire, visit.answers) if visit.has_draft else None
    return render_template("surveys/rater/start.html", category=visit.category, has_draft=visit.has_draft,
                           resume_at=resume_at, owner=visit.owner, questionnaire=visit.questionnaire,
                           purge_days=visit.purge_days)


@bp.route("/feedback/area/<int:number>", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_area(number: int):  # type: ignore[no-untyped-def]
    visit = _visit()
    questionnaire = visit.questionnaire
    if not 1 <= number <= len(questionnaire.areas):
        return redirect(url_for("surveys.rater_start"))
    area = questionnaire.areas[number - 1]
    answers = dict(visit.answers)
    check = survey_url("rater_check")
    changing = changing_at(request.args.get("change"), [field_name(s.key) for s in area_statements(area)])
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        given = read_area(area, request.form, allow_not_able=True)
        answers.update(given)
        _save(visit, answers, visit.comments)
        if request.form.get("action") == "save":
            return render_template("surveys/rater/saved.html", close_on=visit.close_on)
        missing = unanswered(area_statements(area), answers)
        if not missing:
            if changing:
                return redirect(f"{check}#check-{changing}")
            nxt = survey_url("rater_area", number=number + 1) \
                if number < len(questionnaire.areas) else survey_url("rater_comments")
            return redirect(nxt)
        errors = [{"text": missing_answer(s.rater_text), "href": f"#{field_name(s.key)}"}
                  for s in missing]
    return render_template("surveys/answer_area.html", area=area, number=number, total=len(questionnaire.areas),
                           answers=answers, errors=errors, form=None, read_only=False, rater=True,
                           questionnaire=questionnaire, wording="rater_text",
                           owner=visit.owner, changing=changing,
                           back=check if changing else survey_url("rater_area", number=number - 1)
                           if number > 1 else survey_url("rater_start"))


@bp.route("/feedback/comments", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_comments():  # type: ignore[no-untyped-def]
    visit = _visit()
    questionnaire = visit.questionnaire
    comments = dict(visit.comments)
    changing = changing_at(request.args.get("change"), [f"q-{q.key}" for q in questionnaire.open_questions])
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        comments, too_long = read_comments(questionnaire, request.form)
        if too_long:
            # Keep every word they wrote on the page; save only once it fits.
            texts = {q.key: q.text for q in questionnaire.open_questions}
            errors = [{"text": too_long_comment(texts[key]), "href": f"#q-{key}"} for key in too_long]
        else:
            _save(visit, visit.answers, comments)
            if request.form.get("action") == "save":
                return render_template("surveys/rater/saved.html", close_on=visit.close_on)
            check = url_for("surveys.rater_check")
            return redirect(f"{check}#check-{changing}" if changing else check)
    return render_template("surveys/rater/comments.html", questionnaire=questionnaire,
                           comments=comments, errors=errors, too_long=[e["href"][3:] for e in errors],
                           owner=visit.owner, limit=MAX_COMMENT_LENGTH, changing=changing,
                           too_long_comment=too_long_comment)


@bp.route("/feedback/check", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_check():  # type: ignore[no-untyped-def]
    visit = _visit()
    questionnaire, answers, comments = visit.questionnaire, visit.answers, visit.comments
    error = None
    if request.method == "POST":
        try:
            responses.send(visit.invitation_id, visit.category, questionnaire, answers, comments)
        except DomainError as exc:
            unit.rollback()
            error = exc.message
        else:
            unit.commit()
            return _ended("surveys.rater_thanks")
    return render_template("surveys/rater/check.html", questionnaire=questionnaire, answers=answers,
                           comments=comments, incomplete=first_incomplete_area(questionnaire, answers),
                           error=error, owner=visit.owner)


@bp.route("/feedback/decline", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_decline():  # type: ignore[no-untyped-def]
    visit = _visit()
    if request.method == "POST":
        responses.decline(_invitation(visit))
        unit.commit()
        return _ended("surveys.rater_declined")
    return render_template("surveys/rater/decline.html", owner=visit.owner, category=visit.category)


@bp.route("/feedback/thank-you")
@public
def rater_thanks():  # type: ignore[no-untyped-def]
    return render_template("surveys/rater/thanks.html")


@bp.route("/feedback/declined")
@public
def rater_declined():  # type: ignore[no-untyped-def]
    return render_template("surveys/rater/declined.html")
