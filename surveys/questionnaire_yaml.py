"""A questionnaire written back as the YAML file the product ships (PRODUCT §2.3), so that a version edited on the
site downloads as a file a team can keep in version control and upload again. Writing the shipped version gives
its file byte for byte (tests/surveys/test_questionnaire_yaml.py), which keeps the layout one a person can read.

Every value is written plain where YAML reads it back as the same text, and in double quotes where it would not
("2026.1" would read as a number, "yes" as true, "a: b" as a mapping); both ways are checked by reading back.
"""

from __future__ import annotations

import yaml

from surveys.questionnaire import Questionnaire


def scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar that reads back as exactly `value`, inside a flow mapping ({…}) when `flow`."""
    for candidate in (value, quoted(value)):
        document = f"{{k: {candidate}}}" if flow else f"k: {candidate}\n"
        try:
            if yaml.safe_load(document) == {"k": value}:
                return candidate
        except yaml.YAMLError:
            continue
    raise ValueError(f"cannot write {value!r} as YAML")  # quoted() always reads back; kept as a guard


def quoted(value: str) -> str:
    """A double-quoted scalar: printable ASCII as it is, anything else escaped, so no character YAML reads as a line
    break or refuses can reach the file raw."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif " " <= char <= "~" or (char.isprintable() and ord(char) > 0xA0 and char not in "\u2028\u2029\ufeff"):
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


_HEADER = """\
# The Self-Assessment Questionnaire (PRODUCT §2.3), version {version}.
#
# A round is pinned to the version it started with, so never change the wording of a published version:
# copy this file to a new version (ccl-<version>.yaml) and change the copy.
#
# Wording rules (checked by surveys/questionnaire.py when the file is loaded):
# - "self" starts with "I " and "rater" starts with "This person "; both say the same thing.
# - One idea per statement, about something a colleague could see the person do. Plain English, short words.
# - Statement keys are <area>.<sub_area>.<n>, counting from 1 in each sub-area.
# - "title" is how the report names the statement: short, neutral, no person in it, no full stop.
"""

_PREPARATION_HEADER = """\
# The Preparation Document (PRODUCT §2.2): the owner rates five things about their current role from 1 to 5, and
# chooses which of three positions fits them today. The keys are fixed; "label" is how the facilitator's copy names
# a rating, "question" how the owner is asked, and "missing" what they are told if they submit without it.
"""


def questionnaire_yaml(questionnaire: Questionnaire) -> str:
    """The file of a checked questionnaire (organisation statements are not part of a version: pass the base)."""
    q = questionnaire
    lines = [_HEADER.format(version=q.version).rstrip("\n"),
             f"id: {scalar(q.id)}", f"version: {quoted(q.version)}", f"title: {scalar(q.title)}", "", "scale:"]
    lines += [f"  - {{value: {point.value}, label: {scalar(point.label, flow=True)}}}" for point in q.scale]
    lines += [f"not_able_to_say: {scalar(q.not_able_to_say)}", "", "areas:"]
    for number, area in enumerate(q.areas):
        if number:
            lines.append("")
        lines += [f"  - key: {scalar(area.key)}", f"    title: {scalar(area.title)}",
                  f"    summary: {scalar(area.summary)}", "    sub_areas:"]
        for sub in area.sub_areas:
            lines += [f"      - key: {scalar(sub.key)}", f"        title: {scalar(sub.title)}", "        statements:"]
            for statement in sub.statements:
                lines += [f"          - key: {scalar(statement.key)}", f"            title: {scalar(statement.title)}",
                          f"            self: {scalar(statement.self_text)}",
                          f"            rater: {scalar(statement.rater_text)}"]
    lines += ["", "open_questions:"]
    for question in q.open_questions:
        lines += [f"  - key: {scalar(question.key)}", f"    text: {scalar(question.text)}",
                  f"    hint: {scalar(question.hint)}"]
    lines += ["", _PREPARATION_HEADER.rstrip("\n"), "preparation:", "  ratings:"]
    for rating in q.preparation.ratings:
        lines += [f"    - key: {scalar(rating.key)}", f"      label: {scalar(rating.label)}",
                  f"      question: {scalar(rating.question)}", f"      missing: {scalar(rating.missing)}"]
    lines.append("  positions:")
    for position in q.preparation.positions:
        lines += [f"    - key: {scalar(position.key)}", f"      label: {scalar(position.label)}"]
    return "\n".join(lines) + "\n"
