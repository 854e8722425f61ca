"""What the owner is told when the rules refuse something (STYLE: plain English, a sentence they can act on), and
the remind-all offer on the last days of a round. Every refusal of every move in every state is checked, so a
message that goes missing, loses its capital or full stop, or starts shouting, fails here."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from surveys import cycle as rules
from surveys.categories import Category
from surveys.cycle import CycleRuleError, CycleState
from surveys.rater_list import RaterEntry, check_rater
from surveys.reminders import check_remind_all, remind_all_offer
from surveys.rules.addresses import RaterPolicy

TODAY = date(2026, 3, 10)
SENTENCE = re.compile(r"[A-Z][a-z'’]*\b[^.]*[.!?]")


def _is_plain_sentences(message: str | None) -> bool:
    """One or more whole sentences, each starting with a capital letter then a lower-case word, none in capitals."""
    if not message:
        return False
    parts = re.split(r"(?<=[.!?]) ", message)
    return (all(SENTENCE.fullmatch(p) for p in parts) and not re.search(r"\b[A-Z]{4,}\b", message))


MOVES: dict[str, Callable[[CycleState], object]] = {
    "open": lambda s: rules.open_round(s, 3, TODAY + timedelta(days=7), TODAY),
    "close early": lambda s: rules.close_early(s, 2),
    "close on its date": lambda s: rules.close_on_date(s, TODAY, TODAY + timedelta(days=1), 1),
    "make the report": rules.mark_report_ready,
    "record the session": rules.record_session,
    "agree the summary": rules.agree_summary,
    "record the evaluation": rules.record_evaluation,
    "finish without a session": lambda s: rules.finish_without_session(s, False, False),
    "finish before the report is released": lambda s: rules.finish_without_session(s, False, True),
    "cancel": rules.cancel,
}


@pytest.mark.parametrize("state", list(CycleState))
def test_every_move_the_rules_refuse_says_why_in_a_plain_sentence(state: CycleState) -> None:
    refused = {name: rules.refusal(lambda m=move: m(state)) for name, move in MOVES.items()}
    assert any(r is None for r in refused.values()) or state in {CycleState.EVALUATED, CycleState.CANCELLED,
                                                                  CycleState.NO_RESPONSES}
    for name, message in refused.items():
        assert message is None or _is_plain_sentences(message), (name, message)


@pytest.mark.parametrize("refused", [
    lambda: rules.check_can_start([CycleState.OPEN]),
    lambda: rules.check_close_date(TODAY, TODAY),
    lambda: rules.check_close_date(TODAY + timedelta(days=rules.MAX_OPEN_DAYS + 1), TODAY),
    lambda: rules.close_on_date(CycleState.OPEN, TODAY, TODAY, 1),
    lambda: rules.finish_without_session(CycleState.REPORT_READY, True, False),
    lambda: rules.finish_without_session(CycleState.REPORT_READY, False, True),
    lambda: rules.open_round(CycleState.DRAFT, 0, TODAY + timedelta(days=7), TODAY),
    lambda: rules.close_early(CycleState.CLOSED, 0),
    lambda: rules.end_without_report(CycleState.OPEN),
])
def test_each_refusal_with_its_own_reason_says_it_plainly(refused: Callable[[], object]) -> None:
    with pytest.raises(CycleRuleError) as error:
        refused()
    assert _is_plain_sentences(error.value.message), error.value.message


def test_the_close_date_limit_is_stated_in_days() -> None:
    with pytest.raises(CycleRuleError) as error:
        rules.check_close_date(TODAY + timedelta(days=91), TODAY)
    assert error.value.message == "The close date must be within 90 days of today."


def test_remind_all_may_be_used_again_on_the_close_day_and_says_from_when() -> None:
    close_on = TODAY + timedelta(days=1)
    offer = remind_all_offer(True, close_on, TODAY, 4, TODAY)
    assert offer is not None and not offer.available and offer.next_on == close_on
    with pytest.raises(CycleRuleError) as error:
        check_remind_all(offer, 4)
    assert error.value.message == "You have already sent a reminder today. You can send another from 11 March 2026."
    last = remind_all_offer(True, close_on, close_on, 4, close_on)
    assert last is not None and last.next_on is None
    refusals = [rules.refusal(lambda o=o, r=r: check_remind_all(o, r)) for o, r in (
        (None, 1), (last, 1), (remind_all_offer(True, close_on, None, 0, TODAY), 0),
        (remind_all_offer(True, close_on, None, 3, TODAY), 0))]
    assert all(_is_plain_sentences(m) for m in refusals), refusals
    assert len(set(refusals)) == 4  # each says its own reason


def test_a_rater_typed_into_the_form_is_checked_by_the_rules_of_a_pasted_line() -> None:
    entry = check_rater("Pat Peer", " Pat@Trust.example ", "peer")
    assert not isinstance(entry, str) and (entry.name, entry.email) == ("Pat Peer", "pat@trust.example")
    assert check_rater("", "pat@trust.example", "peer") == "Add the person's name"
    assert check_rater("Pat Peer", "pat@trust.example", "peer", existing_emails=["PAT@trust.example"]) == \
        "pat@trust.example is already on your list"  # starts with the address, as written
    assert check_rater("Olivia", "olivia@trust.example", "peer", owner_email="Olivia@Trust.example").startswith(
        "You cannot invite yourself")
    policy = RaterPolicy(domains=("trust.example",), allows_external=False)
    assert isinstance(check_rater("Pat Peer", "pat@elsewhere.example", "peer", policy=policy), str)
    assert not isinstance(check_rater("Pat Peer", "pat@trust.example", "peer", policy=policy), str)
    # The owner's own address is refused under the organisation's policy too.
    assert isinstance(check_rater("Olivia", "olivia@trust.example", "peer", owner_email="olivia@trust.example",
                                  policy=policy), str)


def _statuses(state: CycleState, raters: int = 2, **facts: object) -> dict[str, str]:
    return {s.key: s.status for s in rules.progress(rules.RoundFacts(state, False, False, raters, **facts))}


def test_a_new_round_starts_with_every_task_to_do_and_nothing_half_done() -> None:
    assert _statuses(CycleState.DRAFT, raters=0) == {
        "preparation": "to_do", "self": "to_do", "raters": "to_do", "open": "not_yet", "closed": "not_yet",
        "report": "not_yet", "session": "not_yet", "summary": "not_yet", "evaluation": "not_yet"}
    steps = rules.progress(rules.RoundFacts(CycleState.DRAFT, False, False, 0, approval="to_do"))
    assert all(re.fullmatch(r"[A-Z][a-z]+( [a-z’']+)*", s.title) for s in steps), [s.title for s in steps]


@pytest.mark.parametrize(("state", "approval", "confirm", "send"), [
    (CycleState.DRAFT, "to_do", "to_do", "not_yet"),  # invitations wait for the list to be confirmed
    (CycleState.DRAFT, "waiting", "waiting", "not_yet"),
    (CycleState.DRAFT, "done", "done", "to_do"),
    (CycleState.OPEN, "waiting", "waiting", "done"),  # a rater added late still waits for confirmation
    (CycleState.OPEN, "done", "done", "done"),
    (CycleState.CLOSED, "waiting", "done", "done"),  # the list can no longer change: nothing is left to confirm
    (CycleState.REPORT_READY, "to_do", "done", "done"),
])
def test_the_confirm_step_follows_the_list_until_it_can_no_longer_change(state: CycleState, approval: str,
                                                                         confirm: str, send: str) -> None:
    statuses = _statuses(state, approval=approval)
    assert (statuses["confirm"], statuses["open"]) == (confirm, send)


def test_the_lines_to_fix_go_back_numbered_as_they_now_stand_in_the_box() -> None:
    from surveys.rater_list import LineProblem, lines_to_fix

    text, problems = lines_to_fix([
        LineProblem(2, "", "Line 2: a problem with no line to give back"),
        LineProblem(4, "Pat, pat@trust\nexample, peer", "Line 4: 'pat@trust' is not a valid email address"),
        LineProblem(9, "Sam, sam@trust.example, boss", "Line 9: 'boss' is not a rater group"),
    ])
    assert text == "Pat, pat@trust\nexample, peer\nSam, sam@trust.example, boss"
    assert problems == (
        LineProblem(1, "Pat, pat@trust\nexample, peer", "Line 1: 'pat@trust' is not a valid email address"),
        LineProblem(3, "Sam, sam@trust.example, boss", "Line 3: 'boss' is not a rater group"))


def test_a_pasted_list_keeps_spreadsheet_names_quoted_fields_and_the_organisations_rules() -> None:
    from surveys.rater_list import parse_rater_list

    parsed = parse_rater_list('Smith, Jo\tjo@trust.example\tpeer\nPat, "pat@trust.example", "peer"\n'
                              "Jo, jo+x@trust.example, peer\nEx, ex@elsewhere.example, peer",
                              existing_emails=["sam@trust.example"],
                              policy=RaterPolicy(domains=("trust.example",), allows_external=False))
    assert [(r.name, r.email) for r in parsed.raters] == [("Smith, Jo", "jo@trust.example"),
                                                          ("Pat", "pat@trust.example")]
    assert [p.message for p in parsed.problems] == [
        "Line 3: jo+x@trust.example appears more than once in what you pasted (as jo@trust.example)",
        "Line 4: ex@elsewhere.example is not an address in your organisation – use an address ending @trust.example"]
    again = parse_rater_list("Jo, jo+x@trust.example, peer\nSam, sam@trust.example, peer",
                             existing_emails=["jo@trust.example", "sam@trust.example"])
    assert [p.message for p in again.problems] == ["Line 1: jo+x@trust.example is already on your list as "
                                                   "jo@trust.example", "Line 2: sam@trust.example is already on "
                                                   "your list"]


def test_the_rater_form_applies_the_organisations_rules_and_the_owners_address_together() -> None:
    policy = RaterPolicy(domains=("trust.example",), allows_external=False)
    refused = check_rater("Ex", "ex@elsewhere.example", "peer", owner_email="olivia@trust.example", policy=policy)
    # The message starts with the address, so it is kept as written (not given a capital).
    assert refused == ("ex@elsewhere.example is not an address in your organisation – use an address ending "
                       "@trust.example")
    assert check_rater("Pat", "pat@trust.example", "peer", owner_email="olivia@trust.example", policy=policy) == \
        RaterEntry("Pat", "pat@trust.example", Category.PEER)


def test_the_last_reminder_is_not_sent_to_someone_emailed_since_the_last_days_began() -> None:
    from datetime import datetime, time

    from surveys.reminders import LAST, RaterFacts, due_reminder, last_day

    close_on = TODAY + timedelta(days=10)
    began = datetime.combine(last_day(close_on), time.min)
    eight = datetime.combine(last_day(close_on), time(8))
    invited = began - timedelta(days=3)
    just_before = RaterFacts("invited", invited, {"periodic-1": began - timedelta(seconds=1)})
    on_the_day = RaterFacts("invited", invited, {"periodic-1": began})
    assert due_reminder(just_before, close_on, eight) == LAST
    assert due_reminder(just_before, close_on, eight - timedelta(seconds=1)) is None  # from 08:00
    assert due_reminder(on_the_day, close_on, eight + timedelta(days=1)) is None


@pytest.mark.parametrize(("state", "action", "step"), [(CycleState.REPORT_READY, "session", "session"),
                                                      (CycleState.SUMMARY_AGREED, "evaluation", "evaluation")])
def test_a_later_step_another_package_offers_is_the_owners_to_do(state: CycleState, action: str, step: str) -> None:
    assert _statuses(state, owner_actions=frozenset({action}))[step] == "to_do"
    assert _statuses(state)[step] == "waiting"


def test_a_cancelled_round_keeps_what_was_done_and_offers_nothing() -> None:
    steps = rules.progress(rules.RoundFacts(CycleState.CANCELLED, True, False, 3))
    assert [s.key for s in steps][:1] == ["preparation"] and "self" not in [s.key for s in steps]
    assert {s.status for s in steps} == {"done"}


def test_nobody_is_reminded_before_their_invitation_has_gone() -> None:
    from datetime import datetime

    from surveys.reminders import RaterFacts, due_reminder

    now = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=12)
    # A corrected address is invited again: until that invitation goes, earlier reminders count for nothing.
    pending = RaterFacts("invited", None, {"periodic-1": now - timedelta(days=9)})
    assert due_reminder(pending, TODAY + timedelta(days=20), now) is None


def test_old_mac_line_breaks_and_a_policy_naming_the_owner_are_honoured() -> None:
    from surveys.rater_list import parse_rater_list

    parsed = parse_rater_list("Pat, pat@trust.example, peer\rSam, sam@trust.example, peer")
    assert [p.line_number for p in parsed.problems] == [] and len(parsed.raters) == 2
    policy = RaterPolicy(owner_email="olivia@trust.example", domains=("trust.example",))
    assert check_rater("Olivia", "olivia@trust.example", "peer", policy=policy).startswith("You cannot invite")


def test_an_organisation_that_allows_outside_addresses_keeps_allowing_them_with_the_owner_named() -> None:
    policy = RaterPolicy(domains=("trust.example",), allows_external=True)
    entry = check_rater("Ex", "ex@elsewhere.example", "peer", owner_email="olivia@trust.example", policy=policy)
    assert entry == RaterEntry("Ex", "ex@elsewhere.example", Category.PEER)
