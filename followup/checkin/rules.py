"""Goal check-ins (PRODUCT §10): the rules, pure. When an owner may send one, what a rater's answer is, and which
figures a closed check-in shows.

A check-in asks each rater one question per agreed goal, on −2…+2 ("much less effective" to "much more
effective") or "Not able to say". Its figures are a report's statement figures under the same rules (PRODUCT §3.2):
every check-in rater is in one group, so a goal's figure shows only on 3 or more answers, and the figure table is
built by `reports.table.build_table` and checked by `reports.checker.check`, the report's own builder and checker.
That table speaks the report's 1–5 scale: an answer is stored as itself and put in the table shifted by `SHIFT`
(−2 → 1 … +2 → 5), and a printed figure is the table's value less `SHIFT`, exactly (both are tenths).

Each goal is a sub-area of its own with one statement, so the report's half-of-the-statements rule (a rater counts
in a sub-area only when they rated at least half of it) is simply "rated this goal": a rater who can speak to one
goal of eight still counts on that one.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from app.errors import DomainError
from reports.anonymity import ALL_OTHERS, MIN_GROUP, RaterResponse
from reports.checker import check
from reports.table import STATEMENT, AreaInfo, FigureTable, StatementInfo, SubAreaInfo, as_fraction, build_table
from surveys.categories import Category
from surveys.cycle import check_chosen_close_date, default_close_date

MIN_RATERS = 3  # fewer could never show a figure
DEFAULT_OPEN_DAYS = 14  # a short question: two weeks, moved off weekends and bank holidays as a round's close is
NOT_ABLE = "n"
SCALE = (
    (2, "+2 Much more effective"),
    (1, "+1 A little more effective"),
    (0, "0 No change"),
    (-1, "−1 A little less effective"),
    (-2, "−2 Much less effective"),
)
NOT_ABLE_TEXT = "Not able to say"
SHIFT = 3  # −2…+2 in the report's 1…5 table
AREA_KEY = "checkin"
GROUP = Category.OTHER  # every check-in rater is in one group; its label is never printed
COMMENT_LIMIT = 2000


class CheckInError(DomainError):
    pass


class CheckInState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # once, by the clock after its close date or by the owner; never open again


def field(goal_key: str) -> str:
    return f"g-{goal_key}"


def default_close(today: date) -> date:
    return default_close_date(today, DEFAULT_OPEN_DAYS)


# --- Sending ---------------------------------------------------------------------------------------------------------

def first_review(review_dates: Sequence[date]) -> date | None:
    return min(review_dates) if review_dates else None


def send_problems(*, goals: int, raters: int, reviews: Sequence[date], early: bool, open_already: bool,
                  close_on: date | None, today: date, asked: frozenset[str] = frozenset(),
                  earlier: Sequence[frozenset[str]] = ()) -> list[tuple[str, str]]:
    """What stops a check-in being sent, as (field, message) pairs for the page; empty when it may go."""
    if open_already:
        return [("", "You already have a check-in open. It must close before you send another.")]
    if goals == 0:
        return [("", "Your agreed plan has no goals to ask about.")]
    problems: list[tuple[str, str]] = []
    first = first_review(reviews)
    if first is not None and today < first and not early:
        problems.append(("early", f"Your first review date is {first:%-d %B %Y}. Tick the box to send your "
                                  "check-in before it"))
    if raters < MIN_RATERS:
        problems.append(("raters", f"Add at least {MIN_RATERS} people to ask, one on each line. With fewer, no "
                                   "answer could be shown without showing whose it is"))
    overlap = list_problem(asked, earlier)
    if overlap:
        problems.append(("raters", overlap))
    if close_on is None:
        problems.append(("close-day", "Enter the close date, including a day, month and year"))
    else:
        try:
            check_chosen_close_date(close_on, today)  # typed or left as offered: a working day, as for a round
        except DomainError as error:
            problems.append(("close-day", error.message))
    return problems


def list_problem(asked: frozenset[str], earlier: Sequence[frozenset[str]]) -> str | None:
    """Two check-ins about the same goals subtract: asked {x, y, z} and then {x, y, z, w}, the second sum less the
    first is w's answer; nor is refusing lists that differ by 1 or 2 enough, since three lists can combine
    ({a,b,c}, {a..f}, {d..g} give g). So any two lists about the same goals are the same people (their change
    together is the point) or have nobody in common: then every sum the results allow is over a whole list of 3
    or more. `asked` and `earlier` are mailbox keys (app.addresses.mailbox_key), so jo+x@ is jo@."""
    if any(asked != before and asked & before for before in earlier):
        return ("You asked some of these people before about these goals. Ask exactly the same people as then, or "
                "only people you have not asked about them, so that no answer can be found by comparing results")
    return None


def close_early(state: CheckInState) -> CheckInState:
    if state is not CheckInState.OPEN:
        raise CheckInError("This check-in has already closed.")
    return CheckInState.CLOSED


def close_on_date(state: CheckInState, close_on: date, today: date) -> CheckInState:
    if state is not CheckInState.OPEN or today <= close_on:
        raise CheckInError("The check-in is open until the end of its close date.")
    return CheckInState.CLOSED


def accepts_answers(state: CheckInState, close_on: date, today: date) -> bool:
    return state is CheckInState.OPEN and today <= close_on


# --- A rater's answer --------------------------------------------------------------------------------------------

def read_answers(goal_keys: Sequence[str], form: Mapping[str, str]) -> tuple[dict[str, int | str], list[str]]:
    """The answers a form gives, and the goals left unanswered (in order). Anything but a scale point or "Not able
    to say" is no answer."""
    allowed = {str(v): v for v, _ in SCALE}
    answers: dict[str, int | str] = {}
    missing = []
    for key in goal_keys:
        given = (form.get(field(key)) or "").strip()
        if given == NOT_ABLE:
            answers[key] = NOT_ABLE
        elif given in allowed:
            answers[key] = allowed[given]
        else:
            missing.append(key)
    return answers, missing


