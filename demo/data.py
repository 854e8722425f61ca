"""Builds the demo through the same operations the pages use, so what a newcomer sees is what users get."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.identity.demo_provider import DEMO_CLIENT_ID
from app.identity.models import SsoSettings
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from demo import checkins, facilitated, second_report, story
from demo.story import DemoClock, RoundDates
from facilitator.operations import assign as assign_facilitator
from surveys import operations, responses
from surveys.categories import Category
from surveys.models import Cycle, OrgStatement
from surveys.questionnaire import NOT_ABLE_TO_SAY
from surveys.rater_list import RaterEntry

ORGANISATION = "Northshire NHS Foundation Trust (demo)"
PASSWORD = "demo-password-360"
DOMAIN = "demo.open360.test"


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    roles: tuple[Role, ...]
    what: str


LOGINS = (
    Login(f"olivia@{DOMAIN}", "Olivia Okafor", (Role.OWNER,), "owner, round open and part-way through"),
    Login(f"daniel@{DOMAIN}", "Daniel Hughes", (Role.OWNER,), "owner, round closed: report with merged groups"),
    Login(f"sophie@{DOMAIN}", "Sophie Turner", (Role.OWNER,), "owner, round closed: report with withheld answers"),
    Login(f"priya@{DOMAIN}", "Priya Shah", (Role.OWNER,), "owner, no round yet: try it from the start"),
    Login(f"hannah@{DOMAIN}", "Hannah Price", (Role.OWNER,), "owner, summary proposed: agree it or ask for changes"),
    Login(f"isaac@{DOMAIN}", "Isaac Green", (Role.OWNER,), "owner, summary agreed: evaluation due"),
    Login(f"jade@{DOMAIN}", "Jade Morris", (Role.OWNER,), "owner, evaluated: development plan with progress"),
    Login(f"ravi@{DOMAIN}", "Ravi Mehta", (Role.OWNER,), "owner, second report: change since the last"),
    Login(f"farah@{DOMAIN}", "Farah Ahmed", (Role.FACILITATOR,), "facilitator: owners in every state"),
    Login(f"mark@{DOMAIN}", "Mark Bennett", (Role.MANAGER,), "manager"),
    Login(f"lucy@{DOMAIN}", "Lucy Evans", (Role.LOCAL_LEAD,), "local lead"),
    Login(f"alex@{DOMAIN}", "Alex Morgan", (Role.ADMIN,), "administrator"),
)

OLIVIA_RATERS = [
    ("Mark Bennett", "manager"), ("Sam Patel", "peer"), ("Grace Liu", "peer"), ("Tom Reid", "peer"),
    ("Aisha Khan", "peer"), ("Ben Carter", "direct_report"), ("Chloe Davies", "direct_report"),
    ("Jack Wilson", "direct_report"), ("Nia Roberts", "other"),
]
DANIEL_RATERS = [
    ("Mark Bennett", "manager"), ("Ruth Green", "peer"), ("Owen Price", "peer"),
    ("Ella Ward", "direct_report"), ("Leo Turner", "direct_report"), ("Mia Scott", "direct_report"),
    ("Zara Hill", "direct_report"), ("Ian Cole", "other"),
]
# Too few peers and others to combine, and no group of 3 to join: their answers are withheld from the report.
SOPHIE_RATERS = [("Mark Bennett", "manager"), ("Ruth Green", "peer"), ("Ian Cole", "other")]


def is_loaded() -> bool:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == ORGANISATION)) is not None


SSO_PROVIDER_NAME = "Northshire NHS (demo)"


def ensure_single_sign_on() -> bool:
    """The demo organisation signs in through the local OpenID provider `make run` starts (app.identity.
    demo_provider), passwords still working beside it. True when this added it (a demo loaded before it existed)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == ORGANISATION))
    if org is None or db.session.get(SsoSettings, org.id) is not None:
        return False
    db.session.add(SsoSettings(organisation=org, provider_name=SSO_PROVIDER_NAME, issuer="http://localhost:8026",
                               client_id=DEMO_CLIENT_ID, credential="demo-client-secret"))
    unit.commit()
    return True


def load(now: datetime, seed: int = 360) -> None:
    """The demo as it stands at `now`: every step of every round at a moment before it (demo/story.py)."""
    with story.clock(now) as clock:
        _load(now, random.Random(seed), clock)
        with clock.at(now):
            _usage_history(now)


