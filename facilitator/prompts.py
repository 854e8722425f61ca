"""Question prompts for the facilitated session (PRODUCT §5): versioned YAML files, like the questionnaire, checked
on load. A broken file fails with a PromptsError naming the file and the field, for example
"prompts-2026.1.yaml: framework → 1 → groups → exploring → 2: must not be blank" (positions count from 0).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from surveys.questionnaire_rules import Problem, UploadError, validation_problems, version_problem, yaml_problem
from surveys.questionnaire_store import chosen_version, published_text
from surveys.questionnaire_yaml import quoted, scalar

PROMPTS_DIR = Path(__file__).with_name("prompts")
_FILE_NAME = re.compile(r"prompts-(?P<version>.+)\.yaml")
FRAMEWORK = {"now": "Where are you now?", "need": "Where do you need to be?",
             "get_there": "What will it take to get there?"}
GROUPS = {"openers": "Conversation openers", "exploring": "Exploring questions",
          "options": "Identifying options", "actions": "Agreeing actions"}
MAX_PROMPT_LENGTH = 200


class PromptsError(ValueError):
    """A prompts file breaks a rule; the message names the file and the field."""


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if len(value) > MAX_PROMPT_LENGTH:
        raise ValueError(f"must be at most {MAX_PROMPT_LENGTH} characters, not {len(value)}")
    return value


Prompt = Annotated[str, AfterValidator(_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Groups(_Strict):
    openers: list[Prompt] = Field(min_length=1)
    exploring: list[Prompt] = Field(min_length=1)
    options: list[Prompt] = Field(min_length=1)
    actions: list[Prompt] = Field(min_length=1)

    def items(self) -> list[tuple[str, str, list[str]]]:
        return [(key, label, getattr(self, key)) for key, label in GROUPS.items()]


class Question(_Strict):
    key: str
    question: Prompt
    groups: Groups


class Prompts(_Strict):
    version: str
    framework: list[Question]

    @field_validator("framework")
    @classmethod
    def _three_questions(cls, questions: list[Question]) -> list[Question]:
        keys = [q.key for q in questions]
        if keys != list(FRAMEWORK):
            raise ValueError(f"must be the three framework questions {', '.join(FRAMEWORK)} in that order, "
                             f"not {', '.join(keys) or 'none'}")
        return questions


def _where(location: tuple[str | int, ...]) -> str:
    return " → ".join(str(part) for part in location) or "(the file)"


def parse(text: str, name: str) -> Prompts:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PromptsError(f"{name}: not valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise PromptsError(f"{name}: must be a mapping with version and framework")
    try:
        prompts = Prompts.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise PromptsError(f"{name}: {_where(first['loc'])}: {message}") from None
    expected = f"prompts-{prompts.version}.yaml"
    if name != expected:
        raise PromptsError(f"{name}: version: must match the file name ({expected})")
    return prompts


_published: dict[str, Prompts] = {}


def load_version(version: str) -> Prompts:
    """A published version of the prompts, from the database or its shipped file (surveys/questionnaire_store.py).
    Cached in the process: a published version never changes."""
    cached = _published.get(version)
    if cached is not None:
        return cached
    text = published_text("prompts", version, PromptsError)
    if text is None:
        path = shipped_files().get(version)
        if path is None:
            raise PromptsError(f"No prompts file for version {version}")
        text = path.read_text(encoding="utf-8")
    prompts = parse(text, f"prompts-{version}.yaml")
    _published[version] = prompts
    return prompts


def in_use() -> Prompts:
    """The prompts facilitators see: the version an administrator chose, or the PROMPTS_VERSION setting."""
    return load_version(chosen_version("prompts"))


def forget_cached() -> None:
    """For tests only, whose databases come and go under one process."""
    _published.clear()


def shipped_files() -> dict[str, Path]:
    named = ((_FILE_NAME.fullmatch(path.name), path) for path in PROMPTS_DIR.glob("prompts-*.yaml"))
    return {match["version"]: path for match, path in named if match}


def check_upload(text: str, taken: list[str]) -> Prompts:
    """An uploaded prompts file, checked as the shipped ones are, every problem at its line."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UploadError([yaml_problem(error)]) from None
    if not isinstance(raw, dict):
        raise UploadError([Problem(None, "The file must be the session prompts: version and framework")])
    wrong_version = version_problem(text, raw.get("version"), taken)
    problems = [wrong_version] if wrong_version else []
    try:
        prompts = Prompts.model_validate(raw)
    except ValidationError as error:
        raise UploadError([*problems, *validation_problems(text, error)]) from None
    if problems:
        raise UploadError(problems)
    return prompts


_HEADER = """\
# Question prompts for the facilitated session (PRODUCT §5), written for Open360.
# Grouped by the three framework questions, then by the part of the conversation they help with.
"""


def prompts_yaml(prompts: Prompts) -> str:
    """The file of checked prompts, as the product ships it (the shipped version gives its file byte for byte), so a
    version edited on the site downloads and uploads again like any other."""
    lines = [_HEADER.rstrip("\n"), f"version: {quoted(prompts.version)}", "framework:"]
    for question in prompts.framework:
        lines += [f"  - key: {scalar(question.key)}", f"    question: {scalar(question.question)}", "    groups:"]
        for key, _label, items in question.groups.items():
            lines.append(f"      {key}:")
            lines += [f"        - {scalar(item)}" for item in items]
    return "\n".join(lines) + "\n"
