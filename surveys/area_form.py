"""The form of an answer page (a rater's, or the owner's self-assessment): a heading per sub-area and each
statement's radios, then the two buttons.

Around the radios, the form depends only on the area's sub-area titles and statement keys, so it is rendered once by
its macro (surveys/area_form.html) with holes for the CSRF field and for each statement's radios, and kept
(app/rendering.py, 4.); each page fills the holes with its own (the radios from their own cache,
surveys/statement_radios.py). The template's loop over nine statements was half of the page's own rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from markupsafe import Markup

from app.rendering import fill, holes, split_at_holes
from surveys.answers import field_name
from surveys.questionnaire import Area, Questionnaire
from surveys.statement_radios import statements_radios

TEMPLATE = "surveys/area_form.html"


def area_form(questionnaire: Questionnaire, area: Area, wording: str, answers: Mapping[str, Any], errors: Any,
              read_only: bool, rater: bool, csrf_field: Any = "") -> Markup:
    """`errors`: the page's error summary; when it has any, each statement left unanswered says so at its radios."""
    missing = bool(errors)
    shape = tuple((sub.title, tuple(statement.key for statement in sub.statements)) for sub in area.sub_areas)
    components = current_app.jinja_env.globals["memoized_component"]
    pieces = components.cached(("area form", shape), lambda: _pieces(shape))
    statements = [(statement, answers.get(statement.key)) for sub in area.sub_areas for statement in sub.statements]
    radios = statements_radios(questionnaire, [(statement, current, missing and current is None)
                                               for statement, current in statements], wording, read_only, rater)
    return fill(pieces, [csrf_field, *radios])


def _pieces(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[Markup, ...]:
    count = 1 + sum(len(keys) for _title, keys in shape)
    markers = iter(holes(count))
    csrf_field = next(markers)
    subs = [(title, [(field_name(key), next(markers)) for key in keys]) for title, keys in shape]
    macro = current_app.jinja_env.get_template(TEMPLATE).module.area_form  # type: ignore[attr-defined]
    return split_at_holes(macro(subs, csrf_field), count)