def _load(now: datetime, rng: random.Random, clock: DemoClock) -> None:
    # Its own accessibility contact, which the accessibility statement gives its people beside the operator's.
    org = Organisation(name=ORGANISATION, email_domains=[DOMAIN],
                       accessibility_contact_name="the Northshire Digital Inclusion Team",
                       accessibility_contact_email=f"digital.inclusion@{DOMAIN}")
    db.session.add(org)
    users = {}
    password_hash = hash_password(PASSWORD)
    for login in LOGINS:
        user = User(organisation=org, email=login.email, name=login.name, password_hash=password_hash,
                    role_rows=[UserRole(role=r) for r in login.roles])
        db.session.add(user)
        users[login.name] = user
    db.session.add(OrgStatement(organisation=org, self_text="I treat everyone with compassion and respect.",
                                rater_text="This person treats everyone with compassion and respect."))
    db.session.flush()

    dates = story.open_round(now)
    olivia = _round(users["Olivia Okafor"], OLIVIA_RATERS, dates, rng, clock)
    _answer(olivia, rng, respond={"Sam Patel", "Grace Liu", "Ben Carter", "Mark Bennett"},
            decline={"Jack Wilson"}, draft={"Tom Reid"}, clock=clock, when=dates.answering_days(now))
    with clock.at(story.counts_moment(now)):  # as the latest daily update counted them
        operations.update_counts(olivia, story.counts_moment(now))

    dates = story.closed_round(now)
    for name, raters in (("Daniel Hughes", DANIEL_RATERS), ("Sophie Turner", SOPHIE_RATERS)):
        closed = _round(users[name], raters, dates, rng, clock)
        _answer(closed, rng, respond={rater for rater, _ in raters}, decline=set(), draft=set(), clock=clock,
                when=dates.answering_days(now))
        close_and_build(closed, dates, clock)
    facilitated.load(users, _round, _answer, now, rng, clock)
    checkins.load(users["Jade Morris"], DOMAIN, now, clock)
    second_report.load(users, _round, _answer, now, rng, clock)
    unit.commit()


def close_and_build(cycle: Cycle, dates: RoundDates, clock: DemoClock) -> None:
    """Closed by the clock the night after its close date; its report built by the worker minutes later."""
    from reports.build import build_report

    assert dates.closed is not None and dates.report is not None
    # The owner's counts as the last daily update before the close took them: without it a closed round's page said
    # nobody had responded (the counts of its opening), beside a report of everyone's answers.
    counted = story.counts_moment(dates.closed)
    with clock.at(counted):
        operations.update_counts(cycle, counted)
    with clock.at(dates.closed):
        operations.close_round_on_date(cycle, dates.closed.date())
    with clock.at(dates.report):
        build_report(cycle)


def _usage_history(now: datetime) -> None:
    from demo import usage_history

    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == ORGANISATION))
    usage_history.load(org, now.date(), DOMAIN)
    unit.commit()
    usage_history.build_usage(now)


def _round(owner: User, raters: list[tuple[str, str]], dates: RoundDates, rng: random.Random,
           clock: DemoClock) -> Cycle:
    with clock.at(dates.started):
        cycle = _started(owner, raters, dates, rng)
        # The facilitator is assigned when the round starts (PRODUCT §5: the portal lists them from then on).
        assign_facilitator(owner, _user("Farah Ahmed"), _user("Alex Morgan"))
    with clock.at(dates.opened):
        operations.open_round(cycle, dates.opened.date())
    return cycle


def _user(name: str) -> User:
    return db.session.scalars(sa.select(User).where(User.name == name)).one()


def _started(owner: User, raters: list[tuple[str, str]], dates: RoundDates, rng: random.Random) -> Cycle:
    cycle = operations.start_cycle(owner, dates.close_on, dates.started.date())
    operations.save_preparation(cycle, texts=_preparation_texts(), ratings={
        "fulfilment": 4, "workload": 2, "equipped": 4, "relationships": 5, "purpose": 3},
        position="broaden", submit=True)
    questionnaire = cycle.questionnaire()
    operations.save_self_answers(cycle, {s.key: _self_rating(s.key, rng) for s in questionnaire.statements()})
    operations.submit_self_assessment(cycle)
    operations.add_raters(cycle, [
        RaterEntry(name=name, email=f"{name.split()[0].lower()}.{owner.name.split()[0].lower()}@{DOMAIN}",
                   category=Category(category)) for name, category in raters])
    return cycle


# How colleagues see the demo owners, per sub-area (1–5), and how far the owners' own view departs from it: a
# blind spot in Leadership, a hidden strength in Strategic insight, so the report has something to talk about.
LEVELS = {"ability.professional": 4.3, "ability.leadership": 3.5, "insight.self_awareness": 3.9,
          "insight.strategic": 4.2, "values.personal": 4.5, "values.shared": 4.4, "ambition.personal": 3.3,
          "ambition.organisational": 3.8}
SELF_BIAS = {"ability.leadership": 1.1, "insight.strategic": -1.2, "ambition.personal": 0.4}
NOT_ABLE_TO_SAY_RATE = 0.07  # PRODUCT's typical round: a few "Not able to say"