def comment_problem(text: str) -> str | None:
    return f"Write {COMMENT_LIMIT} characters or fewer" if len(text) > COMMENT_LIMIT else None


# --- Figures -----------------------------------------------------------------------------------------------------

def layout(goal_keys: Sequence[str]) -> tuple[AreaInfo, ...]:
    return (AreaInfo(AREA_KEY, "Goals", tuple(
        SubAreaInfo(f"{AREA_KEY}.{key}", key, (StatementInfo(key, key),)) for key in goal_keys)),)


def _in_table(answers: Mapping[str, Any]) -> dict[str, int | str]:
    return {k: v + SHIFT if isinstance(v, int) and not isinstance(v, bool) else NOT_ABLE for k, v in answers.items()}


def figure_table(goal_keys: Sequence[str], responses: Sequence[Mapping[str, Any]]) -> FigureTable:
    """The check-in's figure table, by the report's own builder; refused if the report's checker finds fault."""
    table, _ = build_table(layout(goal_keys), [RaterResponse(GROUP, _in_table(r), {}) for r in responses], {})
    violations = check(table.to_json())
    if violations:
        raise CheckInError("The check-in's figures failed their check: " + "; ".join(map(str, violations)))
    return table


@dataclass(frozen=True)
class GoalResult:
    goal_key: str
    value: Fraction | None  # on −2…+2, one decimal; None when not shown
    answers: int | None  # behind a shown figure; None when hidden (a hidden figure says nothing)
    hidden: bool

    @property
    def shown(self) -> bool:
        return self.value is not None


def results(goal_keys: Sequence[str], table: FigureTable) -> list[GoalResult]:
    """One result per goal: the "All others" statement figure (all check-in raters), as printed."""
    cells = table.index()
    out = []
    for key in goal_keys:
        cell = cells.get((STATEMENT, key, ALL_OTHERS))
        if cell is None or not cell.is_shown:
            out.append(GoalResult(key, None, None, bool(cell and cell.hidden)))
        else:
            out.append(GoalResult(key, as_fraction(cell.value) - SHIFT, cell.answers, False))  # type: ignore[arg-type]
    return out


def signed(value: Fraction) -> str:
    """+0.7, −1.3, 0.0: the sign always written, as the scale's own labels are."""
    text = f"{abs(float(value)):.1f}"
    return "0.0" if value == 0 else ("+" if value > 0 else "−") + text


def comments_shown(responses: int) -> bool:
    """Comments show only where figures could: from MIN_GROUP responses on (a lone comment is its writer's)."""
    return responses >= MIN_GROUP


# --- Counts (PRODUCT §2.6) ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    invited: int
    responded: int
    declined: int

    @property
    def not_replied(self) -> int:
        return self.invited - self.responded - self.declined


def tally(outstanding: int, invited: int, responses: int) -> Counts:
    """From how many raters are no longer outstanding and how many responses there are, never joined: declined is
    the difference. Responses never outnumber the raters who are done; should they (a row changed by hand), say
    every one of those responded rather than show a negative."""
    done = invited - outstanding
    responded = min(responses, done)
    return Counts(invited, responded, done - responded)
