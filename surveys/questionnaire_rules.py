"""Rules for questionnaire and prompt versions kept on the site (PRODUCT §2.3, §6), as pure functions.

An uploaded file is refused with every problem it has, each naming the line of the file at fault, so that a
team keeping its versions in version control can find it. What a version may become next is decided here too:
draft → published → retired, never back, and never edited once published (a round is pinned to its version).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

# A version names a file (ccl-<version>.yaml) and a column of 20 characters.
VERSION_PATTERN = re.compile(r"[0-9]{4}\.[0-9]{1,3}[a-z0-9.-]{0,10}")
LANGUAGES = ("en",)  # Welsh ("cy") joins as a second text of the same version, not a new kind of row
DEFAULT_LANGUAGE = "en"


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class Problem:
    line: int | None  # 1-based; None when the problem is the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class UploadError(ValueError):
    """A file that cannot become a draft: every problem found, each with its line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The line (from 1) of the deepest part of `path` that the YAML text has: a mapping entry's key line (where
    "statements:" is written), or a list item's first line. None if the text is not YAML."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        found = _child(node, part)
        if found is None:
            break
        line, node = found
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def yaml_problem(error: yaml.YAMLError) -> Problem:
    """A file that is not YAML, or repeats a key, at the line where the reader stopped."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        return Problem(mark.line + 1 if mark else None, f"{problem} (the file is not valid YAML)")
    return Problem(None, "The file is not valid YAML")


def validation_problems(text: str, error: ValidationError, below_key: str = "") -> list[Problem]:
    """pydantic's errors as problems at their lines. `below_key` names the context entry where a rule that spans
    several fields puts the path below the field it checks (surveys.questionnaire does this)."""
    problems = []
    for item in error.errors(include_url=False):
        below = tuple((item.get("ctx") or {}).get(below_key, ())) if below_key else ()
        path = (*item["loc"], *below)
        where = " → ".join(str(part) for part in path)
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(line_of(text, path), f"{where}: {message}" if where else message))
    return problems


def version_problem(text: str, version: Any, taken: Sequence[str]) -> Problem | None:
    """A new version's name: the pattern files use, and no version that exists (published, retired or a draft)."""
    line = line_of(text, ("version",))
    if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
        return Problem(line, "version: must be a year and a number, such as \"2027.1\" (in quotes)")
    if version in taken:
        return Problem(line, f"version: \"{version}\" already exists; give the new version a number of its own")
    return None


def refusal_to_publish(status: Status) -> str | None:
    if status is not Status.DRAFT:
        return f"Only a draft can be published; this version is {status.value}."
    return None


def refusal_to_retire(status: Status, is_chosen: bool) -> str | None:
    if status is not Status.PUBLISHED:
        return f"Only a published version can be retired; this version is {status.value}."
    if is_chosen:
        return "New rounds get this version. Choose another version for new rounds before you retire this one."
    return None


def refusal_to_choose(status: Status) -> str | None:
    if status is not Status.PUBLISHED:
        return f"Only a published version can be given to new rounds; this version is {status.value}."
    return None


def refusal_to_discard(status: Status) -> str | None:
    if status is not Status.DRAFT:
        return "A published or retired version is kept for good: rounds and reports may rely on it."
    return None


def check_questionnaire(text: str, taken: Sequence[str]) -> Any:
    """An uploaded questionnaire, checked as the shipped files are and for what the rest of the product needs:
    the version is new, and the largest answer a rater could give still seals within the fixed size."""
    from surveys import sealed
    from surveys.questionnaire import _PATH, Questionnaire, _Loader, with_preparation

    try:
        data = with_preparation(yaml.load(text, Loader=_Loader))  # a SafeLoader that also refuses a repeated key
    except yaml.YAMLError as error:
        raise UploadError([yaml_problem(error)]) from None
    if not isinstance(data, dict):
        raise UploadError([Problem(None, "The file must be a questionnaire: id, version, title, scale, "
                                         "not_able_to_say, areas and open_questions")])
    problems = []
    wrong_version = version_problem(text, data.get("version"), taken)
    if wrong_version:
        problems.append(wrong_version)
    try:
        questionnaire = Questionnaire.model_validate(data, context={"id": "ccl"})
    except ValidationError as error:
        raise UploadError([*problems, *validation_problems(text, error, _PATH)]) from None
    if sealed.padded_size(questionnaire) > sealed.MAX_PADDED_BYTES:
        problems.append(Problem(line_of(text, ("areas",)), "areas: too many statements and open questions for a "
                                                          "response to be sealed at its fixed size"))
    if problems:
        raise UploadError(problems)
    return questionnaire
