"""An administrator's preview and comparison of questionnaire versions (PRODUCT §2.3, §6), on the questionnaire
versions blueprint. Only administrators: nobody else ever sees a draft.

**Preview**: any version, a draft above all, as the owner's self-assessment and as a rater's pages, through the
survey's own templates and form code (surveys/answers.py), with no round, no link and nothing saved. Each page is
shown at phone width in a frame of the preview page, and can be opened on its own; the survey templates build
their links with `survey_url`, which a preview points at its own pages.

**Compare**: two versions statement by statement (surveys/questionnaire_compare_rules.py), and the declaration of
which statements of the earlier carry over to the later (surveys/questionnaire_carry_over.py), which the change
since the last report relies on (followup/change.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app import db as unit
from app.access import roles
from app.extensions import db
from app.models import Role
from app.security import content_security_policy
from surveys import questionnaire_carry_over as carry_over
from surveys import questionnaire_compare_rules as rules
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
from surveys.categories import Category
from surveys.forms import ConfirmForm
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_admin import bp
from surveys.questionnaire_models import ContentVersion
from surveys.questionnaire_rules import Status, UploadError, check_questionnaire
from surveys.views import survey_helpers

KIND = "questionnaire"
AUDIENCES = {"self": "The owner’s self-assessment", "rater": "A rater’s pages"}
SAMPLE_OWNER_NAME = "Sam Sample"  # whom the preview's rater is asked about: nobody real


@dataclass(frozen=True)
class SampleOwner:
    name: str = SAMPLE_OWNER_NAME


bp.context_processor(survey_helpers)  # the survey templates' helpers, for the preview's pages


def _version(version_id: int) -> ContentVersion:
    row = db.session.get(ContentVersion, version_id)
    if row is None or row.kind != KIND:
        abort(404)
    return row


def _content(row: ContentVersion) -> Questionnaire:
    """A stored version's questionnaire, checked as an upload is (a draft never loads through load_version)."""
    try:
        return check_questionnaire(row.text(), [])
    except UploadError as error:  # stored before a rule it now breaks was added
        abort(make_response(render_template("questionnaires/cannot_show.html", row=row,
                                            problems=[str(p) for p in error.problems]), 200))


# --- Preview ------------------------------------------------------------------------------------------------------


def _pages(audience: str, areas: int) -> list[str]:
    if audience not in AUDIENCES:
        abort(404)
    numbers = [str(n) for n in range(1, areas + 1)]
    return ["start", *numbers, "comments", "check"] if audience == "rater" else [*numbers, "check"]


def _page_label(page: str, questionnaire: Questionnaire) -> str:
    if page.isdigit():
        return questionnaire.areas[int(page) - 1].title
    return {"start": "Start", "comments": "Comments", "check": "Check answers", "decline": "Do not give feedback"}[page]


# The survey's endpoints (surveys/views) and the preview page each stands for. "dashboard" is the owner's round,
# which a preview has not got: its first page stands in.
_PREVIEW_PAGE = {"rater_start": "start", "rater_comments": "comments", "rater_check": "check",
                 "rater_decline": "decline", "self_check": "check", "dashboard": "1"}


def _survey_url(row: ContentVersion, audience: str) -> Callable[..., str]:
    def survey_url(endpoint: str, **values: Any) -> str:
        number = values.pop("number", None)
        page = str(number) if endpoint in ("rater_area", "self_area") else _PREVIEW_PAGE[endpoint]
        return url_for("questionnaires.preview_frame", version_id=row.id, audience=audience, page=page, **values)

    return survey_url


def _banner(row: ContentVersion) -> dict[str, str]:
    status = "draft" if row.status is Status.DRAFT else row.status.value
    return {"title": "Preview",
            "text": f"This is a preview of questionnaire version {row.version} ({status}). Nothing you choose or "
                    "write here is saved or sent, and each page starts empty."}


@bp.route("/<int:version_id>/preview", defaults={"audience": "rater", "page": "start"})
@bp.route("/<int:version_id>/preview/<audience>/<page>")
@roles(Role.ADMIN)
def preview(version_id: int, audience: str, page: str):  # type: ignore[no-untyped-def]
    row = _version(version_id)
    questionnaire = _content(row)
    pages = _pages(audience, len(questionnaire.areas))
    if page not in pages and not (audience == "rater" and page == "decline"):
        abort(404)
    here = pages.index(page) if page in pages else 0
    links = [(p, _page_label(p, questionnaire), url_for("questionnaires.preview", version_id=row.id,
                                                                   audience=audience, page=p)) for p in pages]
    return render_template("questionnaires/preview.html", row=row, audience=audience, audiences=AUDIENCES,
                           page=page, links=links, previous=links[here - 1] if here > 0 else None,
                           next=links[here + 1] if here + 1 < len(links) else None,
                           label=_page_label(page, questionnaire), banner=_banner(row),
                           frame=url_for("questionnaires.preview_frame", version_id=row.id, audience=audience,
                                         page=page))


