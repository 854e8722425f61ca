"""Rules for editing a draft questionnaire on the site (PRODUCT §2.3, §6), as pure functions: no database, no request.

An edit page is a list of fields, each naming the place in the questionnaire it changes. The edit is applied to the
draft's data and the whole draft is checked as a shipped file is (surveys/questionnaire.py), then for what the rest
of the product needs: the largest answer a rater could give still seals within the fixed size (surveys/sealed.py),
and statement keys are stable (an edited statement keeps its key) and unique. A refusal names the field at fault.
"""

from __future__ import annotations

import copy
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from pydantic import ValidationError

from surveys import sealed
from surveys.questionnaire import _PATH, STATEMENTS_PER_SUB_AREA, Questionnaire, with_preparation
from surveys.questionnaire_rules import DEFAULT_LANGUAGE, VERSION_PATTERN, Status

# The editor edits one language: the English text of a version. A Welsh text ("cy") would be a second text of the
# same version, edited on the same pages with the same keys (README, "The questionnaire").
EDITED_LANGUAGE = DEFAULT_LANGUAGE
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh (Cymraeg)"}

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class EditField:
    name: str  # the form field's name and id, which the error summary links to
    label: str
    path: Path  # where in the questionnaire's data it writes
    hint: str | None = None
    is_long: bool = False  # a text area rather than a one-line box


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class EditRefused(ValueError):
    """An edit that would break the draft: every problem, each at its field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


def refusal_to_edit(status: Status) -> str | None:
    if status is not Status.DRAFT:
        return ("A published version is never changed: rounds may be pinned to it. Start a new draft from it "
                "instead.")
    return None


# --- the data of a draft ----------------------------------------------------------------------------------------


def as_data(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as the plain data of its file (lists and strings, "self"/"rater" as the file spells them)."""
    return questionnaire.model_dump(mode="json", by_alias=True)


