"""Comparing two questionnaire versions, and the rules of a declared carry-over (questionnaire_compare_rules):
a word diff reads back as both wordings, statements are matched by their words before their keys, and a declaration
carries each statement over to one other at most."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from surveys.questionnaire import QUESTIONNAIRES_DIR, Questionnaire, load_file
from surveys.questionnaire_compare_rules import (
    Change,
    carry_over_problems,
    compare,
    default_carry_over,
    refusal_to_declare,
    word_diff,
)

SHIPPED = load_file(QUESTIONNAIRES_DIR / "ccl-2026.1.yaml")
DATA = yaml.safe_load((QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8"))

words = st.lists(st.sampled_from(["the", "team", "work", "skills", "clear", "person", "of", "to", "up", "date."]),
                 max_size=12).map(" ".join)


@given(older=words, newer=words)
def test_a_word_diff_reads_back_as_both_wordings(older: str, newer: str) -> None:
    pieces = word_diff(older, newer)
    assert "".join(p.text for p in pieces if p.kind != "ins") == older
    assert "".join(p.text for p in pieces if p.kind != "del") == newer
    assert (older == newer) == all(p.kind == "same" for p in pieces)


def _version(change: Any) -> Questionnaire:
    data = yaml.safe_load(yaml.safe_dump(DATA))
    change(data)
    for area in data["areas"]:  # keys are positions: renumber as an administrator must
        for sub in area["sub_areas"]:
            for n, statement in enumerate(sub["statements"], start=1):
                statement["key"] = f"{area['key']}.{sub['key']}.{n}"
    return Questionnaire.model_validate(data)


def test_a_statement_removed_from_the_middle_is_one_removal_not_a_run_of_rewordings() -> None:
    newer = _version(lambda d: d["areas"][0]["sub_areas"][0]["statements"].pop(1))
    result = compare(SHIPPED, newer)
    changed = [row for row in result.statements if row.changes]
    assert [(row.older.statement.key, row.newer) for row in changed] == [("ability.professional.2", None)]
    # The statements after it keep their words under new keys: unchanged, and proposed to carry over by key only
    # where the key still asks the same.
    assert result.counts() == {Change.ADDED: 0, Change.REMOVED: 1, Change.REWORDED: 0, Change.MOVED: 0}
    default = default_carry_over(SHIPPED, newer)
    assert "ability.professional.1" in default and "ability.professional.2" not in default


def test_a_reworded_statement_is_matched_by_its_key_and_its_words_marked() -> None:
    def reword(d: dict[str, Any]) -> None:
        d["areas"][1]["sub_areas"][0]["statements"][0]["rater"] = d["areas"][1]["sub_areas"][0]["statements"][0][
            "rater"].replace("This person", "This person usually")

    result = compare(SHIPPED, _version(reword))
    [row] = [row for row in result.statements if row.changes]
    assert row.changes == {Change.REWORDED}
    assert [p.text.strip() for p in row.rater_text if p.kind == "ins"] == ["usually"]


def test_a_statement_moved_to_another_sub_area_is_found_there() -> None:
    def move(d: dict[str, Any]) -> None:
        moved = d["areas"][2]["sub_areas"][0]["statements"].pop(0)
        d["areas"][2]["sub_areas"][1]["statements"].insert(0, moved)

    newer = _version(move)
    result = compare(SHIPPED, newer)
    moved = [row for row in result.statements if Change.MOVED in row.changes]
    assert len(moved) == 1 and moved[0].changes == {Change.MOVED}
    assert moved[0].older.sub_key == "values.personal" and moved[0].newer.sub_key == "values.shared"
    assert moved[0] in result.rows_in("values.shared")


def test_added_and_removed_statements_and_reworded_open_questions_and_titles() -> None:
    def change(d: dict[str, Any]) -> None:
        d["areas"][3]["sub_areas"][1]["statements"].append({
            "key": "x", "title": "Speaks up for patients", "self": "I speak up for patients.",
            "rater": "This person speaks up for patients."})
        d["areas"][3]["sub_areas"][1]["statements"] = d["areas"][3]["sub_areas"][1]["statements"][1:]
        d["areas"][3]["sub_areas"][1]["title"] = "The organisation"
        d["open_questions"][2]["hint"] = "You may leave this blank."

    result = compare(SHIPPED, _version(change))
    counts = result.counts()
    assert counts[Change.ADDED] == 1 and counts[Change.REMOVED] == 1
    assert [s.key for s in result.sub_areas if s.change is Change.REWORDED] == ["ambition.organisational"]
    assert [q.key for q in result.open_questions if q.change] == ["other"]
    assert all(a.change is None for a in result.areas)


def test_the_same_version_compares_to_nothing_and_carries_everything_over() -> None:
    result = compare(SHIPPED, SHIPPED)
    assert not any(row.changes for row in result.statements)
    assert default_carry_over(SHIPPED, SHIPPED) == {k: k for k in SHIPPED.statement_keys()}


KEYS = [f"a.b.{n}" for n in range(1, 7)]


@given(chosen=st.dictionaries(st.sampled_from(KEYS), st.one_of(st.none(), st.sampled_from([*KEYS, "zz"]))))
def test_a_declaration_is_kept_only_if_no_statement_takes_two(chosen: dict[str, str | None]) -> None:
    problems = carry_over_problems(chosen, KEYS, set(KEYS))
    targets = [t for t in chosen.values() if t is not None]
    fine = len(targets) == len(set(targets)) and "zz" not in targets
    assert (not problems) == fine
    kept = {k: v for k, v in chosen.items() if k not in problems and v is not None}
    assert len(set(kept.values())) == len(kept)  # what is not refused is one-to-one


def test_a_statement_of_neither_version_is_refused() -> None:
    assert carry_over_problems({"nope": "a.b.1"}, KEYS, set(KEYS)) == {"nope": "This statement is not in the older "
                                                                               "version"}


def test_only_two_different_published_versions_take_a_declaration() -> None:
    assert refusal_to_declare(False, False, False) is None
    assert "published" in (refusal_to_declare(True, False, False) or "")
    assert "published" in (refusal_to_declare(False, True, False) or "")
    assert "two different versions" in (refusal_to_declare(False, False, True) or "")


# --- carry-over through a chain of declarations -----------------------------------------------------------------


def test_a_chain_of_declarations_carries_a_statement_only_if_every_step_does() -> None:
    from surveys.questionnaire_compare_rules import chained_carry_over

    declarations = {("2026.1", "2027.1"): {"a.1": "a.1", "a.2": "a.3", "a.4": None},
                    ("2028.1", "2027.1"): {"a.1": "a.1", "a.9": "a.3"}}  # declared from the newer, read backwards
    assert chained_carry_over(declarations, "2026.1", "2028.1") == {"a.1": "a.1", "a.2": "a.9"}
    assert chained_carry_over(declarations, "2028.1", "2026.1") == {"a.1": "a.1", "a.9": "a.2"}
    assert chained_carry_over(declarations, "2026.1", "2029.1") is None
    assert chained_carry_over(declarations, "2026.1", "2026.1") is None  # the same version needs no declaration


def test_the_shortest_chains_win_and_carry_over_only_what_they_agree_on() -> None:
    """Review: two shortest chains that take one statement to two different ones say that one of them joins
    different questions; the change compares neither (it compared whichever went through the lowest versions)."""
    from surveys.questionnaire_compare_rules import chained_carry_over

    declarations = {("1.1", "1.2"): {"k": "k2"}, ("1.2", "1.3"): {"k2": "k3"}, ("1.3", "1.4"): {"k3": "k4"},
                    ("1.1", "1.5"): {"k": "x", "j": "j5"}, ("1.5", "1.4"): {"x": "y", "j5": "j4"},
                    ("1.1", "1.0"): {"k": "z", "j": "j0"}, ("1.0", "1.4"): {"z": "w", "j0": "j4"}}
    assert chained_carry_over(declarations, "1.1", "1.4") == {"j": "j4"}  # k: y through 1.5, w through 1.0


def test_a_pair_declared_both_ways_is_read_in_the_direction_of_travel_whatever_the_order_of_its_rows() -> None:
    """Review: 2026.1 → 2027.1 says a is x's and b does not carry over; 2027.1 → 2026.1 says x is b's. Which the
    chain read depended on the order the rows came from the database: b was compared with y in one order."""
    from surveys.questionnaire_compare_rules import chained_carry_over

    forward, backward, on = ("2026.1", "2027.1"), ("2027.1", "2026.1"), ("2027.1", "2028.1")
    one = {forward: {"a": "x", "b": None}, backward: {"x": "b"}, on: {"x": "y"}}
    other = {backward: {"x": "b"}, forward: {"a": "x", "b": None}, on: {"x": "y"}}
    assert chained_carry_over(one, "2026.1", "2028.1") == chained_carry_over(other, "2026.1", "2028.1") == {"a": "y"}


@given(st.lists(st.dictionaries(st.sampled_from("abcdef"), st.one_of(st.none(), st.sampled_from("abcdef"))),
                min_size=1, max_size=5))
def test_a_chain_composes_its_steps(steps: list[dict[str, str | None]]) -> None:
    from surveys.questionnaire_compare_rules import chained_carry_over

    versions = [f"20{n + 26}.1" for n in range(len(steps) + 1)]
    declarations = {(versions[n], versions[n + 1]): step for n, step in enumerate(steps)}
    expected = {key: key for key in "abcdef"}
    for step in steps:
        expected = {key: step[middle] for key, middle in expected.items()  # type: ignore[misc]
                    if step.get(middle) is not None}
    assert chained_carry_over(declarations, versions[0], versions[-1]) == expected
