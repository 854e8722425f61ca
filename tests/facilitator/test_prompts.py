"""The question prompts are data: the shipped file loads, and a broken one names the field at fault."""

from __future__ import annotations

import pytest
import yaml

from facilitator.prompts import FRAMEWORK, GROUPS, PromptsError, load_version, parse

NAME = "prompts-2026.1.yaml"


def _shipped() -> dict:  # type: ignore[type-arg]
    from facilitator.prompts import PROMPTS_DIR

    return yaml.safe_load((PROMPTS_DIR / NAME).read_text())


def test_the_shipped_prompts_cover_the_three_questions_and_four_groups() -> None:
    prompts = load_version("2026.1")
    assert [q.key for q in prompts.framework] == list(FRAMEWORK)
    for question in prompts.framework:
        assert [key for key, _, items in question.groups.items() if items] == list(GROUPS)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["framework"][1]["groups"]["exploring"].__setitem__(2, " "),
     "framework → 1 → groups → exploring → 2: must not be blank"),
    (lambda d: d["framework"].pop(), "framework: must be the three framework questions"),
    (lambda d: d["framework"][0]["groups"].pop("actions"), "framework → 0 → groups → actions: Field required"),
    (lambda d: d["framework"][2]["groups"].__setitem__("openers", []), "framework → 2 → groups → openers"),
    (lambda d: d.__setitem__("version", "2030.1"), "version: must match the file name"),
    (lambda d: d["framework"][0].__setitem__("extra", "x"), "framework → 0 → extra"),
])
def test_a_broken_file_names_the_field_at_fault(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _shipped()
    change(data)
    with pytest.raises(PromptsError) as error:
        parse(yaml.safe_dump(data), NAME)
    assert str(error.value).startswith(f"{NAME}: ") and message in str(error.value)


def test_not_yaml_is_refused_plainly() -> None:
    with pytest.raises(PromptsError, match="not valid YAML"):
        parse("framework: [", NAME)