@bp.route("/<int:version_id>/preview/<audience>/<page>/frame", methods=["GET", "POST"])
@roles(Role.ADMIN)
def preview_frame(version_id: int, audience: str, page: str):  # type: ignore[no-untyped-def]
    """One page of the survey as its audience sees it, inside the preview's phone-width frame or on its own."""
    row = _version(version_id)
    questionnaire = _content(row)
    if page not in _pages(audience, len(questionnaire.areas)) and not (audience == "rater" and page == "decline"):
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    survey_url = _survey_url(row, audience)
    context = {"questionnaire": questionnaire, "preview": _banner(row), "survey_url": survey_url, "form": form,
               "owner": SampleOwner()}
    rater = audience == "rater"
    if page.isdigit():
        result = _area_page(questionnaire, int(page), rater, survey_url, context)
    elif page == "comments":
        result = _comments_page(questionnaire, survey_url, context)
    elif page == "check" or request.method == "POST":  # a preview sends nothing: a submit shows the page again
        result = _check_page(questionnaire, page, rater, survey_url, context)
    else:
        result = render_template(f"surveys/rater/{page}.html", category=Category.PEER, has_draft=False,
                                 resume_at=None, purge_days=current_user.organisation.rater_purge_days, **context)
    response = make_response(result)
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors="'self'")
    return response


def _area_page(questionnaire: Questionnaire, number: int, rater: bool, survey_url: Callable[..., str],
               context: dict[str, Any]) -> Any:
    """The self-assessment's or rater's area page, checked as theirs is (surveys/views), and kept nowhere."""
    area = questionnaire.areas[number - 1]
    wording = "rater_text" if rater else "self_text"
    fields = [field_name(s.key) for s in area_statements(area)]
    changing = changing_at(request.args.get("change"), fields)
    page = "rater_area" if rater else "self_area"
    check = survey_url("rater_check" if rater else "self_check")
    answers: dict[str, int | str] = {}
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        answers = read_area(area, request.form, allow_not_able=rater)
        if request.form.get("action") == "save":
            flash("This is a preview: nothing has been saved.")
            return redirect(survey_url(page, number=number))
        missing = unanswered(area_statements(area), answers)
        if not missing:
            if changing:
                return redirect(f"{check}#check-{changing}")
            last = number == len(questionnaire.areas)
            return redirect(survey_url(page, number=number + 1) if not last
                            else survey_url("rater_comments") if rater else check)
        errors = [{"text": missing_answer(getattr(s, wording)), "href": f"#{field_name(s.key)}"} for s in missing]
    first = survey_url("rater_start") if rater else survey_url("dashboard")
    back = check if changing else survey_url(page, number=number - 1) if number > 1 else first
    return render_template("surveys/answer_area.html", area=area, number=number, total=len(questionnaire.areas),
                           answers=answers, errors=errors, read_only=False, rater=rater, wording=wording,
                           changing=changing, back=back, **context)


def _comments_page(questionnaire: Questionnaire, survey_url: Callable[..., str], context: dict[str, Any]) -> Any:
    comments: dict[str, str] = {}
    changing = changing_at(request.args.get("change"), [f"q-{q.key}" for q in questionnaire.open_questions])
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        comments, too_long = read_comments(questionnaire, request.form)
        texts = {q.key: q.text for q in questionnaire.open_questions}
        errors = [{"text": too_long_comment(texts[key]), "href": f"#q-{key}"} for key in too_long]
        if not errors:
            if request.form.get("action") == "save":
                flash("This is a preview: nothing has been saved.")
                return redirect(survey_url("rater_comments"))
            check = survey_url("rater_check")
            return redirect(f"{check}#check-{changing}" if changing else check)
    return render_template("surveys/rater/comments.html", comments=comments, errors=errors,
                           too_long=[e["href"][3:] for e in errors], limit=MAX_COMMENT_LENGTH, changing=changing,
                           too_long_comment=too_long_comment, **context)


