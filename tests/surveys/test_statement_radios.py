"""The radios of a statement come out exactly as the NHS.UK macro writes them from the params answer_area.html
built before surveys/statement_radios.py took over (the template's own code, kept here as the reference)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask

from app import create_app
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version
from surveys.statement_radios import statement_radios

# What answer_area.html did for each statement, word for word.
REFERENCE = """{% from "nhsuk/components/radios/macro.jinja" import radios %}
          {% set name = field_name(statement.key) %}
          {% set items = [] %}
          {% for point in questionnaire.scale %}
            {% set _ = items.append({"value": point.value|string, "text": point.label,
                                     "checked": current is not none and current|string == point.value|string,
                                     "disabled": read_only}) %}
          {% endfor %}
          {% if rater %}
            {% set _ = items.append({"divider": "or"}) %}
            {% set _ = items.append({"value": NOT_ABLE_TO_SAY, "text": questionnaire.not_able_to_say,
                                     "checked": current == NOT_ABLE_TO_SAY}) %}
          {% endif %}
          {{ radios({
            "idPrefix": name, "name": name, "small": true,
            "fieldset": {"legend": {"text": statement[wording], "classes": "nhsuk-fieldset__legend--s"}},
            "items": items,
            "errorMessage": {"text": "Choose an answer for “" ~ statement[wording] ~ "”"} if missing else undefined
          }) }}"""


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The macros as the design system ships them: no memoizing anywhere."""
    database = tmp_path_factory.mktemp("plain") / "x.sqlite3"
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "TEMPLATE_MEMOIZE": False})


CASES = list(itertools.product([None, 1, 3, 5, NOT_ABLE_TO_SAY], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize(("current", "missing", "read_only", "rater"), CASES)
def test_each_combination_is_the_macros_own_html(app: Flask, plain: Flask, current: Any, missing: bool,
                                                 read_only: bool, rater: bool) -> None:
    from surveys.answers import field_name

    questionnaire = load_version("2026.1")
    statement = questionnaire.areas[2].sub_areas[0].statements[1]
    wording = "rater_text" if rater else "self_text"
    with plain.test_request_context("/"):
        expected = plain.jinja_env.from_string(REFERENCE).render(
            field_name=field_name, NOT_ABLE_TO_SAY=NOT_ABLE_TO_SAY, questionnaire=questionnaire,
            statement=statement, wording=wording, current=current, missing=missing, read_only=read_only,
            rater=rater).strip()
    with app.test_request_context("/"):
        for _ in range(2):  # the first time the macro runs, the second comes from the cache
            got = statement_radios(questionnaire, statement, wording, current, missing, read_only, rater)
            assert got.strip() == expected
    assert (' checked' in expected) == (current is not None and (rater or current != NOT_ABLE_TO_SAY))
    assert ("Choose an answer for" in expected) == missing
