"""The Self-Assessment Questionnaire (PRODUCT §2.3): versioned YAML files, loaded and checked here.

A cycle is pinned to the version it started with, so a file is read long after it was written. Every rule is
checked on load, and a broken file fails with a QuestionnaireError naming the file and the field, for example
"ccl-2026.1.yaml: areas → 2 → sub_areas → 1 → statements → 3 → rater: must start with 'This person '".
Positions in the path count from 0, as pydantic reports them.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

NOT_ABLE_TO_SAY = "n"

QUESTIONNAIRES_DIR = Path(__file__).with_name("questionnaires")
# Organisation statements are stored in String(200) columns; the file is held to the same limit so that every
# statement, wherever it comes from, fits the same pages and report.
MAX_TEXT_LENGTH = 200
SCALE_VALUES = (1, 2, 3, 4, 5)
AREAS: dict[str, tuple[str, ...]] = {
    "ability": ("professional", "leadership"),
    "insight": ("self_awareness", "strategic"),
    "values": ("personal", "shared"),
    "ambition": ("personal", "organisational"),
}
OPEN_QUESTIONS = ("strengths", "develop", "other")
# The Preparation Document's five 1–5 ratings and three positions (PRODUCT §2.2). Their words are the version's; their
# keys are fixed, because documents store ratings and the position by key.
PREPARATION_RATINGS = ("fulfilment", "workload", "equipped", "relationships", "purpose")
PREPARATION_POSITIONS = ("stay", "broaden", "step_up")
STATEMENTS_PER_SUB_AREA = (4, 5)
ORG_AREA, ORG_SUB_AREA = "values", "shared"

_FILE_NAME = re.compile(r"ccl-(?P<version>.+)\.yaml")
# The key under which a rule failure carries its path below the field being validated.
_PATH = "questionnaire_path"


class QuestionnaireError(ValueError):
    """A questionnaire file, or an organisation's statements, breaks a rule. The message names the field."""


def _problem(reason: str, *below: str | int) -> PydanticCustomError:
    """A rule failure. `below` locates it under the field being checked, for rules spanning several fields."""
    return PydanticCustomError("questionnaire", "{reason}", {"reason": reason, _PATH: below})


def _text(value: str) -> str:
    if not value:
        raise _problem("must not be blank")
    if len(value) > MAX_TEXT_LENGTH:
        raise _problem(f"must be at most {MAX_TEXT_LENGTH} characters, not {len(value)}")
    return value


Text = Annotated[str, AfterValidator(_text)]


def _check_keys(found: Sequence[str], expected: Sequence[str], what: str, *below: str) -> None:
    listed = ", ".join(expected)
    if len(found) != len(expected):
        raise _problem(f"must have exactly {len(expected)} {what} ({listed}), not {len(found)}", *below)
    for index, (key, wanted) in enumerate(zip(found, expected, strict=True)):
        if key != wanted:
            raise _problem(f"must be '{wanted}' ({what} are {listed}, in that order)", *below, index, "key")


class _Model(BaseModel):
    # extra="forbid" so that a misspelt field name is reported rather than silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ScalePoint(_Model):
    value: StrictInt
    label: Text


MAX_TITLE_LENGTH = 60


def title_from_rater_text(rater_text: str) -> str:
    """A title for a statement that has none (an organisation's own): its rater wording without "This person"."""
    rest = rater_text.removeprefix("This person ").strip().rstrip(".")
    return (rest[:1].upper() + rest[1:])[:MAX_TITLE_LENGTH] or rater_text[:MAX_TITLE_LENGTH]


def _title(value: str) -> str:
    # The report lists statements by title, for any reader: short, neutral, and about the behaviour, not a person.
    if len(value) > MAX_TITLE_LENGTH:
        raise _problem(f"must be at most {MAX_TITLE_LENGTH} characters, not {len(value)}")
    if value.startswith(("I ", "This person", "You ")) or not value[:1].isupper() or value.endswith("."):
        raise _problem("must be a short title that starts with a capital letter, names no person and has no "
                       "full stop, such as 'Keeps professional skills up to date'")
    return value


class Statement(_Model):
    key: Text
    title: Annotated[Text, AfterValidator(_title)]
    self_text: Text = Field(alias="self")
    rater_text: Text = Field(alias="rater")

    @field_validator("self_text")
    @classmethod
    def _self_wording(cls, value: str) -> str:
        if not value.startswith("I "):
            raise _problem("must start with 'I '")
        return value

    @field_validator("rater_text")
    @classmethod
    def _rater_wording(cls, value: str) -> str:
        if not value.startswith("This person "):
            raise _problem("must start with 'This person '")
        return value


class SubArea(_Model):
    key: Text
    title: Text
    statements: tuple[Statement, ...]

    @field_validator("statements")
    @classmethod
    def _count(cls, value: tuple[Statement, ...]) -> tuple[Statement, ...]:
        # Organisation statements are added after validation (Questionnaire.with_org_statements), so this
        # limit only binds the file.
        if len(value) not in STATEMENTS_PER_SUB_AREA:
            raise _problem(f"must have 4 or 5 statements, not {len(value)}")
        return value


