"""Every form answers a wrong submission with the design system's error pattern (issue 25, seam 5): an error summary
whose links each reach a field on the page, "Error:" at the start of the page title, and at each field its own
message; no two messages alike, so each says which question it is about.

The walk runs over the world of tests/fixtures/access_walk.py (people of every role and rounds in every state), with
a round whose report is ready added for the session form, and a rater's link for the rater's pages."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import db as unit
from app.extensions import db
from app.models import Role, User
from app.timeutil import today
from facilitator.operations import assign, propose
from surveys.models import Cycle, Invitation
from surveys.questionnaire import QUESTIONNAIRES_DIR
from surveys.questionnaire_models import ContentText, ContentVersion
from surveys.questionnaire_rules import Status as VersionStatus
from tests.fixtures.access_walk import TEXTS, World, _goal, client_for
from tests.fixtures.rounds import link_token, open_link
from tests.fixtures.smtp import MailCatcher
from tests.followup.checkins import agree_plan, open_checkin_link, rater_token, send_checkin

TOMORROW = today() + timedelta(days=1)


@dataclass(frozen=True)
class Form:
    """A wrong submission of one form: who sends it, where, with what (the CSRF token is added)."""
    who: str  # a person of the world, "anonymous", "rater", "ready_owner" or "fresh_owner"
    url: str
    data: dict[str, str | list[str]] = field(default_factory=dict)
    page: str | None = None  # where the form is, when not at `url`
    token_name: str = "csrf_token"
    errors: int = 1  # at least this many distinct messages
    follow: bool = False  # the form keeps what was typed and shows the problems after a redirect (post/get)


FORMS: dict[str, Callable[[World], Form]] = {
    "sign in": lambda w: Form("anonymous", "/sign-in", {"email": "", "password": ""}),
    "forgotten password": lambda w: Form("anonymous", "/forgot-password", {"email": "not-an-email"}),
    "delete account": lambda w: Form("owner_b2", "/account/delete", {"password": "wrong password"}),
    "add an organisation": lambda w: Form("admin_a1", "/admin/organisations/new",
                                          {"name": "", "email_domains": "not a domain",
                                           "allows_external_raters": "no", "requires_nomination_approval": "no",
                                           "facilitator_releases_report": "no", "rater_purge_days": "x",
                                           "retention_days": "1"}, errors=3),
    "organisation settings": lambda w: Form("admin_a1", f"/admin/organisations/{w.ids['org']}",
                                            {"name": "Test Trust", "email_domains": "not a domain",
                                             "allows_external_raters": "no", "requires_nomination_approval": "no",
                                             "facilitator_releases_report": "no", "rater_purge_days": "0",
                                             "retention_days": "x"}, errors=3),
    "invite a person": lambda w: Form("lead_a1", f"/organisations/{w.ids['org']}/people/invite",
                                      {"name": "", "email": "not-an-email"}, errors=2),
    "start a round": lambda w: Form("fresh_owner", "/round/start", {"day": "31", "month": "2", "year": "2027"}),
    "preparation document": lambda w: Form("owner_b2", "/round/preparation", {"action": "submit"}, errors=5),
    "rate yourself": lambda w: Form("owner_b2", "/round/self/1", {"action": "continue"}, errors=4),
    "add a rater": lambda w: Form("owner_b2", "/round/raters", {"add-name": "", "add-email": "not-an-email"},
                                  token_name="add-csrf_token", errors=2),
    "paste raters": lambda w: Form("owner_b2", "/round/raters/paste", {"paste-raters": "just a name"},
                                   page="/round/raters", token_name="paste-csrf_token", follow=True),
    "change a rater": lambda w: Form("owner_b2", f"/round/raters/{w.ids['draft_rater']}/edit",
                                     {"name": "", "email": "not-an-email", "category": "peer"}, errors=2),
    "rater's answers": lambda w: Form("rater", "/feedback/area/1", {"action": "continue"}, errors=4),
    "rater's comments": lambda w: Form("rater", "/feedback/comments", {"q-strengths": "Kind. " * 400,
                                                                      "q-develop": "Listen. " * 300,
                                                                      "action": "continue"}, errors=2),
    "choose a password": lambda w: Form("invited", "/account/password", {"password": "a long enough password",
                                                                          "confirm": "another long password"}),
    "organisation's statements": lambda w: Form("admin_a1", "/admin/statements", {"self_text": "",
                                                                                  "rater_text": ""}, errors=2),
    "evaluation": lambda w: Form("owner_a1", f"/round/{w.ids['agreed']}/evaluation", {"comment": ""}, errors=5),
    "session record": lambda w: Form("facilitator_a1", f"/facilitator/rounds/{w.ids['ready']}/session",
                                     {"held_day": "40", "held_month": "1", "held_year": "2026"}, errors=2),
    "conversation summary": lambda w: Form(
        "facilitator_a2", f"/facilitator/rounds/{w.ids['held']}/summary",
        {"key_points": "Talked", "strengths": "Calm", "development_areas": "Delegation", "action": "propose",
         "goals-0-term": "short", "goals-0-what": "Chair the meeting", "goals-0-measure": "Chaired 4",
         "goals-0-support": "Time", "goals-0-values": "Care", "goals-0-target_day": "31",
         "goals-0-target_month": "2", "goals-0-target_year": "2027"}),
    "answer the summary": lambda w: Form("owner_a2", f"/round/{w.ids['held']}/summary",
                                         {"decision": "changes", "comment": ""}),
    "goal progress on track with a date": lambda w: Form(
        "owner_a1", f"/development/{w.ids['agreed']}/goals/1",
        {"status": "on_track", "completed_day": str(today().day), "completed_month": str(today().month),
         "completed_year": str(today().year)}),
    "goal met in the future": lambda w: Form(
        "owner_a1", f"/development/{w.ids['agreed']}/goals/1",
        {"status": "met", "completed_day": str(TOMORROW.day), "completed_month": str(TOMORROW.month),
         "completed_year": str(TOMORROW.year)}),
    "single sign-on settings": lambda w: Form("admin_a1", f"/admin/organisations/{w.ids['org']}/sign-in",
                                              {"provider_name": "", "issuer": "not an address", "client_id": "",
                                               "auth_method": "client_secret_basic", "credential": "",
                                               "tenant_ids": "", "acr": "", "is_enabled": "yes",
                                               "allows_password_sign_in": "yes"}),
    "load people from a file": lambda w: Form("lead_a1", f"/organisations/{w.ids['org']}/people/import"),
    "upload a questionnaire": lambda w: Form("admin_a1", "/admin/questionnaires/questionnaire/upload"),
    "send a goal check-in": lambda w: Form("owner_a1", "/development/check-in",
                                           {"raters": "just a name", "day": "", "month": "", "year": ""}, errors=2),
    "a check-in's answers": lambda w: Form("checkin_rater", "/check-in", {"comment": "Kind. " * 400}, errors=2),
    "new draft questionnaire": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['published_version']}"
                                                          "/new-draft", {"version": "2098.1"}),
    "edit a statement": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/edit/statement/"
                                                   "ability.professional.1", {"title": "", "self_text": "We do",
                                                                              "rater_text": "They do"}, errors=3),
    "add a statement": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/edit/ability/"
                                                  "leadership/new", {"title": "Fine", "self_text": "I do it.",
                                                                     "rater_text": ""}),
    "edit an area": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/edit/area/ability",
                                   {"title": "", "summary": "", "sub_professional": "P", "sub_leadership": ""},
                                   errors=3),
    "edit the answers": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/edit/general",
                                       {"title": "", "scale_1": "", "scale_2": "x" * 201}, errors=3),
    "edit the open questions": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/edit/"
                                                          "open-questions", {"strengths_text": ""}, errors=6),
    "edit session prompts": lambda w: Form("admin_a1", f"/admin/questionnaires/prompts/{w.ids['prompts_draft']}/"
                                                       "edit/now", {"question": "", "openers": "x" * 201}, errors=5),
    "edit the preparation words": lambda w: Form("admin_a1", f"/admin/questionnaires/{w.ids['draft_version']}/"
                                                             "edit/preparation", {}, errors=18),
    "assign a facilitator": lambda w: Form("lead_a1", "/facilitators", {"owner": "", "facilitator": ""}, errors=2),
    "send a rater list back without a note": lambda w: Form("facilitator_a1", f"/rater-lists/{w.ids['current']}",
                                                            {"decision": "send_back", "note": " "}),
    "rate yourself in a questionnaire's preview": lambda w: Form(
        "admin_a1", f"/admin/questionnaires/{w.ids['newer_version']}/preview/self/1/frame", {"action": "continue"},
        errors=4),
    "declare what carries over": lambda w: Form(
        "admin_a1", f"/admin/questionnaires/compare/{w.ids['older_version']}/{w.ids['newer_version']}/carry-over",
        {"carry-ability-professional-1": "ability.professional.2",
         "carry-ability-professional-2": "ability.professional.2"},
        page=f"/admin/questionnaires/compare?older={w.ids['older_version']}&newer={w.ids['newer_version']}"),
}

# Forms with nothing to type or choose, whose only wrong submission is a forged one: a button per manager found
# (sharing the report or the plan), per role (a person's roles), per rater (confirming a list), or a confirmation.
NOTHING_TO_GET_WRONG = {"reports.sharing", "reports.stop_sharing", "facilitator.stop_sharing", "accounts.person",
                        "surveys.ask_to_confirm", "surveys.round_action",
                        "surveys.withdraw_rater", "surveys.remove_rater", "surveys.delete_round", "surveys.remind_all",
                        "surveys.retire_org_statement", "facilitator.release", "surveys.self_check",
                        "surveys.rater_check", "surveys.rater_decline", "auth.logout", "accounts.deactivate",
                        "accounts.reactivate", "accounts.invite_again", "admin.mail_send_again",
                        "facilitator.sharing", "identity.confirm_import", "identity.provisioning",
                        "identity.revoke_token", "questionnaires.act", "checkin.close", "checkin.rater_decline",
                        "questionnaires.remove_statement"}
# Not a form: the SCIM API answers a client with SCIM's own error documents (tests/app/identity/test_scim.py).
NOT_A_FORM = {"identity.scim_endpoint"}

_CSRF = re.compile(r'name="([\w-]*csrf_token)" type="hidden" value="([^"]+)"')


def _text(markup: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def error_pattern_problems(page: str, at_least: int = 1) -> list[str]:
    """What the page lacks of the error pattern (nothing, when it follows it)."""
    problems = []
    title = _text(re.search(r"<title>(.*?)</title>", page, re.S).group(1))  # type: ignore[union-attr]
    if not title.startswith("Error:"):
        problems.append(f"title {title!r} does not start with 'Error:'")
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', page, re.S)
    if summary is None:
        return [*problems, "no error summary"]
    links = [(anchor, _text(text)) for anchor, text in re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>',
                                                                   summary.group(0), re.S)]
    texts = [text for _, text in links]
    if len(set(texts)) != len(texts):
        problems.append(f"the same message twice: {texts}")
    if len(set(texts)) < at_least:
        problems.append(f"{len(set(texts))} distinct messages, expected at least {at_least}: {texts}")
    # At a field: the design system's message, or a list of them (each line of a pasted list), each after a hidden
    # "Error:" for screen readers.
    at_fields = [_text(m) for m in re.findall(r'<span class="nhsuk-u-visually-hidden">Error: </span>([^<]*)', page)]
    for anchor, text in links:
        if f'id="{anchor}"' not in page:
            problems.append(f"the summary's link #{anchor} ({text!r}) reaches no field")
        if not any(text in message for message in at_fields):
            problems.append(f"{text!r} is not shown at its field")
    return problems


@pytest.fixture
def clients(app: Flask, world: World, create_user: Callable[..., User], create_closed_round,  # type: ignore[no-untyped-def]
            mailbox: MailCatcher) -> dict[str, FlaskClient]:
    """The world's extras: a round with its report ready for the session form, a rater not yet invited in the round
    being set up, an owner with no round yet, and a rater who has followed their link."""
    ready_owner = create_user(Role.OWNER, name="Rhea Ready", email="rhea@trust.example", org=world.orgs["a"])
    assign(ready_owner, world.people["facilitator_a1"], world.people["lead_a1"])
    world.orgs["a"].requires_nomination_approval = False  # the round open there keeps it: it started with it
    unit.commit()
    world.ids["ready"] = create_closed_round(ready_owner, {"peer": 3}).id
    draft = db.session.scalar(sa.select(Cycle).where(Cycle.owner_id == world.people["owner_b2"].id))
    world.ids["draft_rater"] = draft.invitations[0].id
    world.people["fresh_owner"] = create_user(Role.OWNER, name="Fred Fresh", email="fred@trust.example")
    held = db.session.get(Cycle, world.ids["held"])  # a summary waiting for its owner's answer
    propose(held, TEXTS, [_goal(0)], world.people["facilitator_a2"], today())
    unit.commit()
    rater = app.test_client()
    invitation = db.session.scalars(sa.select(Invitation).where(Invitation.cycle_id == world.ids["current"],
                                                                Invitation.invited_at.is_not(None))).first()
    open_link(rater, link_token(invitation))
    shipped = (QUESTIONNAIRES_DIR / "ccl-2026.1.yaml").read_text(encoding="utf-8")
    for name, number in (("older_version", "2099.5"), ("newer_version", "2099.6")):  # to preview and compare
        version = ContentVersion(kind="questionnaire", version=number, status=VersionStatus.PUBLISHED, texts=[
            ContentText(language="en", source=shipped.replace('version: "2026.1"', f'version: "{number}"'))])
        db.session.add(version)
        db.session.flush()
        world.ids[name] = version.id
    unit.commit()
    invited = app.test_client()  # Ivy followed the link in her invitation
    link = re.search(r"https?://[^/\s]+(/account/link/\S+)", MailCatcher.text(mailbox.to("ivy@trust.example")[-1]))
    assert link is not None and invited.get(link.group(1)).status_code == 302
    checkin_rater = app.test_client()  # asked in owner_a1's goal check-in, and followed the link
    asker = create_user(Role.OWNER, name="Cleo Checkin", email="cleo@trust.example", org=world.orgs["a"])
    agree_plan(create_closed_round(asker, {"peer": 3}))
    open_checkin_link(checkin_rater, rater_token(send_checkin(asker, n=3).raters[0]))
    return {"anonymous": app.test_client(), "rater": rater, "invited": invited, "checkin_rater": checkin_rater}


@pytest.mark.parametrize("name", FORMS)
def test_every_form_shows_the_error_pattern(app: Flask, world: World, clients: dict[str, FlaskClient],
                                            name: str) -> None:
    form = FORMS[name](world)
    client = clients.get(form.who) or client_for(app, world.people[form.who])[0]
    page = client.get(form.page or form.url)
    assert page.status_code == 200, (form.page or form.url, page.status_code)
    tokens = dict(_CSRF.findall(page.get_data(as_text=True)))  # none on a rater's pages: their cookie is scoped
    token = {form.token_name: tokens[form.token_name]} if tokens else {}
    response = client.post(form.url, data={**token, **form.data}, follow_redirects=form.follow)
    assert response.status_code in {200, 400, 409, 422}, (form.url, response.status_code,
                                                          response.headers.get("Location"))
    problems = error_pattern_problems(response.get_data(as_text=True), form.errors)
    assert not problems, "\n".join(problems)


def test_every_form_with_something_to_get_wrong_is_walked(app: Flask, world: World,
                                                          clients: dict[str, FlaskClient]) -> None:
    adapter = app.url_map.bind("localhost")
    walked = {adapter.match(FORMS[name](world).url.split("?")[0], method="POST")[0] for name in FORMS}
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert posted - walked - NOTHING_TO_GET_WRONG - NOT_A_FORM == set()
