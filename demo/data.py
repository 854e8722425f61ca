"""Builds the demo through the same operations the pages use, so what a newcomer sees is what users get."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from reports.operations import assign_facilitator
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
    Login(f"farah@{DOMAIN}", "Farah Ahmed", (Role.FACILITATOR,), "facilitator"),
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


def load(today: date, seed: int = 360) -> None:
    rng = random.Random(seed)
    org = Organisation(name=ORGANISATION, email_domains=[DOMAIN])
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

    olivia = _round(users["Olivia Okafor"], OLIVIA_RATERS, today, rng)
    _answer(olivia, rng, respond={"Sam Patel", "Grace Liu", "Ben Carter", "Mark Bennett"},
            decline={"Jack Wilson"}, draft={"Tom Reid"})

    for name, raters in (("Daniel Hughes", DANIEL_RATERS), ("Sophie Turner", SOPHIE_RATERS)):
        closed = _round(users[name], raters, today - timedelta(days=25), rng)
        _answer(closed, rng, respond={rater for rater, _ in raters}, decline=set(), draft=set())
        operations.close_round_early(closed)  # the worker builds the report when `make run` starts it
    for name in ("Olivia Okafor", "Daniel Hughes", "Sophie Turner"):
        assign_facilitator(users[name], users["Farah Ahmed"], users["Alex Morgan"])
    unit.commit()


def _round(owner: User, raters: list[tuple[str, str]], started: date, rng: random.Random) -> Cycle:
    cycle = operations.start_cycle(owner, started + timedelta(days=21), started)
    operations.save_preparation(cycle, texts=_preparation_texts(), ratings={
        "fulfilment": 4, "workload": 2, "equipped": 4, "relationships": 5, "purpose": 3},
        position="broaden", submit=True)
    questionnaire = cycle.questionnaire()
    operations.save_self_answers(cycle, {s.key: rng.choice([3, 4, 4, 5]) for s in questionnaire.statements()})
    operations.submit_self_assessment(cycle)
    operations.add_raters(cycle, [
        RaterEntry(name=name, email=f"{name.split()[0].lower()}.{owner.name.split()[0].lower()}@{DOMAIN}",
                   category=Category(category)) for name, category in raters])
    operations.open_round(cycle, started)
    return cycle


def _answer(cycle: Cycle, rng: random.Random, respond: set[str], decline: set[str], draft: set[str]) -> None:
    questionnaire = cycle.questionnaire()
    keys = questionnaire.statement_keys()
    comments = [
        {"strengths": "Calm under pressure and always makes time for the team.",
         "develop": "Delegate more: the team is ready to take on bigger pieces of work."},
        {"strengths": "Explains complex changes in a way everyone can follow.",
         "other": "Thank you for the support this year."},
        {"strengths": "Builds strong relationships with partners across the system.",
         "develop": "Share your thinking about the longer-term direction earlier."},
        {"develop": "Speak up more in senior meetings: your view is valued."},
    ]
    for invitation in cycle.invitations:
        if invitation.name in respond | draft:
            answers = {k: rng.choice([2, 3, 4, 4, 5, 5, NOT_ABLE_TO_SAY]) for k in keys}
            if invitation.name in draft:
                answers = dict(list(answers.items())[: len(keys) // 3])
            responses.save_answers(invitation, answers)
            responses.save_comments(invitation, rng.choice(comments))
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
