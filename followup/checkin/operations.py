"""Goal check-ins (PRODUCT §10): sending, a rater's way in and answer, closing, the daily counts, reminders and the
purge. They flush, never commit: a view or the clock's tick commits once.

Built on the round's own parts rather than copies of them: raters are checked by `surveys.rater_list` under the
owner's `surveys.operations.rater_policy`; tokens are `surveys.tokens` (256 random bits, only the hash kept) with
the round's cookie lifetime; answers are sealed by the round's `surveys.sealed.PaddedJSON` (one encrypted value
padded to one fixed size) and written with `app.encrypted.bound_to`; reminders follow `surveys.reminders`'
schedule and are claimed once each in the outbox (`app.mail.claim_mails`); the counts take the daily moment of
`surveys.rules.daily_counts`; the rater purge follows `surveys.retention`.
"""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.addresses import mailbox_key
from app.encrypted import bound_to, open_stored
from app.extensions import db
from app.mail import OutboundMail, claim_mails, forget_mails, queue_mail
from app.models import Organisation, User
from app.vacuum import vacuum_after_commit
from facilitator import rules as facilitation
from facilitator.models import Summary
from facilitator.operations import agreed_rounds, facilitator_of
from followup.checkin import rules
from followup.checkin.models import CheckIn, CheckInLink, CheckInRater, CheckInResponse, CheckInSession
from followup.checkin.rules import CheckInError, CheckInState
from surveys import reminders, retention, sealed, tokens
from surveys.answers import clean_comment
from surveys.links import SESSION_LIFETIME
from surveys.models import Cycle, InvitationStatus
from surveys.operations import rater_policy
from surveys.rater_list import LineProblem, LineShape, RaterEntry, parse_rater_list
from surveys.rules import daily_counts

INVITATION_KIND = "checkin_invitation"
REMINDER_KIND = "checkin_reminder"
CLOSED_KIND = "checkin_closed"
RATER_MAIL_KINDS = (INVITATION_KIND, REMINDER_KIND)  # the mails whose ref_id is a check-in rater's


# --- The plan in force -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    cycle: Cycle
    summary: Summary

    @property
    def agreed_on(self) -> date:
        assert self.summary.agreed_at is not None
        return self.summary.agreed_at.date()

    @property
    def review_dates(self) -> list[date]:
        return facilitation.review_dates(self.agreed_on)

    @property
    def goals(self) -> list[dict[str, Any]]:
        return self.summary.goals


def plan_in_force(owner: User) -> Plan | None:
    """The owner's newest agreed summary: its goals are the ones a check-in asks about."""
    rounds = agreed_rounds(owner)
    return Plan(*rounds[0]) if rounds else None


def checkins_of(owner_id: int) -> list[CheckIn]:
    """Every check-in of the owner's, newest first."""
    return list(db.session.scalars(sa.select(CheckIn).join(Cycle, Cycle.id == CheckIn.cycle_id)
                                   .where(Cycle.owner_id == owner_id)
                                   .order_by(CheckIn.sent_at.desc(), CheckIn.id.desc())))


def open_checkin(owner_id: int) -> CheckIn | None:
    return next((c for c in checkins_of(owner_id) if c.state is CheckInState.OPEN), None)


def owned_checkin(owner: User, checkin_id: int) -> CheckIn | None:
    checkin = db.session.get(CheckIn, checkin_id)
    return checkin if checkin is not None and checkin.cycle.owner_id == owner.id else None


def readable_by(reader: User, owner_id: int) -> bool:
    """Check-in results are the owner's and their assigned facilitator's: nobody else's, a local lead's never."""
    if reader.id == owner_id:
        return True
    facilitator = facilitator_of(owner_id)
    return facilitator is not None and facilitator.id == reader.id


# --- Choosing raters ---------------------------------------------------------------------------------------------

def last_round_lines(plan: Plan) -> str:
    """The people asked in the plan's round, as lines for the box (name, email): each is checked again as typed.
    Empty once that round's rater details were purged."""
    if plan.cycle.raters_purged_at is not None:
        return ""
    return _lines((i.name, i.email) for i in plan.cycle.invitations if i.withdrawn_at is None)


