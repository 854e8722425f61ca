"""The radios of one statement on an answer page (a rater's or the owner's self-assessment), by the NHS.UK macro.

A page asks for nine or more of these; building each one's params in the template (seven items, each a dict) cost
more than the cached macro call itself. Here the cache key is a handful of plain values, and the params are built
only the first time a combination is seen. The params are exactly what answer_area.html used to build
(tests/surveys/test_statement_radios.py renders both ways and compares).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from flask import current_app
from markupsafe import Markup

from surveys.answers import field_name, missing_answer
from surveys.questionnaire import NOT_ABLE_TO_SAY, Questionnaire, Statement


def statement_radios(questionnaire: Questionnaire, statement: Statement, wording: str, current: Any,
                     missing: bool, read_only: bool, rater: bool) -> Markup:
    """`current` is the answer saved so far (None if none); `missing` asks for the "Choose an answer" error."""
    return statements_radios(questionnaire, [(statement, current, missing)], wording, read_only, rater)[0]


def statements_radios(questionnaire: Questionnaire, statements: Iterable[tuple[Statement, Any, bool]], wording: str,
                      read_only: bool, rater: bool) -> list[Markup]:
    """The radios of each (statement, answer saved so far, whether to ask for the missing answer), as
    `statement_radios` gives them; what every statement of the page shares in its key is worked out once.
    The scale's labels and the "not able to say" wording are in the key with the version: a published version never
    changes, but a draft's number can come back with other words (an administrator's preview shows drafts)."""
    shared = (questionnaire.version, tuple(point.label for point in questionnaire.scale),
              questionnaire.not_able_to_say)
    components = current_app.jinja_env.globals["memoized_component"]
    out = []
    for statement, current, missing in statements:
        text = getattr(statement, wording)
        key = ("statement", *shared, statement.key, text, None if current is None else str(current),
               current == NOT_ABLE_TO_SAY, bool(missing), bool(read_only), bool(rater))
        out.append(components.fragment(key, "radios", partial(
            radios_params, questionnaire, statement.key, text, current, bool(missing), read_only, rater)))
    return out


def radios_params(questionnaire: Questionnaire, key: str, text: str, current: Any, missing: bool, read_only: bool,
                  rater: bool) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"value": str(point.value), "text": point.label,
         "checked": current is not None and str(current) == str(point.value), "disabled": read_only}
        for point in questionnaire.scale]
    if rater:
        items.append({"divider": "or"})
        items.append({"value": NOT_ABLE_TO_SAY, "text": questionnaire.not_able_to_say,
                      "checked": current == NOT_ABLE_TO_SAY})
    params: dict[str, Any] = {
        "idPrefix": field_name(key), "name": field_name(key), "small": True,
        "fieldset": {"legend": {"text": text, "classes": "nhsuk-fieldset__legend--s"}},
        "items": items,
    }
    if missing:
        params["errorMessage"] = {"text": missing_answer(text)}
    return params