def _level(key: str) -> float:
    sub_area = key.rsplit(".", 1)[0]
    # A fixed, small per-statement offset, so statements within a sub-area differ (highest/lowest mean something).
    return LEVELS.get(sub_area, 4.2) + (sum(map(ord, key)) % 7 - 3) / 10


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _self_rating(key: str, rng: random.Random) -> int:
    return _clamp(_level(key) + SELF_BIAS.get(key.rsplit(".", 1)[0], 0) + rng.gauss(0, 0.4))


# Realistic comments, each used at most once per round: raters rarely write the same sentence.
COMMENTS = {
    "strengths": [
        "Calm under pressure and always makes time for the team, even on the busiest days.",
        "Explains complex changes in a way everyone can follow, and checks that we have understood.",
        "Builds strong relationships with partners across the system; people return their calls.",
        "Really good at spotting risks early and raising them without drama.",
        "Gives credit to the team in public and feedback in private.",
        "Keeps patients at the centre of every discussion about the service.",
        "Honest when things go wrong, which makes it easier for the rest of us to be honest too.",
        "Runs the best handovers I have seen: short, clear and nothing missed.",
        "Encouraged me to apply for the band 6 post and helped me prepare for the interview.",
        "Knows the detail of the rota and the budget better than anyone.",
        "Listens properly before deciding, and tells you why a decision went the way it did.",
        "A steady presence during the winter pressures; the ward felt safe.",
    ],
    "develop": [
        "Delegate more: the team is ready to take on bigger pieces of work.",
        "Share your thinking about the longer-term direction earlier, before plans are fixed.",
        "Speak up more in senior meetings: your view is valued and often right.",
        "Say no more often. Taking everything on means some things slip.",
        "Make more time for one-to-ones; they are often the first thing to be cancelled.",
        "Be clearer about priorities when everything feels urgent.",
        "Give feedback sooner rather than saving it for appraisals.",
        "Step back from the day-to-day detail so you can lead the bigger changes.",
        "Let people try their own solutions, even if they are not the way you would do it.",
    ],
    "other": [
        "Thank you for the support this year.",
        "One of the best managers I have worked for.",
        "It would help to know more about the plans for the new unit.",
        "I am glad this feedback is being asked for.",
        "Happy to talk about any of this in person.",
    ],
}


def _comments(rng: random.Random, pools: dict[str, list[str]]) -> dict[str, str]:
    """One rater's comments: usually strengths and something to develop, sometimes a last word, sometimes nothing."""
    said: dict[str, str] = {}
    for question, chance in (("strengths", 0.85), ("develop", 0.7), ("other", 0.3)):
        if pools[question] and rng.random() < chance:
            said[question] = pools[question].pop()
    return said


def _answer(cycle: Cycle, rng: random.Random, respond: set[str], decline: set[str], draft: set[str],
            clock: DemoClock, when: list[datetime], shift: Mapping[str, float] | None = None) -> None:
    """Raters answer one after another over the days the round was open (`when`), a few to a day, before now.
    `shift` moves how raters see the owner in a sub-area, against LEVELS (demo/second_report.py)."""
    keys = cycle.questionnaire().statement_keys()
    pools = {question: rng.sample(texts, len(texts)) for question, texts in COMMENTS.items()}
    for n, invitation in enumerate(cycle.invitations):
        with clock.at(when[n % len(when)] + timedelta(minutes=7 * n)):
            if invitation.name in respond | draft:
                leniency = rng.gauss(0, 0.35)  # some raters are kinder than others
                answers: dict[str, int | str] = {
                    k: NOT_ABLE_TO_SAY if rng.random() < NOT_ABLE_TO_SAY_RATE else _clamp(
                        _level(k) + (shift or {}).get(k.rsplit(".", 1)[0], 0) + leniency + rng.gauss(0, 0.6))
                    for k in keys}
                if invitation.name in draft:
                    answers = dict(list(answers.items())[: len(keys) // 3])
                responses.save_answers(invitation, answers)
                responses.save_comments(invitation, _comments(rng, pools))
                if invitation.name in respond:
                    responses.submit(invitation)
            elif invitation.name in decline:
                responses.decline(invitation)


def _preparation_texts() -> dict[str, str]:
    return {
        "highs_and_lows": "Leading the ward through the winter pressures was the hardest and proudest time. "
                          "Moving into a non-clinical role for a year was a low: I missed patients.",
        "implications": "I do my best work close to patient care, leading a team through change.",
        "growth": "Leading the new discharge project; mentoring two newly qualified nurses.",
        "aims": "Within three years, lead a service across more than one site.",
        "support": "A mentor at matron level, and the leadership programme.",
        "life_factors": "Caring responsibilities mean I need some flexibility over hours.",
    }