def value_at(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def with_values(data: Mapping[str, Any], values: Mapping[Path, str]) -> dict[str, Any]:
    """A copy of `data` with each path set to its value; `data` is not changed."""
    changed = copy.deepcopy(dict(data))
    for path, value in values.items():
        parent = value_at(changed, path[:-1])
        parent[path[-1]] = value
    return changed


def _locate(questionnaire: Questionnaire, key: str) -> tuple[int, int, int]:
    for a, area in enumerate(questionnaire.areas):
        for s, sub in enumerate(area.sub_areas):
            for n, statement in enumerate(sub.statements):
                if statement.key == key:
                    return a, s, n
    raise KeyError(key)


def _sub_area(questionnaire: Questionnaire, area_key: str, sub_key: str) -> tuple[int, int]:
    for a, area in enumerate(questionnaire.areas):
        for s, sub in enumerate(area.sub_areas):
            if area.key == area_key and sub.key == sub_key:
                return a, s
    raise KeyError(f"{area_key}.{sub_key}")


def with_new_statement(data: Mapping[str, Any], questionnaire: Questionnaire, area_key: str,
                       sub_key: str) -> tuple[dict[str, Any], str]:
    """The draft with an empty statement at the end of a sub-area, and its key: the next number, so that no other
    statement's key moves. It is refused until its words are filled in."""
    a, s = _sub_area(questionnaire, area_key, sub_key)
    changed = copy.deepcopy(dict(data))
    statements = changed["areas"][a]["sub_areas"][s]["statements"]
    key = f"{area_key}.{sub_key}.{len(statements) + 1}"
    statements.append({"key": key, "title": "", "self": "", "rater": ""})
    return changed, key


def removable(questionnaire: Questionnaire, key: str) -> str | None:
    """Why a statement cannot be removed, or None. Only the last of a sub-area's five: keys are stored with every
    answer, so removing one in the middle would give the statements after it another statement's key."""
    a, s, n = _locate(questionnaire, key)
    statements = questionnaire.areas[a].sub_areas[s].statements
    if len(statements) <= min(STATEMENTS_PER_SUB_AREA):
        return f"A sub-area needs at least {min(STATEMENTS_PER_SUB_AREA)} statements, so none of these can be removed."
    if n != len(statements) - 1:
        return ("Only the last statement of a sub-area can be removed, so that no other statement's key changes. "
                "To replace this one, change its words.")
    return None


def without_statement(data: Mapping[str, Any], questionnaire: Questionnaire, key: str) -> dict[str, Any]:
    a, s, n = _locate(questionnaire, key)
    changed = copy.deepcopy(dict(data))
    del changed["areas"][a]["sub_areas"][s]["statements"][n]
    return changed


# --- the fields of each page ----------------------------------------------------------------------------------------


def statement_fields(questionnaire: Questionnaire, key: str) -> list[EditField]:
    return _statement_fields(("areas", *_locate(questionnaire, key)))


def new_statement_fields(questionnaire: Questionnaire, area_key: str, sub_key: str) -> list[EditField]:
    """The fields of the statement `with_new_statement` adds at the end of the sub-area."""
    a, s = _sub_area(questionnaire, area_key, sub_key)
    return _statement_fields(("areas", a, s, len(questionnaire.areas[a].sub_areas[s].statements)))


def _statement_fields(place: tuple[str, int, int, int]) -> list[EditField]:
    _, a, s, n = place
    at: Path = ("areas", a, "sub_areas", s, "statements", n)
    return [EditField("title", "Short title", (*at, "title"),
                      "How the report names it: a few words about the behaviour, no person, no full stop"),
            EditField("self_text", "Owner's wording", (*at, "self"), "Starts with “I ”. One idea, plain words"),
            EditField("rater_text", "Raters' wording", (*at, "rater"),
                      "Starts with “This person ” and says the same as the owner's wording")]


def area_fields(questionnaire: Questionnaire, area_key: str) -> list[EditField]:
    a = next(i for i, area in enumerate(questionnaire.areas) if area.key == area_key)
    fields = [EditField("title", "Area title", ("areas", a, "title")),
              EditField("summary", "Summary", ("areas", a, "summary"),
                        "One sentence at the top of the area's page", is_long=True)]
    fields += [EditField(f"sub_{sub.key}", f"Title of sub-area {s + 1}", ("areas", a, "sub_areas", s, "title"))
               for s, sub in enumerate(questionnaire.areas[a].sub_areas)]
    return fields


def general_fields(questionnaire: Questionnaire) -> list[EditField]:
    fields = [EditField("title", "Questionnaire title", ("title",))]
    fields += [EditField(f"scale_{point.value}", f"Answer {point.value} of 5", ("scale", i, "label"))
               for i, point in enumerate(questionnaire.scale)]
    fields.append(EditField("not_able_to_say", "The answer for raters who cannot say", ("not_able_to_say",)))
    return fields


def open_question_fields(questionnaire: Questionnaire) -> list[EditField]:
    fields = []
    for i, question in enumerate(questionnaire.open_questions):
        fields += [EditField(f"{question.key}_text", f"Open question {i + 1}", ("open_questions", i, "text")),
                   EditField(f"{question.key}_hint", f"Hint for open question {i + 1}",
                             ("open_questions", i, "hint"))]
    return fields


def preparation_fields(questionnaire: Questionnaire) -> list[EditField]:
    fields = []
    for i, rating in enumerate(questionnaire.preparation.ratings):
        at: Path = ("preparation", "ratings", i)
        fields += [EditField(f"{rating.key}_question", f"Rating {i + 1}: question", (*at, "question")),
                   EditField(f"{rating.key}_label", f"Rating {i + 1}: short name", (*at, "label"),
                             "How the facilitator's copy names it"),
                   EditField(f"{rating.key}_missing", f"Rating {i + 1}: message when it is missing",
                             (*at, "missing"), "Says what to do, such as “Choose how …”")]
    fields += [EditField(f"position_{position.key}", f"Position {i + 1}", ("preparation", "positions", i, "label"))
               for i, position in enumerate(questionnaire.preparation.positions)]
    return fields


# --- checking -------------------------------------------------------------------------------------------------------


def checked(data: Mapping[str, Any], fields: Sequence[EditField], before: Questionnaire) -> Questionnaire:
    """The edited draft, checked; EditRefused names each field at fault. A problem outside the page's fields (which
    an edit cannot cause, but a rule may) is put on the page's first field rather than lost."""
    try:
        questionnaire = Questionnaire.model_validate(with_preparation(dict(data)), context={"id": "ccl"})
    except ValidationError as error:
        raise EditRefused(_field_problems(error, fields)) from None
    problems = _one_line_problems(as_data(questionnaire), fields)
    problems += [FieldProblem(fields[0].name, message) for message in key_problems(
        before.statement_keys(), questionnaire.statement_keys())]
    if sealed.padded_size(questionnaire) > sealed.MAX_PADDED_BYTES:
        problems.append(FieldProblem(fields[0].name, "There are too many statements for a response to be sealed "
                                                     "at its fixed size"))
    if problems:
        raise EditRefused(problems)
    return questionnaire


def _strings(data: Any, path: Path = ()) -> Iterable[tuple[Path, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def _one_line_problems(data: Mapping[str, Any], fields: Sequence[EditField]) -> list[FieldProblem]:
    """Every text of a questionnaire is one line: a line break or other control character would be lost or shown
    differently on one page and another (a carriage return did, found by the property test)."""
    by_path = {field.path: field for field in fields}
    problems = []
    for path, text in _strings(data):
        if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text):
            field = by_path.get(path)
            where = field.label if field else " → ".join(str(part) for part in path)
            problems.append(FieldProblem(field.name if field else fields[0].name,
                                         f"{where} must be one line, without line breaks, tabs or other control "
                                         "characters"))
    return problems


def _field_problems(error: ValidationError, fields: Sequence[EditField]) -> list[FieldProblem]:
    by_path = {field.path: field for field in fields}
    problems: list[FieldProblem] = []
    for item in error.errors(include_url=False):
        path = (*item["loc"], *tuple((item.get("ctx") or {}).get(_PATH, ())))
        field = next((by_path[path[:end]] for end in range(len(path), 0, -1) if path[:end] in by_path), None)
        message = item["msg"].removeprefix("Value error, ")
        if field is None:
            field = fields[0]
            message = f"{' → '.join(str(part) for part in path)}: {message}"
        elif message == "must not be blank":
            message = f"Enter the {field.label[:1].lower()}{field.label[1:]}"
        else:
            message = f"{field.label} {message}"
        if all(p.field != field.name for p in problems):  # one message a field, the first found
            problems.append(FieldProblem(field.name, message))
    order = [field.name for field in fields]
    return sorted(problems, key=lambda p: order.index(p.field))


def key_problems(before: Sequence[str], after: Sequence[str]) -> list[str]:
    """Keys stay stable and unique: every statement kept keeps its key and place, a new one comes at the end of its
    sub-area with the next number, and only the last of a sub-area can go. Answers, reports and the change since
    the last report (§10) are stored and compared by key, so a key that moved would carry another statement's
    answers."""
    problems = [f"The statement key {key} is used more than once" for key in sorted(set(after))
                if after.count(key) > 1]
    for sub, old in _by_sub_area(before).items():
        new = _by_sub_area(after).get(sub, [])
        shared = min(len(old), len(new))
        if old[:shared] != new[:shared]:
            problems.append(f"The statements of {sub} would change keys; a statement keeps its key when edited")
    for sub, new in _by_sub_area(after).items():
        if new != [f"{sub}.{n}" for n in range(1, len(new) + 1)]:
            problems.append(f"The statements of {sub} must be numbered from 1 in order")
    return problems


def _by_sub_area(keys: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key in keys:
        grouped.setdefault(key.rsplit(".", 1)[0], []).append(key)
    return grouped


def changed_labels(before: Mapping[str, Any], after: Mapping[str, Any], fields: Sequence[EditField]) -> list[str]:
    """The labels of the fields an edit changed, for the audit log."""
    return [field.label for field in fields if value_at(before, field.path) != value_at(after, field.path)]


# --- two administrators on one draft ------------------------------------------------------------------------------


def _normal(text: str) -> str:
    # What a field means, not how a browser posted it: text areas come back with CRLF, prompts drop blank lines.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _digest(text: str) -> str:
    return hashlib.sha256(_normal(text).encode()).hexdigest()[:16]


def seen_fingerprints(values: Mapping[str, str]) -> str:
    """What an edit page showed, as one hidden value: a short hash of each field's words (never the words)."""
    return json.dumps({name: _digest(value) for name, value in values.items()}, sort_keys=True)


def merged_edit(seen: str, current: Mapping[str, str],
                posted: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Another administrator may have saved the same draft since this page was opened. Field by field: keep what this
    administrator typed where nobody else changed the field, keep the other's words where only they changed it, and
    name the fields both changed differently (the caller refuses those, showing the other's words). A page posted
    without a readable `seen` (opened before this rule) is taken as seen now: the save goes through as typed."""
    try:
        fingerprints = json.loads(seen)
    except ValueError:
        fingerprints = None
    if not isinstance(fingerprints, dict):
        fingerprints = {name: _digest(value) for name, value in current.items()}
    values: dict[str, str] = {}
    clashes: list[str] = []
    for name, mine in posted.items():
        theirs = current.get(name, "")
        seen_here = fingerprints.get(name, _digest(theirs))
        if _digest(theirs) == seen_here or _normal(mine) == _normal(theirs):
            values[name] = mine
        elif _digest(mine) == seen_here:
            values[name] = theirs
        else:
            values[name] = mine
            clashes.append(name)
    return values, clashes


# --- plain English ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    score: int  # Flesch reading ease, from 0 (hardest) to 100 (easiest); plain English is 60 or more
    band: str
    is_hard: bool


# Flesch's own bands. A statement is one short sentence, so a long word or two moves it a long way: the figure is
# advice beside the words, never a refusal.
_BANDS = ((80, "easy"), (60, "plain English"), (50, "fairly hard"), (0, "hard"))


@cache
def _british() -> Any:
    """textstat's English formula with British hyphenation (pyphen's en_GB) counting syllables. Named "en-GB" (the
    BCP 47 tag), textstat does not load the CMU pronouncing dictionary it uses for a language it calls "en": that
    costs 77 MB and 4 s in every web process, for a figure that moves by a point or two."""
    from textstat.textstat import textstatistics

    british = textstatistics()
    british.set_lang("en-GB")
    return british


def readability(text: str) -> Readability:
    score = max(0, min(100, round(_british().flesch_reading_ease(text))))
    band = next(name for floor, name in _BANDS if score >= floor)
    return Readability(score, band, score < 50)


# --- a new draft --------------------------------------------------------------------------------------------------


def with_version(text: str, version: str) -> str:
    """A version's file with another version number, changing nothing else (comments, layout and words stay)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the file is not a mapping")
    for key, value in root.value:
        if key.value == "version":
            return text[:value.start_mark.index] + json.dumps(version) + text[value.end_mark.index:]
    raise ValueError("the file has no version")


def suggested_version(source: str, taken: Iterable[str]) -> str:
    """The next free number after `source` in its year ("2026.1" → "2026.2"), for the new-draft page to offer."""
    taken = set(taken)
    year, _, rest = source.partition(".")
    number = int(rest) if rest.isdigit() else 0
    while True:
        number += 1
        candidate = f"{year}.{number}"
        if candidate not in taken and VERSION_PATTERN.fullmatch(candidate):
            return candidate
