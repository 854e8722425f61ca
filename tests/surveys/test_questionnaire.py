"""The questionnaire file and its loader (PRODUCT §2.3). Pure: no Flask app or database needed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys.questionnaire import (
    AREAS,
    NOT_ABLE_TO_SAY,
    QUESTIONNAIRES_DIR,
    Questionnaire,
    QuestionnaireError,
    available_versions,
    load_file,
    load_version,
)

FILE = "ccl-2026.1.yaml"
Mutation = Callable[[dict[str, Any]], object]


@pytest.fixture
def data() -> dict[str, Any]:
    """The shipped file as a plain dict, to break one rule at a time."""
    return yaml.safe_load((QUESTIONNAIRES_DIR / FILE).read_text(encoding="utf-8"))


def write(tmp_path: Path, text: str, name: str = FILE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def error_for(path: Path) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    return str(caught.value)


def set_at(value: Any, *path: str | int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return mutate


def delete_at(*path: str | int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return mutate


def statements_of(data: dict[str, Any], area: int, sub: int) -> list[dict[str, Any]]:
    return data["areas"][area]["sub_areas"][sub]["statements"]


# --- the shipped questionnaire --------------------------------------------------------------------


def test_shipped_version_loads_with_four_areas_of_two_sub_areas() -> None:
    questionnaire = load_version("2026.1")

    assert (questionnaire.id, questionnaire.version) == ("ccl", "2026.1")
    assert [area.key for area in questionnaire.areas] == list(AREAS)
    for area in questionnaire.areas:
        assert tuple(sub.key for sub in area.sub_areas) == AREAS[area.key]
        assert area.summary.endswith(".")
        for sub in area.sub_areas:
            assert 4 <= len(sub.statements) <= 5, sub.key
    assert [point.value for point in questionnaire.scale] == [1, 2, 3, 4, 5]
    assert [q.key for q in questionnaire.open_questions] == ["strengths", "develop", "other"]
    assert questionnaire.not_able_to_say == "Not able to say"
    assert NOT_ABLE_TO_SAY not in {str(point.value) for point in questionnaire.scale}


def test_shipped_statements_follow_the_wording_rules() -> None:
    questionnaire = load_version("2026.1")
    statements = questionnaire.statements()

    assert 32 <= len(statements) <= 40
    assert len(set(questionnaire.statement_keys())) == len(statements)
    for statement in statements:
        assert statement.self_text.startswith("I "), statement.key
        assert statement.rater_text.startswith("This person "), statement.key
        for text in (statement.self_text, statement.rater_text):
            assert text.endswith("."), text
            # Proxies for the plain-English rules: short sentences, one idea each.
            assert len(text.split()) <= 15, text
            assert " and " not in text, f"two ideas? {text}"


def test_every_shipped_version_loads() -> None:
    versions = available_versions()

    assert "2026.1" in versions
    for version in versions:
        assert load_version(version).version == version


def test_statements_are_in_page_order() -> None:
    questionnaire = load_version("2026.1")

    keys = questionnaire.statement_keys()
    assert keys[0] == "ability.professional.1"
    assert keys[-1].startswith("ambition.organisational.")
    assert [s.key for s in questionnaire.statements()] == keys
    assert questionnaire.area("values").title == "Values"
    with pytest.raises(KeyError):
        questionnaire.area("nope")


# --- load_version ---------------------------------------------------------------------------------


def test_load_version_is_cached() -> None:
    assert load_version("2026.1") is load_version("2026.1")


def test_unknown_version_names_the_versions_available() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_version("1999.9")

    message = str(caught.value)
    assert "ccl-1999.9.yaml" in message
    assert "'1999.9'" in message
    assert "available: " in message
    assert "2026.1" in message


def test_a_version_string_cannot_reach_outside_the_folder() -> None:
    with pytest.raises(QuestionnaireError, match="no questionnaire version"):
        load_version("../questionnaires/ccl-2026.1")


# --- validation: each rule names the field at fault -----------------------------------------------

RULES = [
    pytest.param(delete_at("areas", 0, "summary"), "areas → 0 → summary: Field required",
                 id="required-field"),
    pytest.param(set_at(2026.1, "version"), "version: Input should be a valid string", id="typed-string"),
    pytest.param(set_at("3", "scale", 2, "value"), "scale → 2 → value: Input should be a valid integer",
                 id="typed-integer"),
    pytest.param(set_at("A statement.", "areas", 0, "sub_areas", 0, "statements", 0, "rator"),
                 "areas → 0 → sub_areas → 0 → statements → 0 → rator: Extra inputs are not permitted",
                 id="misspelt-field"),
    pytest.param(lambda d: d["scale"].reverse(),
                 "scale: must be the values 1 to 5 in order, not [5, 4, 3, 2, 1]", id="scale-order"),
    pytest.param(lambda d: d["scale"].pop(), "scale: must be the values 1 to 5 in order, not [1, 2, 3, 4]",
                 id="scale-values"),
    pytest.param(set_at(" ", "scale", 1, "label"), "scale → 1 → label: must not be blank", id="scale-label"),
    pytest.param(lambda d: d["areas"].pop(), "areas: must have exactly 4 areas", id="four-areas"),
    pytest.param(lambda d: d["areas"].insert(0, d["areas"].pop(1)), "areas → 0 → key: must be 'ability'",
                 id="area-order"),
    pytest.param(lambda d: d["areas"][1]["sub_areas"].pop(),
                 "areas → 1 → sub_areas: must have exactly 2 sub-areas of insight", id="two-sub-areas"),
    pytest.param(set_at("strategy", "areas", 1, "sub_areas", 1, "key"),
                 "areas → 1 → sub_areas → 1 → key: must be 'strategic'", id="sub-area-key"),
    pytest.param(lambda d: statements_of(d, 0, 1).pop(),
                 "areas → 0 → sub_areas → 1 → statements: must have 4 or 5 statements, not 3", id="too-few"),
    pytest.param(lambda d: statements_of(d, 0, 0).append(statements_of(d, 0, 0)[0] | {"key": "extra"}),
                 "areas → 0 → sub_areas → 0 → statements: must have 4 or 5 statements, not 6", id="too-many"),
    pytest.param(set_at("ability.professional.1", "areas", 0, "sub_areas", 0, "statements", 1, "key"),
                 "areas → 0 → sub_areas → 0 → statements → 1 → key: "
                 "duplicate statement key 'ability.professional.1'",
                 id="duplicate-key"),
    pytest.param(set_at("ability.professional.9", "areas", 0, "sub_areas", 0, "statements", 2, "key"),
                 "areas → 0 → sub_areas → 0 → statements → 2 → key: must be 'ability.professional.3'",
                 id="key-pattern"),
    pytest.param(set_at("We keep up to date.", "areas", 0, "sub_areas", 0, "statements", 0, "self"),
                 "areas → 0 → sub_areas → 0 → statements → 0 → self: must start with 'I '",
                 id="self-wording"),
    pytest.param(set_at("They are kind.", "areas", 2, "sub_areas", 1, "statements", 3, "rater"),
                 "areas → 2 → sub_areas → 1 → statements → 3 → rater: must start with 'This person '",
                 id="rater-wording"),
    pytest.param(set_at("   ", "areas", 3, "sub_areas", 0, "statements", 1, "self"),
                 "areas → 3 → sub_areas → 0 → statements → 1 → self: must not be blank", id="blank-text"),
    pytest.param(set_at("This person " + "x" * 200, "areas", 1, "sub_areas", 0, "statements", 0, "rater"),
                 "areas → 1 → sub_areas → 0 → statements → 0 → rater: "
                 "must be at most 200 characters, not 212",
                 id="long-text"),
    pytest.param(lambda d: d["open_questions"].reverse(), "open_questions → 0 → key: must be 'strengths'",
                 id="open-question-keys"),
    pytest.param(lambda d: d["open_questions"].pop(), "open_questions: must have exactly 3 open questions",
                 id="open-question-count"),
    pytest.param(set_at("", "open_questions", 1, "hint"), "open_questions → 1 → hint: must not be blank",
                 id="open-question-hint"),
    pytest.param(set_at("2026.2", "version"), "version: must be '2026.1' to match the file name",
                 id="version-matches-file-name"),
]


@pytest.mark.parametrize(("mutate", "expected"), RULES)
def test_broken_file_names_the_field(tmp_path: Path, data: dict[str, Any], mutate: Mutation,
                                     expected: str) -> None:
    mutate(data)

    message = error_for(write(tmp_path, dump(data)))

    assert f"{FILE}: {expected}" in message


def test_unbroken_copy_loads(tmp_path: Path, data: dict[str, Any]) -> None:
    # The rule tests rely on a dumped copy being valid until they break it.
    assert load_file(write(tmp_path, dump(data))) == load_version("2026.1")


def test_every_problem_is_reported(tmp_path: Path, data: dict[str, Any]) -> None:
    delete_at("title")(data)
    set_at("", "not_able_to_say")(data)

    lines = error_for(write(tmp_path, dump(data))).splitlines()

    assert lines == [f"{FILE}: title: Field required", f"{FILE}: not_able_to_say: must not be blank"]


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "- just\n- a list\n"))

    assert message.startswith(f"{FILE}: Input should be a valid dictionary")


def test_missing_file(tmp_path: Path) -> None:
    assert error_for(tmp_path / FILE).startswith(f"{FILE}: cannot be read")


# --- YAML errors report the line ------------------------------------------------------------------


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    lines = (QUESTIONNAIRES_DIR / FILE).read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "key: ability.leadership.2" in line)
    lines[number] += ": oops"  # a mapping inside a plain value

    message = error_for(write(tmp_path, "\n".join(lines) + "\n"))

    assert message.startswith(f"{FILE}: line {number + 1}, column ")
    assert "mapping values are not allowed here" in message


def test_repeated_yaml_key_reports_the_line(tmp_path: Path) -> None:
    text = 'id: ccl\nversion: "2026.1"\ntitle: One\ntitle: Two\n'

    message = error_for(write(tmp_path, text))

    assert message.startswith(f"{FILE}: line 4, column 1: found duplicate key 'title'")


# --- organisation statements ----------------------------------------------------------------------

ORG = [("org.1", "I treat everyone with compassion.", "This person treats everyone with compassion."),
       ("org.2", "I act on our value of openness.", "This person acts on our value of openness.")]


def test_org_statements_are_added_to_values_shared() -> None:
    base = load_version("2026.1")
    shared_before = base.area("values").sub_areas[1].statements

    extended = base.with_org_statements(ORG)

    shared = extended.area("values").sub_areas[1]
    assert shared.key == "shared"
    assert shared.statements[:len(shared_before)] == shared_before
    assert [(s.key, s.self_text, s.rater_text) for s in shared.statements[len(shared_before):]] == ORG
    assert len(extended.statements()) == len(base.statements()) + 2
    assert extended.statement_keys()[-1].startswith("ambition.")  # still in page order
    assert extended.area("values").sub_areas[0] == base.area("values").sub_areas[0]
    # The cached base is shared by every cycle and must be left as it was.
    assert load_version("2026.1").area("values").sub_areas[1].statements == shared_before


def test_no_org_statements_gives_the_same_questionnaire() -> None:
    base = load_version("2026.1")

    assert base.with_org_statements([]) is base


def test_org_statements_are_not_bound_by_the_count() -> None:
    many = [(f"org.{n}", f"I live value {n}.", f"This person lives value {n}.") for n in range(1, 8)]

    extended = load_version("2026.1").with_org_statements(many)

    assert len(extended.area("values").sub_areas[1].statements) == 4 + 7


@pytest.mark.parametrize("key", ["org.1", "values.shared.1"])
def test_org_statement_keys_must_be_unique(key: str) -> None:
    extra = [*ORG, (key, "I listen.", "This person listens.")]

    with pytest.raises(QuestionnaireError) as caught:
        load_version("2026.1").with_org_statements(extra)

    assert str(caught.value) == f"organisation statements: 2 → key: duplicate statement key '{key}'"


def test_org_statements_follow_the_wording_rules() -> None:
    extra = [ORG[0], ("org.2", "I act on our value of openness.", "They act on it.")]

    with pytest.raises(QuestionnaireError) as caught:
        load_version("2026.1").with_org_statements(extra)

    assert str(caught.value) == "organisation statements: 1 → rater: must start with 'This person '"


def test_questionnaire_is_immutable() -> None:
    questionnaire = load_version("2026.1")

    with pytest.raises(ValueError, match="frozen"):
        questionnaire.title = "Changed"  # type: ignore[misc]
    assert isinstance(copy.deepcopy(questionnaire), Questionnaire)
