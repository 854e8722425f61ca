"""The rater's check page lists every statement with its answer and a link to change it (PRODUCT §3.3).

Thirty-six rows of the same markup around one answer each were four fifths of the page's rendering. Around the
answers, an area's list depends only on its statements and the address of its page, so it is rendered once by its
macro (surveys/rater/check_answers.html) with a hole for each answer, and kept (app/rendering.py, 4.); each page
fills the holes with the rater's answers. The key is everything the macro reads besides the answers, so a draft
questionnaire's preview with other words, or another address, is rendered afresh; no answer is ever kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from app.rendering import fill, holes, split_at_holes
from surveys.answers import area_statements, field_name
from surveys.questionnaire import NOT_ABLE_TO_SAY, Area, Questionnaire

TEMPLATE = "surveys/rater/check_answers.html"
NOT_ANSWERED = "Not answered"


def answer_labels(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Markup]:
    """Each statement's answer as the check page words it: the scale's label, "not able to say", or not answered.
    Each wording is escaped once here, as HTML (Markup), not once for every statement that has it."""
    labels: dict[Any, Markup] = {NOT_ABLE_TO_SAY: escape(questionnaire.not_able_to_say)}
    labels.update((point.value, escape(point.label)) for point in questionnaire.scale)
    not_answered = escape(NOT_ANSWERED)
    return {key: labels.get(answers.get(key), not_answered) for key in questionnaire.statement_keys()}


def area_answers(area: Area, area_url: str, labels: Mapping[str, str]) -> Markup:
    """One area's list of statements with the rater's answers (`labels`, from `answer_labels`)."""
    statements = area_statements(area)
    texts = tuple((statement.key, statement.rater_text) for statement in statements)
    components = current_app.jinja_env.globals["memoized_component"]
    pieces = components.cached(("check answers", area_url, texts), lambda: _pieces(texts, area_url))
    return fill(pieces, (labels[key] for key, _text in texts))


def _pieces(texts: tuple[tuple[str, str], ...], area_url: str) -> tuple[Markup, ...]:
    markers = holes(len(texts))
    rows = [(field_name(key), text, marker) for (key, text), marker in zip(texts, markers, strict=True)]
    macro = current_app.jinja_env.get_template(TEMPLATE).module.area_answers  # type: ignore[attr-defined]
    return split_at_holes(macro(rows, area_url), len(texts))