def default_lines(plan: Plan, owner_id: int) -> str:
    """What the box starts with: the people of the newest check-in about these goals whose people are still kept
    (asking them again passes rules.list_problem), else the round's list."""
    earlier = next((c for c in checkins_of(owner_id) if c.cycle_id == plan.cycle.id and c.raters_purged_at is None),
                   None)
    if earlier is None:
        return last_round_lines(plan)
    return _lines((r.name, r.email) for r in earlier.raters)


def _lines(people: Iterable[tuple[str, str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(people)
    return out.getvalue()


# A check-in's lines are a name and an email: its people are all one group, and the owner's own view of their
# goals is the progress they record (PRODUCT §10). The round's parser reads them, with the words of this form.
LINES = LineShape(group=rules.GROUP, own_view="your own view goes in the progress you record on each goal")


def parse_raters(owner: User, text: str) -> tuple[list[RaterEntry], list[LineProblem]]:
    """The people to ask, checked line by line by the round's own rules (real colleagues, never the owner in any
    spelling, no one twice), with each problem against the line the owner wrote."""
    parsed = parse_rater_list(text, policy=rater_policy(owner), owner_email=owner.email, shape=LINES)
    return list(parsed.raters), list(parsed.problems)


# --- Sending -----------------------------------------------------------------------------------------------------

def send(owner: User, plan: Plan, entries: list[RaterEntry], close_on: date | None, early: bool,
         now: datetime) -> CheckIn:
    """Ask these people about the plan's goals; every invitation is claimed in the outbox in this transaction."""
    problems = rules.send_problems(goals=len(plan.goals), raters=len(entries), reviews=plan.review_dates,
                                   early=early, open_already=open_checkin(owner.id) is not None,
                                   close_on=close_on, today=now.date(),
                                   asked=frozenset(mailbox_key(e.email) for e in entries),
                                   earlier=earlier_lists(owner.id, plan.cycle.id))
    if problems:
        raise SendProblems(problems)
    assert close_on is not None
    checkin = CheckIn(cycle_id=plan.cycle.id, summary_id=plan.summary.id,
                      state=CheckInState.OPEN, close_on=close_on, sent_at=now)
    db.session.add(checkin)
    db.session.flush()
    raters = [CheckInRater(checkin_id=checkin.id, name=e.name, email=e.email, status=InvitationStatus.INVITED,
                           invited_at=now) for e in entries]
    db.session.add_all(raters)
    db.session.flush()
    claim_mails(INVITATION_KIND, [(r.id, f"{INVITATION_KIND}:{r.id}") for r in raters], now)
    update_counts(checkin, now)  # everyone asked, nobody has answered: nothing to time
    return checkin


def earlier_lists(owner_id: int, cycle_id: int) -> list[frozenset[str]]:
    """Who each earlier check-in about this round's goals asked, as mailbox keys, while their details are kept
    (rules.list_problem). Once purged they cannot be compared: see README, goal check-ins."""
    return [frozenset(mailbox_key(r.email) for r in c.raters) for c in checkins_of(owner_id)
            if c.cycle_id == cycle_id and c.raters_purged_at is None]


class SendProblems(CheckInError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][1])
        self.problems = problems


# --- A rater's way in (PRODUCT §3.5, as a round's) -----------------------------------------------------------------

def issue(rater: CheckInRater) -> str:
    """A fresh token for one email; only its hash is stored."""
    token = tokens.new_token()
    db.session.add(CheckInLink(token_hash=tokens.token_hash(token), rater_id=rater.id))
    return token


def _usable(rater: CheckInRater | None, now: datetime) -> CheckInRater | None:
    if rater is None or not rater.is_outstanding:
        return None
    checkin = rater.checkin
    return rater if rules.accepts_answers(checkin.state, checkin.close_on, now.date()) else None


def by_token(token: str, now: datetime) -> CheckInRater | None:
    """The rater a link opens, or None for any link that does not work, whatever the reason."""
    if not tokens.looks_like_token(token):
        return None
    return _usable(db.session.scalar(sa.select(CheckInRater).join(CheckInLink, CheckInLink.rater_id == CheckInRater.id)
                                     .where(CheckInLink.token_hash == tokens.token_hash(token))), now)


def start_session(rater: CheckInRater, now: datetime) -> str:
    secret = tokens.new_token()
    db.session.add(CheckInSession(secret_hash=tokens.token_hash(secret), rater_id=rater.id,
                                  expires_at=now + SESSION_LIFETIME))
    return secret


def by_session(secret: str | None, now: datetime) -> CheckInRater | None:
    """The rater a cookie belongs to, or None for any cookie that does not work, whatever the reason."""
    if not secret or not tokens.looks_like_token(secret):
        return None
    session = db.session.get(CheckInSession, tokens.token_hash(secret))
    if session is None or session.expires_at <= now:
        return None
    return _usable(db.session.get(CheckInRater, session.rater_id), now)


def renew(secret: str, now: datetime) -> None:
    db.session.execute(sa.update(CheckInSession).where(CheckInSession.secret_hash == tokens.token_hash(secret))
                       .values(expires_at=now + SESSION_LIFETIME))


def end_access(rater_ids: list[int]) -> None:
    if rater_ids:
        db.session.execute(sa.delete(CheckInLink).where(CheckInLink.rater_id.in_(rater_ids)))
        db.session.execute(sa.delete(CheckInSession).where(CheckInSession.rater_id.in_(rater_ids)))


# --- Answering (PRODUCT §3.3) ------------------------------------------------------------------------------------

def submit(rater: CheckInRater, answers: dict[str, int | str], comment: str) -> None:
    """Store the answer unlinkably, as a round's response is (surveys.responses.submit): in one transaction the
    rater is marked done by a guarded UPDATE (a double click submits once), their tokens and sessions go, and every
    response of the check-in is written again, shuffled, under fresh random keys and fresh ciphertexts of one fixed
    size. There is no draft: the answer is one page, kept in the browser until it is sent."""
    checkin = rater.checkin
    if set(answers) != set(checkin.goal_keys):
        raise CheckInError("Answer every goal before you send. You can choose “Not able to say”.")
    comment = clean_comment(comment)
    problem = rules.comment_problem(comment)
    if problem:
        raise CheckInError(problem)
    db.session.execute(sa.select(CheckIn.id).where(CheckIn.id == checkin.id).with_for_update())
    done = db.session.execute(
        sa.update(CheckInRater).where(CheckInRater.id == rater.id, CheckInRater.status == InvitationStatus.INVITED)
        .values(status=InvitationStatus.DONE).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise CheckInError("Your answers have already been sent.")
    end_access([rater.id])
    _rewrite_responses(checkin.id, sealed_size(checkin.goal_keys), [{"answers": answers, "comment": comment}])
    db.session.expire(rater, ["status"])


def decline(rater: CheckInRater) -> None:
    """The rater would rather not answer: the same DONE as an answer, so no row says which; no more reminders."""
    rater.status = InvitationStatus.DONE
    end_access([rater.id])
    db.session.flush()


def sealed_size(goal_keys: list[str]) -> int:
    """The fixed size every response of a check-in is padded to: the largest answer its goals allow (each goal at
    its longest answer, "Not able to say", which is `"n"` in JSON, a byte more than `-2`; the comment at its limit
    in its widest characters), rounded up to the round's bucket. A function of the check-in's goals alone, so a
    row's length says nothing about what was answered."""
    return sealed.bucket_size({"answers": dict.fromkeys(goal_keys, rules.NOT_ABLE), "comment": ""},
                              rules.COMMENT_LIMIT)


def _rewrite_responses(checkin_id: int, size: int, added: list[dict[str, Any]]) -> None:
    table = CheckInResponse.__table__
    stored = db.session.execute(sa.select(table.c.id, table.c.content).where(table.c.checkin_id == checkin_id)).all()
    contents = [open_stored(table.c.content, stored_value, row_id) for row_id, stored_value in stored] + added
    _shuffle.shuffle(contents)
    db.session.execute(sa.delete(table).where(table.c.checkin_id == checkin_id))
    rows = []
    for content in contents:
        key = uuid.uuid4().hex
        rows.append({"id": key, "checkin_id": checkin_id, "content": bound_to(sealed.Padded(content, size), key)})
    rows.sort(key=lambda row: row["id"])
    if rows:
        db.session.execute(sa.insert(table), rows)


_shuffle = secrets.SystemRandom()


def stored_responses(checkin: CheckIn) -> list[dict[str, Any]]:
    table = CheckInResponse.__table__
    return [open_stored(table.c.content, stored_value, row_id) for row_id, stored_value in db.session.execute(
        sa.select(table.c.id, table.c.content).where(table.c.checkin_id == checkin.id))]


def response_count(checkin: CheckIn) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckInResponse)
                             .where(CheckInResponse.checkin_id == checkin.id)) or 0


# --- Closing -----------------------------------------------------------------------------------------------------

def close_early(checkin: CheckIn, now: datetime) -> None:
    checkin.state = rules.close_early(checkin.state)
    _closed(checkin, now)


def close_on_date(checkin: CheckIn, now: datetime) -> None:
    checkin.state = rules.close_on_date(checkin.state, checkin.close_on, now.date())
    _closed(checkin, now)


def _closed(checkin: CheckIn, now: datetime) -> None:
    """No token or session is left; no outbox row about a named rater outlives the close (a reminder goes only to
    one still outstanding); every rater says only DONE. The counts stay as the last daily update took them: a
    fresh count now would time the last answer against the owner's click."""
    ids = [r.id for r in checkin.raters]
    end_access(ids)
    forget_mails(RATER_MAIL_KINDS, *ids, in_flight=False)
    db.session.execute(sa.update(CheckInRater).where(CheckInRater.checkin_id == checkin.id)
                       .values(status=InvitationStatus.DONE).execution_options(synchronize_session=False))
    for rater in checkin.raters:
        db.session.expire(rater, ["status"])
    checkin.closed_at = now
    queue_mail(CLOSED_KIND, checkin.id, f"{CLOSED_KIND}:{checkin.id}")
    db.session.flush()
    vacuum_after_commit()  # the old versions of its raters' rows would say who answered (app/vacuum.py)


def close_due(now: datetime) -> int:
    due = db.session.scalars(sa.select(CheckIn).where(CheckIn.state == CheckInState.OPEN,
                                                      CheckIn.close_on < now.date())).all()
    for checkin in due:
        close_on_date(checkin, now)
    return len(due)


# --- Counts (PRODUCT §2.6) ---------------------------------------------------------------------------------------

def update_counts(checkin: CheckIn, now: datetime) -> None:
    invited, outstanding = db.session.execute(
        sa.select(sa.func.count(CheckInRater.id),
                  sa.func.coalesce(sa.func.sum(sa.case((CheckInRater.status == InvitationStatus.INVITED, 1),
                                                       else_=0)), 0))
        .where(CheckInRater.checkin_id == checkin.id)).one()
    counts = rules.tally(int(outstanding), int(invited), response_count(checkin))
    checkin.counts, checkin.counts_updated_at = [counts.invited, counts.responded, counts.declined], now


def update_due_counts(now: datetime) -> int:
    due = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.state == CheckInState.OPEN,
        sa.or_(CheckIn.counts_updated_at.is_(None),
               CheckIn.counts_updated_at < daily_counts.latest_update_moment(now)))).all()
    for checkin in due:
        update_counts(checkin, now)
    return len(due)


