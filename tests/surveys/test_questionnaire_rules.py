"""The rules for uploaded versions, as pure functions: whatever draft the checker accepts renders for the owner and
for a rater and seals within the fixed size; whatever it refuses, it refuses with a line of the file."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask import Flask, render_template
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from app import create_app
from app.models import User
from surveys import sealed
from surveys.answers import MAX_COMMENT_LENGTH
from surveys.questionnaire import AREAS, QUESTIONNAIRES_DIR, Questionnaire
from surveys.questionnaire_rules import (
    Status,
    UploadError,
    check_questionnaire,
    line_of,
    refusal_to_choose,
    refusal_to_discard,
    refusal_to_publish,
    refusal_to_retire,
)

SHIPPED = yaml.safe_load((QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8"))
TAKEN = ["2026.1"]


@pytest.fixture(scope="module")
def render_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("render") / "x.sqlite3"
    yield create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


# Words a statement may be made of: letters, digits, punctuation, and characters HTML and YAML treat specially.
_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                 min_size=1, max_size=120).map(str.strip).filter(bool)


@st.composite
def statement(draw: st.DrawFn, key: str, broken: bool) -> dict[str, Any]:
    what = draw(_words)
    titles = ["Keeps learning", "Listens well", "X"] + (["I do this", "Ends with a stop.", "x" * 61] if broken else [])
    return {"key": key, "title": draw(st.sampled_from(titles)),
            "self": draw(st.sampled_from(["I ", "We "] if broken else ["I "])) + what,
            "rater": draw(st.sampled_from(["This person ", "They "] if broken else ["This person "])) + what}


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any]:
    """A file as a team might write one: the shipped one with sub-areas of any wording; one in four may also break
    the rules anywhere (3 or 6 statements, wrong wording, a taken or malformed version)."""
    broken = draw(st.booleans().map(lambda b: b and draw(st.booleans())))
    data = copy.deepcopy(SHIPPED)
    data["version"] = draw(st.sampled_from(["2027.1", "2027.12", "2026.1", "27.1"] if broken else ["2027.1"]))
    for area in data["areas"]:
        for sub in area["sub_areas"]:
            count = draw(st.integers(min_value=3, max_value=6) if broken else st.integers(min_value=4, max_value=5))
            sub["statements"] = [draw(statement(f"{area['key']}.{sub['key']}.{n}", broken))
                                 for n in range(1, count + 1)]
    data["open_questions"][0]["text"] = draw(_words)
    return data


def _render(app: Flask, questionnaire: Questionnaire, rater: bool) -> str:
    pages = []
    with app.test_request_context("/round/self/1"):
        for number, area in enumerate(questionnaire.areas, start=1):
            pages.append(render_template(
                "surveys/answer_area.html", area=area, number=number, total=len(questionnaire.areas), answers={},
                errors=[], form=None, read_only=False, rater=rater, token="t", questionnaire=questionnaire,
                wording="rater_text" if rater else "self_text", owner=User(name="Olu Owner"), back="/back"))
    return "".join(pages)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=drafts())
def test_an_accepted_draft_renders_for_both_audiences_and_seals_within_the_fixed_size(render_app: Flask,
                                                                                      data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    try:
        questionnaire = check_questionnaire(text, TAKEN)
    except UploadError as error:
        assert error.problems
        assert all(problem.line is not None and 1 <= problem.line <= text.count("\n") + 1
                   for problem in error.problems), error
        return
    assert [area.key for area in questionnaire.areas] == list(AREAS)
    for rater in (False, True):
        page = html.unescape(re.sub(r"\s+", " ", _render(render_app, questionnaire, rater)))
        for item in questionnaire.statements():
            assert re.sub(r"\s+", " ", item.rater_text if rater else item.self_text) in page
    worst = {"category": "direct_report", "answers": {s.key: "n" for s in questionnaire.statements()},
             "comments": {q.key: "\U0001f600" * MAX_COMMENT_LENGTH for q in questionnaire.open_questions}}
    size = sealed.padded_size(questionnaire)
    assert len(sealed.pad(worst, size).encode()) == size <= sealed.MAX_PADDED_BYTES


def test_the_drafts_the_property_draws_include_accepted_ones() -> None:
    """A checker that refused everything would pass the property vacuously."""
    def accepted(data: dict[str, Any]) -> bool:
        try:
            check_questionnaire(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), TAKEN)
        except UploadError:
            return False
        return True

    assert accepted(find(drafts(), accepted, settings=settings(max_examples=50, database=None)))


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(min_value=4, max_value=5), min_size=8, max_size=8))
def test_four_or_five_statements_in_every_sub_area_are_accepted(counts: list[int]) -> None:
    """The checker is not vacuous: well-formed drafts of every allowed shape pass."""
    data = copy.deepcopy(SHIPPED)
    data["version"] = "2027.1"
    subs = [sub for area in data["areas"] for sub in area["sub_areas"]]
    for sub, count in zip(subs, counts, strict=True):
        first = sub["statements"][0]
        sub["statements"] = [{**first, "key": first["key"][:-1] + str(n)} for n in range(1, count + 1)]
    questionnaire = check_questionnaire(yaml.safe_dump(data, sort_keys=False), TAKEN)
    assert len(questionnaire.statements()) == sum(counts)


def test_a_line_is_the_key_of_a_mapping_entry_or_the_start_of_a_list_item() -> None:
    text = "a: 1\nb:\n  - x: 1\n  - x: 2\n    y: [3]\n"
    assert line_of(text, ("b",)) == 2
    assert line_of(text, ("b", 1)) == 4
    assert line_of(text, ("b", 1, "y")) == 5
    assert line_of(text, ("b", 7, "y")) == 2  # as deep as the file goes
    assert line_of(text, ()) == 1
    assert line_of("a: [", ("a",)) is None


def test_a_version_goes_draft_published_retired_and_never_back() -> None:
    assert refusal_to_publish(Status.DRAFT) is None
    assert refusal_to_publish(Status.PUBLISHED) and refusal_to_publish(Status.RETIRED)
    assert refusal_to_choose(Status.PUBLISHED) is None
    assert refusal_to_choose(Status.DRAFT) and refusal_to_choose(Status.RETIRED)
    assert refusal_to_retire(Status.PUBLISHED, is_chosen=False) is None
    assert refusal_to_retire(Status.PUBLISHED, is_chosen=True)
    assert refusal_to_retire(Status.DRAFT, is_chosen=False) and refusal_to_retire(Status.RETIRED, is_chosen=False)
    assert refusal_to_discard(Status.DRAFT) is None
    assert refusal_to_discard(Status.PUBLISHED) and refusal_to_discard(Status.RETIRED)
