"""Reading and checking questionnaire answers: pure functions shared by the self-assessment and the rater survey.

An answer is an int 1–5, or NOT_ABLE_TO_SAY (raters only). Anything else from a form is ignored, not stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from surveys.questionnaire import NOT_ABLE_TO_SAY, Area, Questionnaire, Statement

MAX_COMMENT_LENGTH = 2000


def field_name(statement_key: str) -> str:
    """Form field names and ids use hyphens: a dot in an id breaks the error summary's link."""
    return "s-" + statement_key.replace(".", "-")


def area_statements(area: Area) -> list[Statement]:
    return [s for sub in area.sub_areas for s in sub.statements]


def parse_answer(raw: str | None, allow_not_able: bool) -> int | str | None:
    if raw is None:
        return None
    raw = raw.strip()
    if allow_not_able and raw == NOT_ABLE_TO_SAY:
        return NOT_ABLE_TO_SAY
    if raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    return None


def read_area(area: Area, form: Mapping[str, str], allow_not_able: bool) -> dict[str, int | str]:
    """The valid answers given for one area's statements."""
    answers: dict[str, int | str] = {}
    for statement in area_statements(area):
        value = parse_answer(form.get(field_name(statement.key)), allow_not_able)
        if value is not None:
            answers[statement.key] = value
    return answers


def unanswered(statements: Sequence[Statement], answers: Mapping[str, Any]) -> list[Statement]:
    return [s for s in statements if s.key not in answers]


def first_incomplete_area(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> int | None:
    """1-based number of the first area with a statement not answered, or None when all are answered."""
    for number, area in enumerate(questionnaire.areas, start=1):
        if unanswered(area_statements(area), answers):
            return number
    return None


def changing_at(requested: str | None, fields: Sequence[str]) -> str | None:
    """The field a "Change" link from a check page asked for, if it is one of this page's: the page then goes back
    to the check page, at that question, once saved. Anything else is ignored, so the value can only ever name an
    element id of our own."""
    return requested if requested in fields else None


def keep_known(questionnaire: Questionnaire, answers: Mapping[str, Any], allow_not_able: bool) -> dict[str, Any]:
    """Drop answers to statements that are not in this questionnaire (a tampered or stale form)."""
    keys = set(questionnaire.statement_keys())
    return {k: v for k, v in answers.items()
            if k in keys and parse_answer(str(v), allow_not_able) is not None}


# Control characters other than tab and line breaks: nothing a reader can see, and each would take six bytes once
# escaped in JSON, where the fixed size of a sealed response counts four a character (surveys/sealed.py).
_INVISIBLE = {code: None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


def clean_comment(text: str) -> str:
    """An open-question answer as kept: trimmed, without invisible control characters."""
    return text.translate(_INVISIBLE).strip()


def read_comments(questionnaire: Questionnaire, form: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Trimmed open-question answers, and the keys of those that are too long."""
    comments: dict[str, str] = {}
    too_long: list[str] = []
    for question in questionnaire.open_questions:
        text = clean_comment(form.get(f"q-{question.key}") or "")
        if text:
            comments[question.key] = text
        if len(text) > MAX_COMMENT_LENGTH:
            too_long.append(question.key)
    return comments, too_long


def missing_answer(text: str) -> str:
    """The message for a statement left unanswered, the same in the error summary and at the statement."""
    return f"Choose an answer for “{text}”"


def too_long_comment(question_text: str) -> str:
    """The message for an answer over the limit, naming its question (two alike would not say which is which)."""
    return f"Write {MAX_COMMENT_LENGTH} characters or fewer for “{question_text}”"