def counts_of(checkin: CheckIn) -> rules.Counts | None:
    return rules.Counts(*checkin.counts) if checkin.counts else None


# --- Reminders (PRODUCT §2.5, as a round's) ----------------------------------------------------------------------

def claim_reminders(now: datetime) -> int:
    """Every reminder due now, by the round's schedule, each claimed once under checkin_reminder:{rater}:{kind}."""
    outstanding = db.session.execute(
        sa.select(CheckInRater.id, CheckInRater.invited_at, CheckIn.close_on)
        .join(CheckIn, CheckIn.id == CheckInRater.checkin_id)
        .where(CheckIn.state == CheckInState.OPEN, CheckIn.close_on >= now.date(),
               CheckInRater.status == InvitationStatus.INVITED)).all()
    if not outstanding:
        return 0
    sent: dict[int, dict[str, datetime]] = defaultdict(dict)
    for ref_id, key, created_at in db.session.execute(
            sa.select(OutboundMail.ref_id, OutboundMail.dedupe_key, OutboundMail.created_at)
            .where(OutboundMail.kind == REMINDER_KIND, OutboundMail.ref_id.in_([r.id for r in outstanding]))):
        sent[ref_id][key.split(":", 2)[2]] = created_at
    claims = []
    for rater_id, invited_at, close_on in outstanding:
        facts = reminders.RaterFacts(reminders.OUTSTANDING, invited_at, sent.get(rater_id, {}))
        kind = reminders.due_reminder(facts, close_on, now)
        if kind is not None:
            claims.append((rater_id, f"{REMINDER_KIND}:{rater_id}:{kind}"))
    return len(claim_mails(REMINDER_KIND, claims, now))


