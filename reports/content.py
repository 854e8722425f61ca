"""Everything a report is made of, from a round's responses (pure): the figure table, the questionnaire's layout and
titles as they were at the build, and the comments of shown groups. Sealed as JSON; the pages and PDFs are
rendered from it for each reader (`reports.render`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from reports.anonymity import Group, RaterResponse
from reports.table import AreaInfo, FigureTable, Layout, StatementInfo, SubAreaInfo, build_table, layout_from_json
from surveys.questionnaire import Questionnaire


@dataclass(frozen=True)
class ReportData:
    table: FigureTable
    layout: Layout
    open_questions: tuple[tuple[str, str], ...]  # (key, text)
    comments: Mapping[str, Mapping[str, tuple[str, ...]]]  # group label → question key → comments, shuffled

    def content_json(self) -> dict[str, Any]:
        return {"layout": [asdict(area) for area in self.layout],
                "open_questions": [list(q) for q in self.open_questions],
                "comments": {label: {k: list(v) for k, v in by_q.items()} for label, by_q in self.comments.items()}}

    @classmethod
    def from_json(cls, table: Mapping[str, Any], content: Mapping[str, Any]) -> ReportData:
        return cls(FigureTable.from_json(table), layout_from_json(content["layout"]),
                   tuple((k, t) for k, t in content["open_questions"]),
                   {label: {k: tuple(v) for k, v in by_q.items()} for label, by_q in content["comments"].items()})


def layout_of(questionnaire: Questionnaire) -> Layout:
    return tuple(AreaInfo(area.key, area.title, tuple(
        SubAreaInfo(f"{area.key}.{sub.key}", sub.title, tuple(StatementInfo(s.key, s.title) for s in sub.statements))
        for sub in area.sub_areas)) for area in questionnaire.areas)


def build_report_data(questionnaire: Questionnaire, responses: Sequence[RaterResponse],
                      self_answers: Mapping[str, int | str], rng: random.Random | None = None,
                      *, rule_b: bool = True) -> ReportData:
    layout = layout_of(questionnaire)
    table, merging = build_table(layout, responses, self_answers, rule_b=rule_b)
    return ReportData(table, layout, tuple((q.key, q.text) for q in questionnaire.open_questions),
                      comments_by_group(questionnaire, responses, merging.groups, rng or random.SystemRandom()))


def comments_by_group(questionnaire: Questionnaire, responses: Sequence[RaterResponse], groups: Sequence[Group],
                      rng: random.Random) -> dict[str, dict[str, tuple[str, ...]]]:
    """Comments of shown groups only (withheld responses are in no group), per open question, shuffled so that
    their order says nothing, and kept apart per question so one rater's answers are never side by side."""
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for group in groups:
        per_question: dict[str, tuple[str, ...]] = {}
        for question in questionnaire.open_questions:
            texts = [text for m in sorted(group.members)
                     if (text := (responses[m].comments.get(question.key) or "").strip())]
            rng.shuffle(texts)
            if texts:
                per_question[question.key] = tuple(texts)
        if per_question:
            result[group.label] = per_question
    return result
