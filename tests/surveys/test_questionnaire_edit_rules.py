"""The rules of editing a draft questionnaire (surveys/questionnaire_edit_rules.py) and its file
(surveys/questionnaire_yaml.py): any draft the rules accept renders for the owner and for raters, seals within the
fixed size and writes back as a file that reads as the same questionnaire; keys stay stable; a refusal names a
field of the page."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from flask import Flask, render_template
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from facilitator.prompts import PROMPTS_DIR, parse, prompts_yaml
from surveys import questionnaire_edit_rules as rules
from surveys import sealed
from surveys.answers import MAX_COMMENT_LENGTH
from surveys.questionnaire import QUESTIONNAIRES_DIR, Questionnaire, _parse, load_file
from surveys.questionnaire_edit_rules import (
    EditField,
    EditRefused,
    as_data,
    checked,
    key_problems,
    readability,
    removable,
    statement_fields,
    suggested_version,
    with_new_statement,
    with_values,
    with_version,
    without_statement,
)
from surveys.questionnaire_yaml import questionnaire_yaml, scalar

SHIPPED_PATH = QUESTIONNAIRES_DIR / "ccl-2026.1.yaml"
SHIPPED = load_file(SHIPPED_PATH)
WHOLE = [EditField("draft", "Draft", ())]  # a page whose one field takes every problem

# Text as people type it: mostly words, sometimes anything at all (quotes, colons, hashes, accents, emoji, controls).
_WORDS = st.text(st.sampled_from("abcdefghij klmnop qrstuvwxyz,'-"), min_size=1, max_size=60)
_ANY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
_LINE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80)
_TEXT = st.one_of(_WORDS, _ANY, st.sampled_from(["yes", "null", "2026.1", "a: b", "# not a comment", "- x",
                                                 "\"quoted\"", "ŵyn a ŷd", "{x}", "  padded  "]))


@st.composite
def _statement(draw: st.DrawFn, key: str, wild: bool) -> dict[str, str]:
    body = draw(_TEXT if wild else st.one_of(_WORDS, _LINE))
    if not wild:  # one line of any characters, in the shape the rules allow
        title = "Does " + draw(_LINE).strip().rstrip(".")[:40]
        return {"key": key, "title": title, "self": "I " + body, "rater": "This person " + body}
    title = draw(st.one_of(st.just("Does the thing well"), _TEXT))
    return {"key": key, "title": title, "self": draw(st.sampled_from(["I ", "I ", "We "])) + body,
            "rater": draw(st.sampled_from(["This person ", "This person ", "They "])) + body}


@st.composite
def drafts(draw: st.DrawFn, wild: bool = True) -> dict[str, Any]:
    """The shipped questionnaire with statements added and removed at the ends of sub-areas, and words changed;
    `wild` also draws counts and words the rules refuse."""
    data = as_data(SHIPPED)
    text = _TEXT if wild else st.one_of(_WORDS, _LINE)
    for area in data["areas"]:
        if draw(st.booleans()):
            area["summary"] = draw(text)
        for sub in area["sub_areas"]:
            count = draw(st.sampled_from([3, 4, 4, 5, 5, 6] if wild else [4, 5]))
            kept = sub["statements"][:count]
            for index, statement in enumerate(kept):
                if draw(st.integers(0, 4)) == 0:
                    kept[index] = draw(_statement(statement["key"], wild))
            prefix = f"{area['key']}.{sub['key']}"
            added = range(len(kept) + 1, count + 1)
            sub["statements"] = kept + [draw(_statement(f"{prefix}.{n}", wild)) for n in added]
    if draw(st.booleans()):
        data["open_questions"][0]["text"] = draw(text)
    if draw(st.booleans()):
        data["preparation"]["positions"][2]["label"] = draw(text)
    return data


def _accepted(data: dict[str, Any]) -> Questionnaire | None:
    try:
        return checked(data, WHOLE, SHIPPED)
    except EditRefused as refused:
        assert refused.problems and all(problem.field == "draft" for problem in refused.problems)
        return None


def _render_every_page(questionnaire: Questionnaire) -> None:
    owner = SimpleNamespace(name="Sam Owner")
    for rater, wording in ((False, "self_text"), (True, "rater_text")):
        for number, area in enumerate(questionnaire.areas, start=1):
            page = render_template("surveys/answer_area.html", area=area, number=number,
                                   total=len(questionnaire.areas), answers={}, errors=[], form=None,
                                   read_only=False, rater=rater, questionnaire=questionnaire, wording=wording,
                                   owner=owner, changing=None, back="/")
            for sub in area.sub_areas:
                for statement in sub.statements:
                    assert str(escape(getattr(statement, wording))) in page
    comments = render_template("surveys/rater/comments.html", questionnaire=questionnaire, comments={}, errors=[],
                               too_long=[], owner=owner, limit=MAX_COMMENT_LENGTH, changing=None,
                               too_long_comment=lambda text: text)
    for question in questionnaire.open_questions:
        assert str(escape(question.text)) in comments


def _largest_answer(questionnaire: Questionnaire) -> dict[str, Any]:
    """What a rater could send at most: every statement answered, every comment at its limit in characters that
    take the most room once in JSON."""
    return {"category": "direct_report", "answers": dict.fromkeys(questionnaire.statement_keys(), "n"),
            "comments": {q.key: "\U0001d11e" * MAX_COMMENT_LENGTH for q in questionnaire.open_questions}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=drafts(wild=False))
def test_any_draft_the_rules_accept_renders_for_both_audiences_seals_and_writes_back_as_itself(
        app: Flask, data: dict[str, Any]) -> None:
    questionnaire = _accepted(data)
    assume(questionnaire is not None)
    assert questionnaire is not None
    with app.test_request_context("/feedback/area/1"):  # a rater page: the surveys blueprint's helpers apply
        _render_every_page(questionnaire)
    size = sealed.padded_size(questionnaire)
    assert len(sealed.pad(_largest_answer(questionnaire), size).encode()) == size <= sealed.MAX_PADDED_BYTES
    text = questionnaire_yaml(questionnaire)
    assert _parse(text, f"ccl-{questionnaire.version}.yaml") == questionnaire


@settings(max_examples=60, deadline=None)
@given(data=drafts())
def test_the_rules_refuse_exactly_the_drafts_a_shipped_file_could_not_be(data: dict[str, Any]) -> None:
    """The editor's check and the file's check agree: what one accepts, the other loads."""
    accepted = _accepted(data)
    counts_ok = all(len(sub["statements"]) in (4, 5) for area in data["areas"] for sub in area["sub_areas"])
    if not counts_ok:
        assert accepted is None
    if accepted is not None:
        assert load_file_text(questionnaire_yaml(accepted)) == accepted


def load_file_text(text: str) -> Questionnaire:
    return _parse(text, "ccl-2026.1.yaml")


def test_the_shipped_files_write_back_byte_for_byte() -> None:
    assert questionnaire_yaml(SHIPPED) == SHIPPED_PATH.read_text(encoding="utf-8")
    prompts_path = PROMPTS_DIR / "prompts-2026.1.yaml"
    text = prompts_path.read_text(encoding="utf-8")
    assert prompts_yaml(parse(text, prompts_path.name)) == text


@given(_ANY)
def test_any_text_is_written_as_a_yaml_value_that_reads_back_as_itself(text: str) -> None:
    assert yaml.safe_load(f"k: {scalar(text)}\n") == {"k": text}
    assert yaml.safe_load(f"- {scalar(text)}\n") == [text]
    assert yaml.safe_load(f"{{k: {scalar(text, flow=True)}}}") == {"k": text}


# --- keys ---------------------------------------------------------------------------------------------------------


def test_a_statement_keeps_its_key_when_its_words_change() -> None:
    fields = statement_fields(SHIPPED, "insight.strategic.2")
    edited = with_values(as_data(SHIPPED), {fields[0].path: "Plans for the long term",
                                            fields[1].path: "I plan for the long term.",
                                            fields[2].path: "This person plans for the long term."})
    after = checked(edited, fields, SHIPPED)
    assert after.statement_keys() == SHIPPED.statement_keys()
    assert after.area("insight").sub_areas[1].statements[1].self_text == "I plan for the long term."


@given(st.sampled_from(SHIPPED.statement_keys()))
def test_adding_at_the_end_and_removing_the_last_keep_every_other_key(key: str) -> None:
    area, sub, _ = key.split(".")
    data, new_key = with_new_statement(as_data(SHIPPED), SHIPPED, area, sub)
    keys_after = [s["key"] for a in data["areas"] for b in a["sub_areas"] for s in b["statements"]]
    assert key_problems(SHIPPED.statement_keys(), keys_after) == []
    assert keys_after.count(new_key) == 1 and new_key not in SHIPPED.statement_keys()
    reason = removable(SHIPPED, key)
    if reason is None:
        after = without_statement(as_data(SHIPPED), SHIPPED, key)
        kept = [s["key"] for a in after["areas"] for b in a["sub_areas"] for s in b["statements"]]
        assert key_problems(SHIPPED.statement_keys(), kept) == [] and key not in kept
    else:
        assert "last statement" in reason or "at least 4" in reason


def test_keys_that_move_or_repeat_are_refused() -> None:
    before = ["ability.professional.1", "ability.professional.2", "ability.professional.3"]
    assert key_problems(before, ["ability.professional.1", "ability.professional.3"]) != []  # the middle went
    assert key_problems(before, [*before, "ability.professional.3"]) != []  # repeated
    assert key_problems(before, [*before, "ability.professional.5"]) != []  # a gap
    assert key_problems(before, before[:2]) == [] and key_problems(before, [*before, "ability.professional.4"]) == []


def test_a_middle_statement_cannot_be_removed_and_a_sub_area_of_four_loses_none() -> None:
    assert "last statement" in (removable(SHIPPED, "ability.professional.2") or "")
    assert removable(SHIPPED, "ability.professional.5") is None
    assert "at least 4" in (removable(SHIPPED, "ability.leadership.4") or "")


# --- a refusal names its field ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), [
    (1, "We keep skills.", "Owner's wording must start with 'I '"),
    (2, "", "Enter the raters' wording"),
    (0, "x" * 61, "Short title must be at most 60 characters, not 61")])
def test_a_refusal_names_the_field_at_fault(field: int, value: str, message: str) -> None:
    fields = statement_fields(SHIPPED, "ability.professional.1")
    with pytest.raises(EditRefused) as refused:
        checked(with_values(as_data(SHIPPED), {fields[field].path: value}), fields, SHIPPED)
    assert [(p.field, p.message) for p in refused.value.problems] == [(fields[field].name, message)]


# --- readability, versions ------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(_ANY)
def test_a_reading_ease_is_a_figure_from_0_to_100_for_any_text(text: str) -> None:
    figure = readability(text)
    assert 0 <= figure.score <= 100 and figure.band and figure.is_hard == (figure.score < 50)


def test_short_plain_words_read_easier_than_long_ones() -> None:
    plain = readability("I ask for help when I need it.")
    hard = readability("I systematically operationalise organisational transformation methodologies.")
    assert plain.score > 60 > hard.score and hard.is_hard and not plain.is_hard


def test_a_new_number_changes_the_version_and_nothing_else() -> None:
    text = SHIPPED_PATH.read_text(encoding="utf-8")
    renumbered = with_version(text, "2027.1")
    assert renumbered == text.replace('version: "2026.1"', 'version: "2027.1"')
    assert suggested_version("2026.1", ["2026.1", "2026.2"]) == "2026.3"


def test_a_line_break_or_control_character_is_refused_at_its_field() -> None:
    """Found by the property test: a carriage return in a statement was accepted and then lost on the page."""
    fields = statement_fields(SHIPPED, "ability.professional.1")
    with pytest.raises(EditRefused) as refused:
        checked(with_values(as_data(SHIPPED), {fields[1].path: "I keep my\rskills up to date."}), fields, SHIPPED)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("self_text", "Owner's wording must be one line, without line breaks, tabs or other control characters")]


def test_the_reading_ease_needs_no_pronouncing_dictionary() -> None:
    """British hyphenation counts the syllables: the CMU dictionary (77 MB, 4 s a process) is never loaded."""
    from textstat.backend.utils import get_cmudict

    readability("I keep my professional skills up to date.")
    assert get_cmudict("en-GB") is None


# --- two administrators on one draft ------------------------------------------------------------------------------

_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_fields = st.dictionaries(st.sampled_from(["title", "self_text", "rater_text"]), _words, min_size=1)


@given(_fields)
def test_a_page_nobody_else_saved_meanwhile_saves_exactly_what_was_typed(shown: dict[str, str]) -> None:
    seen = rules.seen_fingerprints(shown)
    typed = {name: value + " changed" for name, value in shown.items()}
    assert rules.merged_edit(seen, shown, typed) == (typed, [])
    assert rules.merged_edit(seen, shown, shown) == (shown, [])


@given(_fields, st.data())
def test_another_administrators_words_are_kept_where_only_they_changed_a_field(shown: dict[str, str],
                                                                              data: st.DataObject) -> None:
    theirs_changed = data.draw(st.sets(st.sampled_from(sorted(shown)), min_size=1))
    mine_changed = data.draw(st.sets(st.sampled_from(sorted(shown))))
    now = {name: (f"{value} (theirs)" if name in theirs_changed else value) for name, value in shown.items()}
    typed = {name: (f"{value} (mine)" if name in mine_changed else value) for name, value in shown.items()}
    values, clashes = rules.merged_edit(rules.seen_fingerprints(shown), now, typed)
    assert sorted(clashes) == sorted(theirs_changed & mine_changed)
    for name in shown:
        assert values[name] == (typed[name] if name in mine_changed else now[name])


def test_the_same_change_made_twice_is_no_clash_and_line_endings_are_not_a_change() -> None:
    shown = {"groups": "Ask one thing\nAsk another", "title": "Skills"}
    seen = rules.seen_fingerprints(shown)
    assert rules.merged_edit(seen, {**shown, "title": "Work skills"}, {**shown, "title": "Work skills "}) == (
        {**shown, "title": "Work skills "}, [])
    crlf = {**shown, "groups": "Ask one thing\r\n\r\nAsk another\r\n"}
    assert rules.merged_edit(seen, {**shown, "title": "Theirs"}, crlf) == ({**crlf, "title": "Theirs"}, [])


@pytest.mark.parametrize("seen", ["", "not json", "[1, 2]", "{}"])
def test_a_page_posted_without_what_it_showed_saves_as_typed(seen: str) -> None:
    assert rules.merged_edit(seen, {"title": "Now"}, {"title": "Typed"}) == ({"title": "Typed"}, [])


def test_what_a_page_showed_is_kept_as_hashes_not_words() -> None:
    assert "Private words" not in rules.seen_fingerprints({"title": "Private words"})