# --- Purge (PRODUCT §7, as a round's) -----------------------------------------------------------------------------

def purge_due(now: datetime) -> int:
    """Names and addresses go the organisation's rater_purge_days after the close, as a round's do."""
    rows = db.session.execute(
        sa.select(CheckIn, Organisation.rater_purge_days).join(Cycle, Cycle.id == CheckIn.cycle_id)
        .join(User, User.id == Cycle.owner_id).join(Organisation, Organisation.id == User.organisation_id)
        .where(CheckIn.closed_at.is_not(None), CheckIn.raters_purged_at.is_(None))).all()
    purged = 0
    for checkin, purge_days in rows:
        if retention.raters_due_for_purge(checkin.closed_at, checkin.raters_purged_at, purge_days, now):
            purge_raters(checkin, now)
            purged += 1
    return purged


def purge_raters(checkin: CheckIn, now: datetime) -> None:
    ids = [r.id for r in checkin.raters]
    forget_mails(RATER_MAIL_KINDS, *ids)
    end_access(ids)
    placeholder = sa.literal("purged:") + sa.cast(CheckInRater.id, sa.String)
    db.session.execute(sa.update(CheckInRater).where(CheckInRater.checkin_id == checkin.id)
                       .values(name="", email=placeholder).execution_options(synchronize_session=False))
    checkin.raters_purged_at = now
    db.session.flush()


