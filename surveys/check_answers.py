"""The rater's check page lists every statement with its answer and a link to change it, then the rater's comments
(PRODUCT §3.3).

Thirty-six rows of the same markup around one answer each were four fifths of the page's rendering. Around the
answers and comments, the list depends only on the questionnaire's wording and the addresses of its pages, so it is
rendered once by its macro (surveys/rater/check_answers.html) with a hole for each answer and each comment, and kept
(app/rendering.py, 4.); each page fills the holes with the rater's answers and words. The key is everything the macro
reads besides the holes, so a draft questionnaire's preview with other words, or another address, is rendered
afresh; no answer or comment is ever kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, has_request_context, request
from markupsafe import Markup, escape

from app.rendering import fill, holes, split_at_holes
from surveys.answers import area_statements, field_name
from surveys.questionnaire import NOT_ABLE_TO_SAY, Questionnaire

TEMPLATE = "surveys/rater/check_answers.html"
NOT_ANSWERED = "Not answered"
NO_COMMENT = "None"

# Each area's title and its statements' keys and wording; each open question's key and wording.
Areas = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
Questions = tuple[tuple[str, str], ...]


def answer_labels(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Markup]:
    """Each statement's answer as the check page words it: the scale's label, "not able to say", or not answered.
    Each wording is escaped once here, as HTML (Markup), not once for every statement that has it."""
    labels: dict[Any, Markup] = {NOT_ABLE_TO_SAY: escape(questionnaire.not_able_to_say)}
    labels.update((point.value, escape(point.label)) for point in questionnaire.scale)
    not_answered = escape(NOT_ANSWERED)
    return {key: labels.get(answers.get(key), not_answered) for key in questionnaire.statement_keys()}


def check_list(questionnaire: Questionnaire, answers: Mapping[str, Any], comments: Mapping[str, str],
               link: Callable[..., str]) -> Markup:
    """Every area's statements with the rater's answers, then the open questions with the rater's comments. `link`
    makes the pages' addresses: the survey's own (`survey_url`), or a preview's."""
    from surveys.views import survey_url  # here: that module imports this one

    areas: Areas = tuple((area.title, tuple((s.key, s.rater_text) for s in area_statements(area)))
                         for area in questionnaire.areas)
    questions: Questions = tuple((q.key, q.text) for q in questionnaire.open_questions)
    if link is survey_url and has_request_context():
        components = current_app.jinja_env.globals["memoized_component"]
        pieces = components.cached(("check list", request.script_root, areas, questions),
                                   lambda: _pieces(areas, questions, link))
    else:  # a preview's addresses follow from its own request: rendered afresh, and its link function never kept
        pieces = _pieces(areas, questions, link)
    labels = answer_labels(questionnaire, answers)
    return fill(pieces, [*(labels[key] for _title, texts in areas for key, _text in texts),
                         *(comments.get(key) or NO_COMMENT for key, _text in questions)])


def _pieces(areas: Areas, questions: Questions, link: Callable[..., str]) -> tuple[Markup, ...]:
    count = sum(len(texts) for _title, texts in areas) + len(questions)
    markers = iter(holes(count))
    area_rows = [(title, link("rater_area", number=number), [(field_name(key), text, next(markers))
                                                              for key, text in texts])
                 for number, (title, texts) in enumerate(areas, start=1)]
    question_rows = [(key, text, link("rater_comments", change=f"q-{key}"), next(markers)) for key, text in questions]
    macro = current_app.jinja_env.get_template(TEMPLATE).module.check_list  # type: ignore[attr-defined]
    return split_at_holes(macro(area_rows, question_rows), count)
