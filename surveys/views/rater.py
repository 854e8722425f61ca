"""The rater survey (PRODUCT §3.3, §3.5). No account: the link's token is the rater's only key.

The token in the path is an unguessable capability, which is what CSRF protection would add, so these forms do
without the session-bound CSRF token. That keeps a rater's answers safe when their session cookie has expired:
a timed-out tab still saves.
"""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for

from app import db as unit
from app.access import public
from app.errors import DomainError
from app.extensions import csrf
from app.timeutil import today
from surveys import responses
from surveys.answers import (
    MAX_COMMENT_LENGTH,
    area_statements,
    changing_at,
    field_name,
    first_incomplete_area,
    read_area,
    read_comments,
    unanswered,
)
from surveys.models import Invitation
from surveys.views import bp


def _invitation(token: str) -> Invitation:
    invitation = responses.find_invitation(token, today())
    if invitation is None:
        # One page and one status for every link that does not work, whatever the reason.
        abort(make_response(render_template("surveys/rater/link_not_working.html"), 404))
    return invitation


@bp.route("/r/<token>")
@public
def rater_start(token: str):  # type: ignore[no-untyped-def]
    invitation = _invitation(token)
    draft = invitation.draft
    questionnaire = invitation.cycle.questionnaire()
    # A draft saved with nothing chosen still resumes at the first page with a statement left to answer.
    resume_at = first_incomplete_area(questionnaire, draft.answers or {}) if draft else None
    return render_template("surveys/rater/start.html", invitation=invitation, token=token, has_draft=bool(draft),
                           resume_at=resume_at, owner=invitation.cycle.owner, questionnaire=questionnaire)


@bp.route("/r/<token>/area/<int:number>", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_area(token: str, number: int):  # type: ignore[no-untyped-def]
    invitation = _invitation(token)
    questionnaire = invitation.cycle.questionnaire()
    if not 1 <= number <= len(questionnaire.areas):
        return redirect(url_for("surveys.rater_start", token=token))
    area = questionnaire.areas[number - 1]
    answers = dict(invitation.draft.answers) if invitation.draft else {}
    check = url_for("surveys.rater_check", token=token)
    changing = changing_at(request.args.get("change"), [field_name(s.key) for s in area_statements(area)])
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        given = read_area(area, request.form, allow_not_able=True)
        answers.update(given)
        responses.save_answers(invitation, given)
        unit.commit()
        if request.form.get("action") == "save":
            return render_template("surveys/rater/saved.html", token=token, invitation=invitation)
        missing = unanswered(area_statements(area), answers)
        if not missing:
            if changing:
                return redirect(f"{check}#check-{changing}")
            nxt = url_for("surveys.rater_area", token=token, number=number + 1) \
                if number < len(questionnaire.areas) else url_for("surveys.rater_comments", token=token)
            return redirect(nxt)
        errors = [{"text": f"Choose an answer for “{s.rater_text}”", "href": f"#{field_name(s.key)}"}
                  for s in missing]
    return render_template("surveys/answer_area.html", area=area, number=number, total=len(questionnaire.areas),
                           answers=answers, errors=errors, form=None, read_only=False, rater=True, token=token,
                           questionnaire=questionnaire, wording="rater_text",
                           owner=invitation.cycle.owner, changing=changing,
                           back=check if changing else url_for("surveys.rater_area", token=token, number=number - 1)
                           if number > 1 else url_for("surveys.rater_start", token=token))


@bp.route("/r/<token>/comments", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_comments(token: str):  # type: ignore[no-untyped-def]
    invitation = _invitation(token)
    questionnaire = invitation.cycle.questionnaire()
    comments = dict(invitation.draft.comments) if invitation.draft and invitation.draft.comments else {}
    changing = changing_at(request.args.get("change"), [f"q-{q.key}" for q in questionnaire.open_questions])
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        comments, too_long = read_comments(questionnaire, request.form)
        if too_long:
            # Keep every word they wrote on the page; save only once it fits.
            errors = [{"text": f"Write {MAX_COMMENT_LENGTH} characters or fewer", "href": f"#q-{key}"}
                      for key in too_long]
        else:
            responses.save_comments(invitation, comments)
            unit.commit()
            if request.form.get("action") == "save":
                return render_template("surveys/rater/saved.html", token=token, invitation=invitation)
            check = url_for("surveys.rater_check", token=token)
            return redirect(f"{check}#check-{changing}" if changing else check)
    return render_template("surveys/rater/comments.html", token=token, questionnaire=questionnaire,
                           comments=comments, errors=errors, too_long=[e["href"][3:] for e in errors],
                           owner=invitation.cycle.owner, limit=MAX_COMMENT_LENGTH, changing=changing)


@bp.route("/r/<token>/check", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_check(token: str):  # type: ignore[no-untyped-def]
    invitation = _invitation(token)
    questionnaire = invitation.cycle.questionnaire()
    draft = invitation.draft
    answers = dict(draft.answers) if draft else {}
    comments = dict(draft.comments) if draft and draft.comments else {}
    error = None
    if request.method == "POST":
        try:
            responses.submit(invitation)
        except DomainError as exc:
            unit.rollback()
            error = exc.message
        else:
            unit.commit()
            return redirect(url_for("surveys.rater_thanks"))
    return render_template("surveys/rater/check.html", token=token, questionnaire=questionnaire, answers=answers,
                           comments=comments, incomplete=first_incomplete_area(questionnaire, answers),
                           error=error, owner=invitation.cycle.owner)


@bp.route("/r/<token>/decline", methods=["GET", "POST"])
@public
@csrf.exempt
def rater_decline(token: str):  # type: ignore[no-untyped-def]
    invitation = _invitation(token)
    if request.method == "POST":
        responses.decline(invitation)
        unit.commit()
        return redirect(url_for("surveys.rater_declined"))
    return render_template("surveys/rater/decline.html", token=token, owner=invitation.cycle.owner)


@bp.route("/feedback/thank-you")
@public
def rater_thanks():  # type: ignore[no-untyped-def]
    return render_template("surveys/rater/thanks.html")


@bp.route("/feedback/declined")
@public
def rater_declined():  # type: ignore[no-untyped-def]
    return render_template("surveys/rater/declined.html")
