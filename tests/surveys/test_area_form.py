"""An answer page's form (surveys/area_form.py) is the document answer_area.html's own loop wrote, before it was
rendered once with holes for the CSRF field and the radios: for raters and owners, with and without errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup

from app import create_app
from surveys.area_form import area_form
from surveys.questionnaire import load_version
from tests.app.test_rendering import _document, _some_answers

VERSION = "2026.1"

# What answer_area.html did, word for word.
REFERENCE = """{% from "nhsuk/components/button/macro.jinja" import button %}
    <form method="post" novalidate>
      {% if form %}{{ form }}{% endif %}
      {% for sub in area.sub_areas %}
        <h2 class="nhsuk-heading-m">{{ sub.title }}</h2>
        {% for statement in sub.statements %}
          {% set current = answers.get(statement.key) %}
          <div id="{{ field_name(statement.key) }}-question" class="app-question">
          {{ statement_radios(questionnaire, statement, wording, current, errors and current is none, read_only, rater) }}
          </div>
        {% endfor %}
      {% endfor %}
      <div class="nhsuk-button-group">
        {{ button({"text": "Save and continue", "name": "action", "value": "continue"}) }}
        {{ button({"text": "Save and come back later", "name": "action", "value": "save", "variant": "secondary"}) }}
      </div>
    </form>"""  # noqa: E501


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('f')}/x.sqlite3"})


@pytest.mark.parametrize("rater", [True, False])
@pytest.mark.parametrize("errors", [[], [{"text": "Choose an answer", "href": "#x"}]])
@pytest.mark.parametrize("answers", [{}, _some_answers()])
def test_the_form_is_the_document_the_loop_wrote(app: Flask, rater: bool, errors: list[Any],
                                                answers: dict[str, Any]) -> None:
    questionnaire = load_version(VERSION)
    wording = "rater_text" if rater else "self_text"
    csrf = "" if rater else Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="per-session">')
    with app.test_request_context("/feedback/area/2"):
        for area in questionnaire.areas:
            expected = render_template_string(REFERENCE, questionnaire=questionnaire, area=area, answers=answers,
                                              errors=errors, read_only=False, rater=rater, wording=wording, form=csrf)
            for _ in range(2):  # rendered with holes, then from the cache
                html = area_form(questionnaire, area, wording, answers, errors, False, rater, csrf)
                assert _document(html.strip()) == _document(expected.strip())
        kept = repr(list(app.jinja_env.globals["memoized_component"]._entries.items()))
    assert "per-session" not in kept  # the CSRF field is a hole, never kept