def _check_page(questionnaire: Questionnaire, page: str, rater: bool, survey_url: Callable[..., str],
                context: dict[str, Any]) -> Any:
    """The check page; a submit on it, or on the start or decline page, is only told that nothing was sent."""
    if request.method == "POST":
        flash("This is a preview: nothing has been sent.")
        return redirect(survey_url("rater_start") if page == "decline" else request.path)
    incomplete = first_incomplete_area(questionnaire, {})
    if rater:
        return render_template("surveys/rater/check.html", answers={}, comments={}, incomplete=incomplete,
                               error=None, **context)
    return render_template("surveys/self_check.html", cycle=None, answers={}, incomplete=incomplete,
                           submitted=False, **context)


# --- Compare and declare what carries over ------------------------------------------------------------------------


def _versions() -> list[ContentVersion]:
    return list(db.session.scalars(sa.select(ContentVersion).where(ContentVersion.kind == KIND)
                                   .order_by(ContentVersion.created_at.desc(), ContentVersion.id.desc())))


def _pair(versions: list[ContentVersion]) -> tuple[ContentVersion | None, ContentVersion | None]:
    """The two versions asked for, or by default the version new rounds get against the newest other."""
    by_id = {row.id: row for row in versions}
    older, newer = by_id.get(request.args.get("older", type=int) or 0), by_id.get(
        request.args.get("newer", type=int) or 0)
    if older is None and newer is None and len(versions) > 1:
        from surveys.questionnaire_store import chosen_version

        chosen = next((row for row in versions if row.version == chosen_version(KIND)), versions[-1])
        newer = next(row for row in versions if row is not chosen)
        older = chosen
    return older, newer


def carry_field(key: str) -> str:
    return "carry-" + key.replace(".", "-")


def _compare_page(versions: list[ContentVersion], older: ContentVersion | None, newer: ContentVersion | None,
                  chosen: Mapping[str, str | None] | None = None, problems: Mapping[str, str] | None = None,
                  status: int = 200) -> Any:
    context: dict[str, Any] = {"versions": versions, "older": older, "newer": newer, "carry_field": carry_field,
                               "errors": [{"text": text, "href": f"#{carry_field(key)}"}
                                          for key, text in (problems or {}).items()], "problems": problems or {}}
    if older is not None and newer is not None and older.id != newer.id:
        old_q, new_q = _content(older), _content(newer)
        declared = carry_over.declared(older.version, newer.version)
        default = rules.default_carry_over(old_q, new_q)
        context |= {"comparison": rules.compare(old_q, new_q), "old_q": old_q, "new_q": new_q,
                    "refusal": rules.refusal_to_declare(older.status is Status.DRAFT, newer.status is Status.DRAFT,
                                                        False),
                    "declared_at": carry_over.declared_at(older.version, newer.version),
                    "chosen": chosen if chosen is not None else declared if declared is not None else default,
                    "form": ConfirmForm()}
    return render_template("questionnaires/compare.html", **context), status


@bp.route("/compare")
@roles(Role.ADMIN)
def compare():  # type: ignore[no-untyped-def]
    versions = _versions()
    older, newer = _pair(versions)
    return _compare_page(versions, older, newer)


@bp.route("/compare/<int:older_id>/<int:newer_id>/carry-over", methods=["POST"])
@roles(Role.ADMIN)
def declare_carry_over(older_id: int, newer_id: int):  # type: ignore[no-untyped-def]
    older, newer = _version(older_id), _version(newer_id)
    back = url_for("questionnaires.compare", older=older.id, newer=newer.id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal = rules.refusal_to_declare(older.status is Status.DRAFT, newer.status is Status.DRAFT,
                                       older.id == newer.id)
    if refusal:
        flash(refusal)
        return redirect(back)
    older_keys = _content(older).statement_keys()
    chosen = {key: (request.form.get(carry_field(key)) or None) for key in older_keys}
    chosen = {key: None if target == "none" else target for key, target in chosen.items()}
    problems = rules.carry_over_problems(chosen, older_keys, set(_content(newer).statement_keys()))
    if problems:
        return _compare_page(_versions(), older, newer, chosen, problems)
    carry_over.declare(older, newer, chosen, current_user)
    unit.commit()
    count = sum(target is not None for target in chosen.values())
    flash(f"Saved: {count} of {len(chosen)} statements of version {older.version} carry over to version "
          f"{newer.version}. Reports built from now on compare figures only through them.")
    return redirect(f"{back}#carry-over")