class Area(_Model):
    key: Text
    title: Text
    summary: Text
    sub_areas: tuple[SubArea, ...]

    @model_validator(mode="after")
    def _keys(self) -> Self:
        # An unknown area key is reported by Questionnaire, which knows the expected order.
        expected = AREAS.get(self.key)
        if expected is None:
            return self
        _check_keys([sub.key for sub in self.sub_areas], expected, f"sub-areas of {self.key}", "sub_areas")
        for index, sub in enumerate(self.sub_areas):
            seen: set[str] = set()
            for position, statement in enumerate(sub.statements):
                where = ("sub_areas", index, "statements", position, "key")
                if statement.key in seen:
                    raise _problem(f"duplicate statement key '{statement.key}'", *where)
                seen.add(statement.key)
                # Answers are stored by key, so keys must be predictable and never reused for other wording.
                wanted = f"{self.key}.{sub.key}.{position + 1}"
                if statement.key != wanted:
                    raise _problem(f"must be '{wanted}'", *where)
        return self


class OpenQuestion(_Model):
    key: Text
    text: Text
    hint: Text


class PreparationRating(_Model):
    key: Text
    label: Text  # how the facilitator's copy names it: "Fulfilment"
    question: Text  # how the owner is asked: "How fulfilled do you feel in your current role?"
    missing: Text  # what the owner is told when they submit without it


class PreparationPosition(_Model):
    key: Text
    label: Text


class Preparation(_Model):
    ratings: tuple[PreparationRating, ...]
    positions: tuple[PreparationPosition, ...]

    @field_validator("ratings")
    @classmethod
    def _ratings(cls, value: tuple[PreparationRating, ...]) -> tuple[PreparationRating, ...]:
        _check_keys([rating.key for rating in value], PREPARATION_RATINGS, "ratings")
        return value

    @field_validator("positions")
    @classmethod
    def _positions(cls, value: tuple[PreparationPosition, ...]) -> tuple[PreparationPosition, ...]:
        _check_keys([position.key for position in value], PREPARATION_POSITIONS, "positions")
        return value

    def rating_labels(self) -> dict[str, str]:
        return {rating.key: rating.label for rating in self.ratings}

    def position_label(self, key: str | None) -> str | None:
        return next((position.label for position in self.positions if position.key == key), None)


class Questionnaire(_Model):
    id: Text
    version: Text
    title: Text
    scale: tuple[ScalePoint, ...]
    not_able_to_say: Text
    areas: tuple[Area, ...]
    open_questions: tuple[OpenQuestion, ...]
    preparation: Preparation

    @field_validator("id", "version")
    @classmethod
    def _matches_file_name(cls, value: str, info: ValidationInfo) -> str:
        # load_version finds a version by its file name; a copied file whose version was not updated would
        # otherwise serve under the new name while claiming the old one.
        expected = (info.context or {}).get(info.field_name)
        if expected is not None and value != expected:
            raise _problem(f"must be '{expected}' to match the file name")
        return value

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: tuple[ScalePoint, ...]) -> tuple[ScalePoint, ...]:
        values = [point.value for point in value]
        if values != list(SCALE_VALUES):
            raise _problem(f"must be the values 1 to 5 in order, not {values}")
        return value

    @field_validator("areas")
    @classmethod
    def _areas(cls, value: tuple[Area, ...]) -> tuple[Area, ...]:
        _check_keys([area.key for area in value], list(AREAS), "areas")
        return value

    @field_validator("open_questions")
    @classmethod
    def _open_questions(cls, value: tuple[OpenQuestion, ...]) -> tuple[OpenQuestion, ...]:
        _check_keys([question.key for question in value], OPEN_QUESTIONS, "open questions")
        return value

    def statements(self) -> list[Statement]:
        """Every statement, in the order they are asked."""
        return [statement for area in self.areas for sub in area.sub_areas for statement in sub.statements]

    def statement_keys(self) -> list[str]:
        return [statement.key for statement in self.statements()]

    def area(self, key: str) -> Area:
        for area in self.areas:
            if area.key == key:
                return area
        raise KeyError(f"questionnaire {self.version} has no area '{key}'")

    def with_org_statements(self, extra: Sequence[tuple[str, str, str]]) -> Questionnaire:
        """This questionnaire with an organisation's statements added to Values — Shared.

        `extra` holds (key, self_text, rater_text) triples. The wording rules apply to them; the key
        pattern and the 4–5 count do not, as they are not part of the file.
        """
        if not extra:
            return self
        source = "organisation statements"
        seen = set(self.statement_keys())
        added: list[Statement] = []
        for index, (key, self_text, rater_text) in enumerate(extra):
            try:
                statement = Statement.model_validate({"key": key, "self": self_text, "rater": rater_text,
                                                      "title": title_from_rater_text(rater_text)})
            except ValidationError as error:
                raise QuestionnaireError(_describe(source, error, index)) from error
            if statement.key in seen:
                message = f"duplicate statement key '{statement.key}'"
                raise QuestionnaireError(f"{source}: {index} → key: {message}")
            seen.add(statement.key)
            added.append(statement)
        # model_copy skips validation on purpose: the file's 4–5 limit must not apply to added statements.
        def extended(sub: SubArea) -> SubArea:
            return sub.model_copy(update={"statements": (*sub.statements, *added)})

        areas = tuple(
            area.model_copy(update={"sub_areas": tuple(
                extended(sub) if sub.key == ORG_SUB_AREA else sub for sub in area.sub_areas)})
            if area.key == ORG_AREA else area
            for area in self.areas)
        return self.model_copy(update={"areas": areas})


