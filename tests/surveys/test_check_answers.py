"""The check page's lists of answers (surveys/check_answers.py) are what check.html's own loop wrote before they were
rendered once with holes for the answers: the same document, every answer escaped, and no answer ever kept."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask, render_template_string

from app import create_app
from surveys.answers import field_name
from surveys.check_answers import NOT_ANSWERED, answer_labels, area_answers
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version
from tests.app.test_rendering import _document

VERSION = "2026.1"

# What check.html did for each area, word for word (its lines are the template's).
REFERENCE = """{% set labels = {"n": questionnaire.not_able_to_say} %}{% for p in questionnaire.scale %}{% set _ = labels.update({p.value: p.label}) %}{% endfor %}
  <dl class="nhsuk-summary-list">
  {% for sub in area.sub_areas %}{% for statement in sub.statements %}
    {% set name = field_name(statement.key) %}
    <div class="nhsuk-summary-list__row" id="check-{{ name }}">
      <dt class="nhsuk-summary-list__key">{{ statement.rater_text }}</dt>
      <dd class="nhsuk-summary-list__value">{{ labels.get(answers.get(statement.key), "Not answered") }}</dd>
      <dd class="nhsuk-summary-list__actions">{#- -#}
      <a href="{{ area_url }}?change={{ name|urlencode }}#{{ name }}-question">Change<span class="nhsuk-u-visually-hidden"> your answer to “{{ statement.rater_text }}”</span></a></dd>
    </div>
  {% endfor %}{% endfor %}
  </dl>"""  # noqa: E501


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('c')}/x.sqlite3"})


def _answers(pattern: list[Any]) -> dict[str, Any]:
    keys = load_version(VERSION).statement_keys()
    return {key: value for key, value in zip(keys, itertools.cycle(pattern), strict=False) if value is not None}


@pytest.mark.parametrize("pattern", [[None], [1, 2, 3, 4, 5], [NOT_ABLE_TO_SAY, None, 3], [5, "7", 0, True]])
def test_each_area_is_the_document_the_loop_wrote(app: Flask, pattern: list[Any]) -> None:
    questionnaire, answers = load_version(VERSION), _answers(pattern)
    labels = answer_labels(questionnaire, answers)
    with app.test_request_context("/feedback/check"):
        for number, area in enumerate(questionnaire.areas, start=1):
            area_url = f"/feedback/area/{number}"
            expected = render_template_string(REFERENCE, questionnaire=questionnaire, area=area, answers=answers,
                                              area_url=area_url, field_name=field_name)
            for _ in range(2):  # rendered with holes, then from the cache
                assert _document(area_answers(area, area_url, labels).strip()) == _document(expected.strip())


def test_answers_are_escaped_and_never_kept(app: Flask) -> None:
    questionnaire = load_version(VERSION)
    area = questionnaire.areas[0]
    labels = dict.fromkeys(questionnaire.statement_keys(), "<b>Mine & only mine</b>")
    with app.test_request_context("/feedback/check"):
        html = area_answers(area, "/feedback/area/1", labels)
        components = app.jinja_env.globals["memoized_component"]
        kept = repr(list(components._entries.items()))
    assert "&lt;b&gt;Mine &amp; only mine&lt;/b&gt;" in html and "<b>Mine" not in html
    assert "Mine" not in kept


def test_other_words_or_another_address_are_rendered_afresh(app: Flask) -> None:
    questionnaire = load_version(VERSION)
    area = questionnaire.areas[0]
    first = area.sub_areas[0].statements[0]
    reworded = area.model_copy(update={"sub_areas": (area.sub_areas[0].model_copy(update={"statements": (
        first.model_copy(update={"rater_text": "Reworded in a draft"}), *area.sub_areas[0].statements[1:])}),
        *area.sub_areas[1:])})
    labels = answer_labels(questionnaire, {})
    with app.test_request_context("/feedback/check"):
        plain = area_answers(area, "/feedback/area/1", labels)
        assert "Reworded in a draft" in area_answers(reworded, "/feedback/area/1", labels)
        assert "/preview/area/1?change=" in area_answers(area, "/preview/area/1", labels)
        assert area_answers(area, "/feedback/area/1", labels) == plain


def test_labels_word_each_answer_as_the_page_did() -> None:
    questionnaire = load_version(VERSION)
    keys = questionnaire.statement_keys()
    scale = {point.value: point.label for point in questionnaire.scale}
    labels = answer_labels(questionnaire, {keys[0]: 1, keys[1]: NOT_ABLE_TO_SAY, keys[2]: 99, "unknown": 1})
    assert labels[keys[0]] == scale[1] and labels[keys[1]] == questionnaire.not_able_to_say
    assert labels[keys[2]] == NOT_ANSWERED and labels[keys[3]] == NOT_ANSWERED
    assert set(labels) == set(keys)


def test_a_wording_with_html_in_it_is_escaped_once(app: Flask) -> None:
    questionnaire = load_version(VERSION)
    scale = type(questionnaire.scale)([questionnaire.scale[0].model_copy(update={"label": "Agree <b>&</b>"}),
                                       *questionnaire.scale[1:]])
    odd = questionnaire.model_copy(update={"scale": scale, "not_able_to_say": "Can't <say>"})
    keys = odd.statement_keys()
    labels = answer_labels(odd, {keys[0]: odd.scale[0].value, keys[1]: NOT_ABLE_TO_SAY})
    with app.test_request_context("/feedback/check"):
        html = area_answers(odd.areas[0], "/feedback/area/1", labels)
    assert "Agree &lt;b&gt;&amp;&lt;/b&gt;" in html and "Can&#39;t &lt;say&gt;" in html and "&amp;lt;" not in html
