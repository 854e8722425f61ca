"""What changed between two questionnaire versions, and which statements carry over (PRODUCT §2.3, §10): pure.

Statement keys are positions (`<area>.<sub_area>.<n>`), so a statement removed from the middle of a sub-area moves
every key after it: keys alone cannot say what changed. Statements are matched by their words first (the same
self and rater wording, wherever it now sits), then by key, then by the closest rater wording; what is left was
removed or added.

Carrying over is a separate, declared fact: the change between two rounds (followup.rules) compares a figure only
where every statement beneath it carries over. The administrator declares it per statement; the form starts from
the same key with the same rater wording (a figure's "All others" answers come from raters' wording alone).
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from surveys.questionnaire import Questionnaire, Statement

SIMILAR = 0.6  # difflib's ratio above which a rater wording is taken as reworded rather than replaced
_TOKENS = re.compile(r"\S+\s*|\s+")  # a word with the spaces after it


class Change(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "wording changed"
    MOVED = "moved to another sub-area"


@dataclass(frozen=True)
class Piece:
    """A run of words of a diff: kept ("same"), only in the older wording ("del") or only in the newer ("ins")."""

    kind: str
    text: str


Diff = tuple[Piece, ...]


def word_diff(older: str, newer: str) -> Diff:
    """The newer wording against the older, word by word (spaces kept, so the pieces read as the sentence)."""
    a, b = _TOKENS.findall(older), _TOKENS.findall(newer)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return tuple(pieces)


def is_changed(diff: Diff) -> bool:
    return any(piece.kind != "same" for piece in diff)


@dataclass(frozen=True)
class Placed:
    """A statement with where it sits: its area and sub-area keys and titles."""

    statement: Statement
    sub_key: str  # "<area>.<sub_area>"
    sub_title: str


def placed(questionnaire: Questionnaire) -> list[Placed]:
    return [Placed(s, f"{area.key}.{sub.key}", f"{area.title}: {sub.title}")
            for area in questionnaire.areas for sub in area.sub_areas for s in sub.statements]


@dataclass(frozen=True)
class StatementRow:
    older: Placed | None
    newer: Placed | None
    changes: frozenset[Change]
    title: Diff = ()
    self_text: Diff = ()
    rater_text: Diff = ()

    @property
    def sub_key(self) -> str:
        """Where the row is listed: the newer version's sub-area, or the older one's for a removed statement."""
        return (self.newer or self.older).sub_key  # type: ignore[union-attr]


def _row(older: Placed | None, newer: Placed | None) -> StatementRow:
    if older is None or newer is None:
        return StatementRow(older, newer, frozenset({Change.ADDED if older is None else Change.REMOVED}))
    o, n = older.statement, newer.statement
    diffs = word_diff(o.title, n.title), word_diff(o.self_text, n.self_text), word_diff(o.rater_text, n.rater_text)
    changes = {Change.REWORDED} if any(map(is_changed, diffs)) else set()
    if older.sub_key != newer.sub_key:
        changes.add(Change.MOVED)
    return StatementRow(older, newer, frozenset(changes), *diffs)


def match_statements(older: Sequence[Placed], newer: Sequence[Placed]) -> list[tuple[Placed | None, Placed | None]]:
    """Pairs of the same statement in both versions, then the removed (None after) and the added (None before)."""
    pairs: dict[int, int] = {}  # newer index → older index
    free_old = set(range(len(older)))

    def pair(j: int, i: int) -> None:
        pairs[j] = i
        free_old.discard(i)

    by_words: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(older):
        by_words.setdefault((p.statement.self_text, p.statement.rater_text), []).append(i)
    for j, p in enumerate(newer):  # the same words, wherever they now are
        same = by_words.get((p.statement.self_text, p.statement.rater_text))
        if same:
            pair(j, same.pop(0))
    old_by_key = {p.statement.key: i for i, p in enumerate(older)}
    for j, p in enumerate(newer):  # the same key, close enough in wording to be the same question reworded
        i = old_by_key.get(p.statement.key)
        if j not in pairs and i in free_old and _similarity(older[i], p) >= SIMILAR:  # type: ignore[arg-type]
            pair(j, i)  # type: ignore[arg-type]
    candidates = sorted(((_similarity(older[i], p), j, i) for j, p in enumerate(newer) if j not in pairs
                         for i in free_old), key=lambda c: (-c[0], c[1], c[2]))
    for score, j, i in candidates:  # then the closest wording anywhere
        if score >= SIMILAR and j not in pairs and i in free_old:
            pair(j, i)
    found: list[tuple[Placed | None, Placed | None]] = [
        (older[pairs[j]] if j in pairs else None, p) for j, p in enumerate(newer)]
    return found + [(older[i], None) for i in sorted(free_old)]


def _similarity(older: Placed, newer: Placed) -> float:
    return difflib.SequenceMatcher(None, older.statement.rater_text, newer.statement.rater_text,
                                   autojunk=False).ratio()


@dataclass(frozen=True)
class Heading:
    """An area's or sub-area's words, or an open question's, compared by key."""

    key: str
    older: tuple[str, ...] | None  # its texts (title, summary; or text, hint), None where the older lacks it
    newer: tuple[str, ...] | None
    diffs: tuple[Diff, ...]

    @property
    def change(self) -> Change | None:
        if self.older is None:
            return Change.ADDED
        if self.newer is None:
            return Change.REMOVED
        return Change.REWORDED if any(map(is_changed, self.diffs)) else None


