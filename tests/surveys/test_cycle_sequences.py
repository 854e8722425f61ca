"""The round's progress list along every sequence of legal moves (PRODUCT §2): it never offers a step nobody can take.

The move-by-state table is tested in test_cycle.py; here Hypothesis walks whole rounds, the owner's own work and
the hooks' later steps mixed in at random, through cancelling, closing, finishing without a session and beyond, and
computes the progress list at every state reached.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from surveys import cycle as rules
from surveys.cycle import LATER_STEPS, CycleState, RoundFacts

S = CycleState
TODAY = date(2026, 11, 24)
LATER = TODAY + timedelta(days=21)
OFFERED = {"to_do", "in_progress"}


def _finish(facts: RoundFacts) -> RoundFacts:
    rules.finish_without_session(facts.state, facts.finished_early, facts.report_held)
    return replace(facts, finished_early=True)


def _assign(facts: RoundFacts) -> RoundFacts:
    """A local lead assigns the owner a facilitator (where the report waits for one to release it)."""
    if not facts.awaiting_facilitator:
        raise rules.CycleRuleError("assigned already")
    return replace(facts, awaiting_facilitator=False)


def _release(facts: RoundFacts) -> RoundFacts:
    """The assigned facilitator releases a held report once it is ready (facilitator.rules.check_release)."""
    if not facts.report_held or facts.awaiting_facilitator or facts.state not in rules.ORDER[3:]:
        raise rules.CycleRuleError("nothing to release")
    return replace(facts, report_held=False)


def _owner_work(field: str):  # type: ignore[no-untyped-def]
    def move(facts: RoundFacts) -> RoundFacts:
        if not rules.owner_answers_editable(facts.state):
            raise rules.CycleRuleError("closed")
        return replace(facts, **{field: True})
    return move


def _add_rater(facts: RoundFacts) -> RoundFacts:
    if not rules.raters_editable(facts.state):
        raise rules.CycleRuleError("closed")
    return replace(facts, rater_count=facts.rater_count + 1)


def _state_move(rule):  # type: ignore[no-untyped-def]
    return lambda facts: replace(facts, state=rule(facts))


MOVES = {
    "open": _state_move(lambda f: rules.open_round(f.state, f.rater_count, LATER, TODAY)),
    "close_early": _state_move(lambda f: rules.close_early(f.state, 1)),
    "close_on_date": _state_move(lambda f: rules.close_on_date(f.state, TODAY - timedelta(days=1), TODAY, 1)),
    "report_ready": _state_move(lambda f: rules.mark_report_ready(f.state)),
    "session": _state_move(lambda f: rules.record_session(f.state)),
    "summary": _state_move(lambda f: rules.agree_summary(f.state)),
    "evaluation": _state_move(lambda f: rules.record_evaluation(f.state)),
    "cancel": _state_move(lambda f: rules.cancel(f.state)),
    "finish": _finish,
    "assign": _assign,
    "release": _release,
    "start_preparation": _owner_work("preparation_started"),
    "submit_preparation": _owner_work("preparation_submitted"),
    "start_self": _owner_work("self_assessment_started"),
    "submit_self": _owner_work("self_assessment_submitted"),
    "add_rater": _add_rater,
}


def _legal(move: str, facts: RoundFacts) -> bool:
    return rules.refusal(lambda: MOVES[move](facts)) is None


def _may_take(key: str, facts: RoundFacts) -> bool:
    """Whether the owner can take this step now, asked of the moves themselves."""
    if facts.state is S.CANCELLED:
        return False
    later = {"session": "session", "summary": "summary", "evaluation": "evaluation"}
    if key in later:
        return not facts.finished_early and _legal(later[key], facts)
    return {
        "preparation": _legal("submit_preparation", facts),
        "self": _legal("submit_self", facts),
        "raters": _legal("add_rater", facts),
        "confirm": rules.raters_editable(facts.state),  # asking to confirm a listed rater before their invitation
        "open": _legal("open", facts),
    }.get(key, False)  # "closed" and "report" are the clock's and the system's, never the owner's


def _check(facts: RoundFacts) -> None:
    steps = rules.progress(facts)
    for step in steps:
        if step.status in OFFERED:
            assert _may_take(step.key, facts), (step, facts)
    if not any(_legal(move, facts) for move in MOVES):  # nothing more can happen: nothing is waited on either
        assert not [step for step in steps if step.status in OFFERED | {"waiting"}], (steps, facts)
    following = rules.next_step(facts)
    assert following is None or following in steps


@given(moves=st.lists(st.sampled_from(sorted(MOVES)), max_size=25),
       hooks=st.lists(st.frozensets(st.sampled_from(LATER_STEPS)), min_size=26, max_size=26),
       approvals=st.lists(st.sampled_from([None, "not_yet", "to_do", "waiting", "done"]), min_size=26, max_size=26),
       release=st.sampled_from(["none", "facilitator", "nobody_yet"]))
# The walk-through's path (item 1): a round whose report waits for release, finished as soon as it is ready.
@example(moves=["add_rater", "open", "close_early", "report_ready", "finish", "release"],
         hooks=[frozenset()] * 26, approvals=[None] * 26, release="facilitator")
@example(moves=["add_rater", "open", "close_early", "report_ready", "finish", "assign", "release", "finish"],
         hooks=[frozenset()] * 26, approvals=[None] * 26, release="nobody_yet")
def test_no_sequence_of_moves_leads_to_a_step_nobody_can_take(
        moves: list[str], hooks: list[frozenset[str]], approvals: list[str | None], release: str) -> None:
    # Where the organisation asks the facilitator to release the report (PRODUCT §5), with one assigned or not yet.
    facts = RoundFacts(state=S.DRAFT, preparation_submitted=False, self_assessment_submitted=False, rater_count=0,
                       report_held=release != "none", awaiting_facilitator=release == "nobody_yet")
    for n, move in enumerate([*moves, None]):
        # What other packages say at this point: later steps they offer, and the confirmation step's status.
        # The approval step exists for a whole round or not at all, so only its status varies.
        shown = replace(facts, owner_actions=hooks[n], approval=approvals[n] if approvals[0] else None)
        _check(shown)
        if move is not None and _legal(move, facts):
            facts = MOVES[move](facts)
            # Finishing without a session comes after the report is the owner's to read, never before.
            assert not (move == "finish" and facts.report_held), facts


def test_the_walk_reaches_every_state_and_the_progress_list_after_each() -> None:
    """The states after closed, including cancelled from each cancellable state, have a progress list too."""
    for path in (["add_rater", "open", "cancel"], ["cancel"], ["add_rater", "open", "close_early", "cancel"],
                 ["add_rater", "open", "close_early", "report_ready", "finish"],
                 ["add_rater", "open", "close_on_date", "report_ready", "session", "summary", "evaluation"]):
        facts = RoundFacts(state=S.DRAFT, preparation_submitted=False, self_assessment_submitted=False,
                           rater_count=0)
        for move in path:
            assert _legal(move, facts), (move, facts)
            facts = MOVES[move](facts)
            for actions in (frozenset(), frozenset(LATER_STEPS)):
                for approval in (None, "to_do", "waiting", "done"):
                    _check(replace(facts, owner_actions=actions, approval=approval))