def forget_expired_sessions(now: datetime) -> int:
    return db.session.execute(sa.delete(CheckInSession).where(CheckInSession.expires_at <= now)).rowcount


# --- Results -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalLine:
    number: int
    what: str
    result: rules.GoalResult | None  # None while the check-in is open


@dataclass(frozen=True)
class Results:
    checkin: CheckIn
    lines: list[GoalLine]
    responses: int | None  # None while open: the number appears with the figures, once closed
    comments: list[str]


def results(checkin: CheckIn) -> Results:
    """A closed check-in's figures by the rules (figure table built and checked as a report's); comments in a
    random order, and only where figures could show. Nothing while it is open: figures that moved with each
    answer would say who had just answered."""
    if checkin.state is not CheckInState.CLOSED:
        return Results(checkin, [GoalLine(n, g["what"], None) for n, g in enumerate(checkin.goals, start=1)],
                       None, [])
    stored = stored_responses(checkin)
    found = rules.results(checkin.goal_keys, rules.figure_table(checkin.goal_keys, [s["answers"] for s in stored]))
    comments = [s["comment"] for s in stored if s.get("comment")] if rules.comments_shown(len(stored)) else []
    _shuffle.shuffle(comments)
    return Results(checkin, [GoalLine(n, g["what"], r) for n, (g, r) in enumerate(zip(checkin.goals, found,
                                                                                       strict=True), start=1)],
                   len(stored), comments)


def latest_results_by_goal(cycle: Cycle) -> dict[str, tuple[CheckIn, rules.GoalResult]]:
    """For the development profile: each goal's figure from the newest closed check-in that asked about it."""
    found: dict[str, tuple[CheckIn, rules.GoalResult]] = {}
    for checkin in checkins_of(cycle.owner_id):
        if checkin.cycle_id != cycle.id or checkin.state is not CheckInState.CLOSED:
            continue
        for line in results(checkin).lines:
            if line.result is not None:
                found.setdefault(line.result.goal_key, (checkin, line.result))
    return found