def _headings(older: Mapping[str, tuple[str, ...]], newer: Mapping[str, tuple[str, ...]]) -> list[Heading]:
    keys = [*newer, *(k for k in older if k not in newer)]
    return [Heading(k, older.get(k), newer.get(k),
                    tuple(word_diff(a, b) for a, b in zip(older[k], newer[k], strict=True))
                    if k in older and k in newer else ()) for k in keys]


@dataclass(frozen=True)
class Comparison:
    areas: tuple[Heading, ...]  # title, summary
    sub_areas: tuple[Heading, ...]  # key "<area>.<sub_area>"; title
    statements: tuple[StatementRow, ...]
    open_questions: tuple[Heading, ...]  # text, hint

    def counts(self) -> dict[Change, int]:
        return {change: sum(change in row.changes for row in self.statements) for change in Change}

    def rows_in(self, sub_key: str) -> list[StatementRow]:
        return [row for row in self.statements if row.sub_key == sub_key]


def compare(older: Questionnaire, newer: Questionnaire) -> Comparison:
    rows = tuple(_row(o, n) for o, n in match_statements(placed(older), placed(newer)))
    return Comparison(
        tuple(_headings({a.key: (a.title, a.summary) for a in older.areas},
                        {a.key: (a.title, a.summary) for a in newer.areas})),
        tuple(_headings({f"{a.key}.{s.key}": (s.title,) for a in older.areas for s in a.sub_areas},
                        {f"{a.key}.{s.key}": (s.title,) for a in newer.areas for s in a.sub_areas})),
        rows,
        tuple(_headings({q.key: (q.text, q.hint) for q in older.open_questions},
                        {q.key: (q.text, q.hint) for q in newer.open_questions})))


# --- Declared carry-over -----------------------------------------------------------------------------------------


def default_carry_over(older: Questionnaire, newer: Questionnaire) -> dict[str, str]:
    """What the form proposes before anything is declared: each statement whose key is in the newer version with
    the same rater wording carries over to it."""
    rater = {s.key: s.rater_text for s in newer.statements()}
    return {s.key: s.key for s in older.statements() if rater.get(s.key) == s.rater_text}


def carry_over_problems(chosen: Mapping[str, str | None], older_keys: Sequence[str],
                        newer_keys: Collection[str]) -> dict[str, str]:
    """Every reason a declaration cannot be kept, by the older statement's key: each older statement carries over to
    one newer statement at most, and no newer statement takes two."""
    problems: dict[str, str] = {}
    taken: dict[str, str] = {}
    for key in older_keys:
        target = chosen.get(key)
        if target is None:
            continue
        if target not in newer_keys:
            problems[key] = "Choose a statement of the newer version, or “Does not carry over”"
        elif target in taken:
            problems[key] = (f"{target} is already carried over from {taken[target]}: choose another statement, "
                             "or “Does not carry over”")
        else:
            taken[target] = key
    unknown = set(chosen) - set(older_keys)
    if unknown:
        problems[min(unknown)] = "This statement is not in the older version"
    return problems


def refusal_to_declare(older_is_draft: bool, newer_is_draft: bool, same: bool) -> str | None:
    if same:
        return "Choose two different versions to say what carries over from one to the other."
    if older_is_draft or newer_is_draft:
        return ("What carries over can only be declared between published versions: a draft may still change. "
                "Publish it first.")
    return None


def chained_carry_over(declarations: Mapping[tuple[str, str], Mapping[str, str | None]], earlier: str,
                       later: str) -> dict[str, str] | None:
    """Earlier key → later key through the shortest chains of declarations, each read either way round (2026.1 →
    2027.1 declared and 2027.1 → 2028.1 declared compare 2026.1 with 2028.1): a statement carries over only if it
    carries over at every step, and to the same statement along every shortest chain (two chains that disagree say
    that one of them joins different questions: neither is trusted). Between two versions declared both ways round,
    the declaration in the direction of travel is read, as `carried` reads a direct one. None when no chain joins the
    two versions. The answer never depends on the order rows were read."""
    declared = {pair: {key: target for key, target in rows.items() if target is not None}
                for pair, rows in declarations.items()}
    neighbours: dict[str, set[str]] = {}
    for older, newer in declared:
        neighbours.setdefault(older, set()).add(newer)
        neighbours.setdefault(newer, set()).add(older)

    def step(start: str, end: str) -> dict[str, str]:
        if (start, end) in declared:
            return declared[(start, end)]
        return {target: key for key, target in declared[(end, start)].items()}

    reached: dict[str, dict[str, str] | None] = {earlier: None}  # None: every key of `earlier`, as it is
    frontier = [earlier]
    while frontier and later not in reached:
        found: dict[str, dict[str, str]] = {}
        for version in frontier:
            so_far = reached[version]
            for step_to in sorted(neighbours.get(version, ())):
                if step_to in reached:
                    continue
                mapping = step(version, step_to)
                through = (dict(mapping) if so_far is None else
                           {key: mapping[middle] for key, middle in so_far.items() if middle in mapping})
                found[step_to] = through if step_to not in found else {
                    key: target for key, target in found[step_to].items() if through.get(key) == target}
        reached.update(found)
        frontier = sorted(found)
    found_later = reached.get(later)
    return None if later == earlier or later not in reached else dict(found_later or {})
