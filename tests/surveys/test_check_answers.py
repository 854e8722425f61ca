"""The check page's list of answers and comments (surveys/check_answers.py) is what check.html's own loops wrote
before it was rendered once with holes for the answers and comments: the same document, every answer and comment
escaped, and none ever kept."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask, render_template_string

from app import create_app
from surveys.answers import field_name
from surveys.check_answers import NOT_ANSWERED, answer_labels, check_list
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version
from surveys.views import survey_url
from tests.app.test_rendering import _document

VERSION = "2026.1"

# What check.html did, word for word (its lines are the template's).
REFERENCE = """{% set labels = {"n": questionnaire.not_able_to_say} %}{% for p in questionnaire.scale %}{% set _ = labels.update({p.value: p.label}) %}{% endfor %}
{% for area in questionnaire.areas %}
  <h2 class="nhsuk-heading-m">{{ area.title }}</h2>
  <dl class="nhsuk-summary-list">
  {% set area_url = survey_url('rater_area', number=loop.index) %}
  {% for sub in area.sub_areas %}{% for statement in sub.statements %}
    {% set name = field_name(statement.key) %}
    <div class="nhsuk-summary-list__row" id="check-{{ name }}">
      <dt class="nhsuk-summary-list__key">{{ statement.rater_text }}</dt>
      <dd class="nhsuk-summary-list__value">{{ labels.get(answers.get(statement.key), "Not answered") }}</dd>
      <dd class="nhsuk-summary-list__actions">{#- -#}
      <a href="{{ area_url }}?change={{ name|urlencode }}#{{ name }}-question">Change<span class="nhsuk-u-visually-hidden"> your answer to “{{ statement.rater_text }}”</span></a></dd>
    </div>
  {% endfor %}{% endfor %}
  </dl>
{% endfor %}
<h2 class="nhsuk-heading-m">Your comments</h2>
<dl class="nhsuk-summary-list">
  {% for q in questionnaire.open_questions %}
  <div class="nhsuk-summary-list__row" id="check-q-{{ q.key }}">
    <dt class="nhsuk-summary-list__key">{{ q.text }}</dt>
    <dd class="nhsuk-summary-list__value app-mail">{{ comments.get(q.key) or "None" }}</dd>
    <dd class="nhsuk-summary-list__actions"><a href="{{ survey_url('rater_comments', change='q-' ~ q.key) }}#q-{{ q.key }}">Change<span class="nhsuk-u-visually-hidden"> your answer to “{{ q.text }}”</span></a></dd>
  </div>
  {% endfor %}
</dl>"""  # noqa: E501


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('c')}/x.sqlite3"})


def _answers(pattern: list[Any]) -> dict[str, Any]:
    keys = load_version(VERSION).statement_keys()
    return {key: value for key, value in zip(keys, itertools.cycle(pattern), strict=False) if value is not None}


def _preview_url(endpoint: str, **values: Any) -> str:
    """A preview's own addresses (surveys/questionnaire_compare.py makes one such function for each request)."""
    return f"/preview/{endpoint}" + "".join(f"/{value}" for value in values.values())


COMMENTS = [{}, {"strengths": "Kind & <b>quick</b>", "develop": "  ", "other": ""}]


@pytest.mark.parametrize(("pattern", "comments"), list(itertools.product(
    [[None], [1, 2, 3, 4, 5], [NOT_ABLE_TO_SAY, None, 3], [5, "7", 0, True]], COMMENTS)))
def test_the_list_is_the_document_the_loops_wrote(app: Flask, pattern: list[Any], comments: dict[str, str]) -> None:
    questionnaire, answers = load_version(VERSION), _answers(pattern)
    with app.test_request_context("/feedback/check"):
        for link in (survey_url, _preview_url):
            expected = render_template_string(REFERENCE, questionnaire=questionnaire, answers=answers,
                                              comments=comments, survey_url=link, field_name=field_name)
            for _ in range(2):  # rendered with holes, then from the cache
                html = check_list(questionnaire, answers, comments, link)
                assert _document(html.strip()) == _document(expected.strip())


def test_answers_and_comments_are_escaped_and_never_kept(app: Flask) -> None:
    questionnaire = load_version(VERSION)
    answers = dict.fromkeys(questionnaire.statement_keys(), 3)
    comments = {q.key: f"<b>Mine & only mine {q.key}</b>" for q in questionnaire.open_questions}
    with app.test_request_context("/feedback/check"):
        components = app.jinja_env.globals["memoized_component"]
        html = check_list(questionnaire, answers, comments, survey_url)
        check_list(questionnaire, answers, comments, _preview_url)
        kept = repr(list(components._entries.items()))
    assert "&lt;b&gt;Mine &amp; only mine" in html and "<b>Mine" not in html
    assert "Mine" not in kept and "_preview_url" not in kept and "/preview/" not in kept


def test_other_words_or_another_address_are_rendered_afresh(app: Flask) -> None:
    questionnaire = load_version(VERSION)
    area = questionnaire.areas[0]
    first = area.sub_areas[0].statements[0]
    reworded_area = area.model_copy(update={"sub_areas": (area.sub_areas[0].model_copy(update={"statements": (
        first.model_copy(update={"rater_text": "Reworded in a draft"}), *area.sub_areas[0].statements[1:])}),
        *area.sub_areas[1:])})
    reworded = questionnaire.model_copy(update={"areas": (reworded_area, *questionnaire.areas[1:])})
    with app.test_request_context("/feedback/check"):
        plain = check_list(questionnaire, {}, {}, survey_url)
        assert "Reworded in a draft" in check_list(reworded, {}, {}, survey_url)
        assert "/preview/rater_area/1?change=" in check_list(questionnaire, {}, {}, _preview_url)
        assert check_list(questionnaire, {}, {}, survey_url) == plain
    with app.test_request_context("/feedback/check", base_url="http://localhost/mounted"):
        assert 'href="/mounted/feedback/area/1?change=' in check_list(questionnaire, {}, {}, survey_url)


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
    with app.test_request_context("/feedback/check"):
        html = check_list(odd, {keys[0]: odd.scale[0].value, keys[1]: NOT_ABLE_TO_SAY}, {}, survey_url)
    assert "Agree &lt;b&gt;&amp;&lt;/b&gt;" in html and "Can&#39;t &lt;say&gt;" in html and "&amp;lt;" not in html