def _describe(source: str, error: ValidationError, *prefix: str | int) -> str:
    lines = []
    for item in error.errors(include_url=False):
        below = (item.get("ctx") or {}).get(_PATH, ())
        path = " → ".join(str(part) for part in (*prefix, *item["loc"], *below))
        lines.append(f"{source}: {path}: {item['msg']}" if path else f"{source}: {item['msg']}")
    return "\n".join(lines)


class _Loader(yaml.SafeLoader):
    """Safe YAML that rejects a repeated key, where PyYAML would silently keep the last value."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError("while reading a mapping", node.start_mark,
                                                        f"found duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = error.problem or error.context or "not valid YAML"
        raise QuestionnaireError(f"{name}: {where}{problem}") from error
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"{name}: not valid YAML ({error})") from error


def load_file(path: str | Path) -> Questionnaire:
    """Read and check one questionnaire file. A file named ccl-<version>.yaml must say that id and version."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionnaireError(f"{path.name}: cannot be read ({error})") from error
    return _parse(text, path.name)


def with_preparation(data: Any) -> Any:
    """A version written before the Preparation Document's words were part of it asks what every round asked then:
    the words of the first shipped version. Versions that name their own are left as they are."""
    if isinstance(data, dict) and "preparation" not in data:
        return {**data, "preparation": _first_preparation()}
    return data


@cache
def _first_preparation() -> Any:
    return yaml.safe_load((QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8"))["preparation"]


def _parse(text: str, name: str) -> Questionnaire:
    data = with_preparation(_read_yaml(text, name))
    named = _FILE_NAME.fullmatch(name)
    context = {"id": "ccl", "version": named["version"]} if named else {}
    try:
        return Questionnaire.model_validate(data, context=context)
    except ValidationError as error:
        raise QuestionnaireError(_describe(name, error)) from error


def _version_order(version: str) -> tuple[tuple[int, str], ...]:
    # Numeric parts compare as numbers, so 2026.10 comes after 2026.9.
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def available_versions() -> list[str]:
    """The versions shipped in surveys/questionnaires, oldest first."""
    names = (_FILE_NAME.fullmatch(path.name) for path in QUESTIONNAIRES_DIR.glob("ccl-*.yaml"))
    return sorted((name["version"] for name in names if name), key=_version_order)


def for_round(version: str, org_statements: Sequence[Sequence[str]]) -> Questionnaire:
    """The questionnaire of a round: its pinned version, with the organisation's statements it started with."""
    base = load_version(version)
    return base.with_org_statements([(s[0], s[1], s[2]) for s in org_statements]) if org_statements else base


_published: dict[str, Questionnaire] = {}


def load_version(version: str) -> Questionnaire:
    """The questionnaire a cycle is pinned to: from the database (surveys/questionnaire_store.py), or its shipped
    file outside a request or before the database holds it. Cached in the process: a published version never
    changes, and every rater page asks. A draft is never served here, so no round can start on one."""
    cached = _published.get(version)
    if cached is not None:
        return cached
    from surveys.questionnaire_store import published_text

    text = published_text("questionnaire", version, QuestionnaireError)
    questionnaire = _load_shipped(version) if text is None else _parse(text, f"ccl-{version}.yaml")
    _published[version] = questionnaire
    return questionnaire


def forget_cached() -> None:
    """For tests only, whose databases come and go under one process."""
    _published.clear()


def _load_shipped(version: str) -> Questionnaire:
    versions = available_versions()
    # Checking against the list, not just the file's existence, keeps odd version strings out of the path.
    if version not in versions:
        listed = ", ".join(versions) or "none"
        raise QuestionnaireError(f"ccl-{version}.yaml: no questionnaire version '{version}'; "
                                 f"available: {listed}")
    return load_file(QUESTIONNAIRES_DIR / f"ccl-{version}.yaml")


def shipped_files() -> dict[str, Path]:
    return {version: QUESTIONNAIRES_DIR / f"ccl-{version}.yaml" for version in available_versions()}
