"""The owner's round: start it, prepare, rate yourself, choose raters, open, watch, close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app import db as unit
from app.access import roles
from app.errors import DomainError
from app.extensions import db
from app.models import Role
from app.timeutil import today, utcnow
from surveys import cycle as rules
from surveys import nominations, operations, rights, round_tasks
from surveys.answers import (
    area_statements,
    changing_at,
    field_name,
    first_incomplete_area,
    missing_answer,
    read_area,
    unanswered,
)
from surveys.forms import CloseDateForm, ConfirmForm, PasteRatersForm, PreparationForm, RaterForm
from surveys.hooks import cycle_links, preparation_context, round_notes, step_links
from surveys.last_round import last_round_list
from surveys.models import Cycle, Invitation
from surveys.questionnaire import PREPARATION_RATINGS
from surveys.rater_list import check_rater, chosen_per_category, lines_to_fix, parse_rater_list
from surveys.rater_rows import list_facts, rater_rows, summary_rows
from surveys.rules import nomination
from surveys.rules.addresses import RaterPolicy
from surveys.rules.nomination import ListFacts
from surveys.views import bp

owner_only = roles(Role.OWNER)


def _cycle() -> Cycle:
    cycle = operations.current_cycle(current_user)
    if cycle is None:
        abort(404)
    return cycle


def _done(message: str, endpoint: str = "surveys.dashboard", **values: object) -> WerkzeugResponse:
    unit.commit()
    flash(message)
    return redirect(url_for(endpoint, **values))


@bp.route("/round")
@owner_only
def dashboard():  # type: ignore[no-untyped-def]
    cycle = operations.current_cycle(current_user)
    if cycle is None:
        return render_template("surveys/no_round.html")
    later = step_links(cycle)
    facts = operations.round_facts(cycle, later)
    remind = operations.remind_all_offer(cycle, today())
    steps, links = rules.progress(facts), round_tasks.step_links(later, facts.self_assessment_submitted)
    counts = operations.completion_counts(cycle)
    return render_template("surveys/dashboard.html", cycle=cycle, steps=steps, step_links=links,
                           task_list=round_tasks.task_list(steps, links),
                           next_step=rules.next_step(facts), counts=counts,
                           counts_table=round_tasks.counts_table(counts) if counts else None,
                           counts_updated_at=cycle.counts_updated_at, links=cycle_links(cycle), remind=remind,
                           later_links=later, notes=round_notes(cycle), report_held=facts.report_held,
                           may_finish=_may_finish(cycle),
                           start_refusal=operations.start_refusal(current_user, today()))


@bp.route("/rounds")
@owner_only
def rounds():  # type: ignore[no-untyped-def]
    """Every round the owner has had, newest first, each with what it holds: its report, summary and plan."""
    cycles = list(reversed(rights.owner_cycles(current_user)))
    current = operations.current_cycle(current_user)
    return render_template("surveys/rounds.html", rows=[(c, rights.describe(c), cycle_links(c)) for c in cycles],
                           current=current)


def _may_finish(cycle: Cycle) -> bool:
    return operations.action_refusal(cycle, "finish", today()) is None


@bp.route("/round/remind", methods=["POST"])
@owner_only
def remind_all():  # type: ignore[no-untyped-def]
    """Remind every rater who has not replied; CSRF is checked for every POST by CSRFProtect."""
    cycle = _cycle()
    try:
        operations.remind_all_outstanding(cycle, utcnow())
    except DomainError as error:
        unit.rollback()
        flash(error.message)
        return redirect(url_for("surveys.dashboard"))
    # No number: how many were reminded is how many have not replied, live, and that would time each answer.
    return _done("A reminder is on its way to everyone who has not replied yet, except anyone we already emailed "
                 "today.")


def _cannot(title: str, reason: str, status: int = 200, cycle: Cycle | None = None):  # type: ignore[no-untyped-def]
    """Instead of a confirmation whose button could only be refused: why not, and the way back."""
    return render_template("surveys/cannot.html", title=title, reason=reason, cycle=cycle), status


@bp.route("/round/start", methods=["GET", "POST"])
@owner_only
def start_round():  # type: ignore[no-untyped-def]
    refused = operations.start_refusal(current_user, today())
    if refused:
        return _cannot("You cannot start a new round now", refused, 200 if request.method == "GET" else 409)
    form = CloseDateForm()
    if request.method == "GET":
        default = rules.default_close_date(today())
        form.day.data, form.month.data, form.year.data = str(default.day), str(default.month), str(default.year)
    elif form.validate_on_submit():
        assert form.close_on is not None
        try:
            rules.check_chosen_close_date(form.close_on, today())  # a typed date: a working day, as the default is
            cycle = operations.start_cycle(current_user, form.close_on, today())
        except DomainError as error:
            form.day.errors.append(error.message)
        else:
            return _done("Your feedback round has started. Start with your preparation document. "
                         + _report_release_note(cycle))
    return render_template("surveys/start.html", form=form)


def _report_release_note(cycle: Cycle) -> str:
    """The owner is told, when the round starts, who reads the report first (PRODUCT §5)."""
    if cycle.facilitator_releases_report:
        return ("When your report is ready, your facilitator reads it first and releases it to you at or before "
                "your session, so you can go through it together.")
    return "When your report is ready you can read it straight away."


@bp.route("/round/preparation", methods=["GET", "POST"])
@owner_only
def preparation():  # type: ignore[no-untyped-def]
    cycle = _cycle()
    document = cycle.preparation
    status = rules.owner_document(bool(document and document.submitted_at), cycle.state)
    read_only = status is not rules.OwnerDocument.OPEN
    form = PreparationForm(cycle.questionnaire().preparation)
    if document and (request.method == "GET" or read_only):  # a read-only page shows what is held, not a post
        for name in PreparationForm.TEXT_FIELDS:
            form[name].data = document.texts.get(name, "")
        for key in PREPARATION_RATINGS:
            value = document.ratings.get(key)
            form[f"rating_{key}"].data = str(value) if value else None
        form.position.data = document.position.value if document.position else None
    if request.method == "POST" and not read_only and form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        if not (submit and form.missing_for_submit()):
            operations.save_preparation(
                cycle,
                texts={name: (form[name].data or "").strip() for name in PreparationForm.TEXT_FIELDS},
                ratings={key: int(form[f"rating_{key}"].data) for key in PREPARATION_RATINGS
                         if form[f"rating_{key}"].data},
                position=form.position.data or None, submit=submit)
            return _done("Your preparation document has been submitted." if submit
                         else "Your preparation document has been saved. You can come back to it at any time.")
    return render_template("surveys/preparation.html", form=form, cycle=cycle, read_only=read_only, status=status,
                           saved=document is not None, ended=rules.ended_words(cycle.state),
                           context=preparation_context(cycle))


@bp.route("/round/self/<int:number>", methods=["GET", "POST"])
@owner_only
def self_area(number: int):  # type: ignore[no-untyped-def]
    cycle = _cycle()
    questionnaire = cycle.questionnaire()
    if not 1 <= number <= len(questionnaire.areas):
        abort(404)
    area = questionnaire.areas[number - 1]
    assessment = cycle.self_assessment
    status = rules.owner_document(bool(assessment and assessment.submitted_at), cycle.state)
    read_only = status is not rules.OwnerDocument.OPEN
    form = ConfirmForm()
    answers = dict(assessment.answers) if assessment else {}
    check = url_for("surveys.self_check")
    changing = changing_at(request.args.get("change"), [field_name(s.key) for s in area_statements(area)])
    errors: list[dict[str, str]] = []
    if request.method == "POST" and not read_only and form.validate_on_submit():
        given = read_area(area, request.form, allow_not_able=False)
        answers.update(given)
        operations.save_self_answers(cycle, given)
        if request.form.get("action") == "save":
            return _done("Your answers have been saved. You can come back to them at any time.")
        missing = unanswered(area_statements(area), answers)
        if not missing:
            unit.commit()
            if changing:
                return redirect(f"{check}#check-{changing}")
            return redirect(url_for("surveys.self_area", number=number + 1) if number < len(questionnaire.areas)
                            else check)
        unit.commit()  # keep what was given, then ask for the rest
        errors = [{"text": missing_answer(s.self_text), "href": f"#{field_name(s.key)}"}
                  for s in missing]
    return render_template("surveys/answer_area.html", area=area, number=number, total=len(questionnaire.areas),
                           answers=answers, errors=errors, form=form, read_only=read_only, rater=False,
                           status=status, ended=rules.ended_words(cycle.state),
                           questionnaire=questionnaire, wording="self_text", changing=changing,
                           back=check if changing else url_for("surveys.self_area", number=number - 1)
                           if number > 1 else url_for("surveys.dashboard"))


@bp.route("/round/self/check", methods=["GET", "POST"])
@owner_only
def self_check():  # type: ignore[no-untyped-def]
    cycle = _cycle()
    questionnaire = cycle.questionnaire()
    assessment = cycle.self_assessment
    answers = dict(assessment.answers) if assessment else {}
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        operations.submit_self_assessment(cycle)
        return _done("Your self-assessment has been submitted.")
    status = rules.owner_document(bool(assessment and assessment.submitted_at), cycle.state)
    return render_template("surveys/self_check.html", cycle=cycle, questionnaire=questionnaire, answers=answers,
                           form=form, incomplete=first_incomplete_area(questionnaire, answers),
                           status=status, submitted=status is not rules.OwnerDocument.OPEN,
                           ended=rules.ended_words(cycle.state))


def _raters_page(cycle: Cycle, add_form: RaterForm, paste_form: PasteRatersForm,
                 problems: list[str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """The raters page. Its list is read as plain values and its rows printed in Python (surveys/rater_rows.py);
    what only the parts shown need (the confirmation section, the organisation's rules for the add form) is read
    only when they are shown."""
    errors = [{"text": message, "href": "#paste-raters"} for message in (problems or [])]
    rows = rater_rows(cycle.id)
    listed = [row for row in rows if row.withdrawn_at is None]
    editable, approval = rules.raters_editable(cycle.state), nominations.requires_approval(cycle)
    confirming = bool(rows) and approval and editable and cycle.raters_purged_at is None
    policy = operations.rater_policy(current_user) if editable else None
    return render_template("surveys/raters.html", cycle=cycle, add_form=add_form, paste_form=paste_form,
                           last_round=last_round_list(cycle, [row.email for row in listed]) if editable else None,
                           problems=problems or [], extra_errors=errors, listed=len(listed),
                           chosen=chosen_per_category([row.category for row in listed]),
                           withdrawn=len(rows) - len(listed),
                           rater_list=summary_rows(rows, editable=editable, approval=approval)
                           if rows and cycle.raters_purged_at is None else None,
                           editable=editable, domains=_domains_hint(policy), approval=approval,
                           ask_form=ConfirmForm(prefix="ask") if confirming else None,
                           not_set_up=None if policy is None or policy.is_set_up else operations.NOT_SET_UP_TO_OPEN,
                           **(_confirmation(cycle, list_facts(rows, approval)) if confirming else
                              {"approver": None, "ask_refusal": None, "returned": None})), status


def _confirmation(cycle: Cycle, facts: ListFacts) -> dict[str, object]:
    """The confirmation section: who confirms the list, whether the owner may ask now, and the note the
    facilitator sent the list back with, while it serves, with the step it leaves the owner."""
    approver = nominations.approver_name(cycle)
    shown: dict[str, object] = {"approver": approver, "ask_refusal": nominations.request_refusal(cycle, facts)}
    note = nominations.returned_note(cycle, facts)
    if note is not None:
        shown.update(returned=note, returned_words=nomination.owner_returned_words(
            approver or "Your facilitator", facts.unrequested))
    return shown


def _domains_hint(policy: RaterPolicy | None) -> str | None:
    if policy is None or policy.allows_external or not policy.domains:
        return None
    return "Use their work address, ending " + " or ".join(f"@{d}" for d in policy.domains)


# What a pasted list left to fix, kept in the owner's session from the POST to the page it redirects to, so a refresh
# of that page never sends the list again. The session is a cookie: a list too long for it stays on the POST.
_TO_FIX = "raters_to_fix"
_TO_FIX_LIMIT = 2500  # characters, well inside a 4 kB cookie with what else the session holds


@bp.route("/round/raters", methods=["GET", "POST"])
@owner_only
def raters():  # type: ignore[no-untyped-def]
    cycle = _cycle()
    add_form = RaterForm(prefix="add")
    paste_form = PasteRatersForm(prefix="paste")
    if request.method == "POST" and add_form.validate_on_submit():
        entry = check_rater(add_form.name.data, add_form.email.data, add_form.category.data,
                            existing_emails=[i.email for i in cycle.invitations], withdrawn=_withdrawn(cycle),
                            policy=operations.rater_policy(current_user))
        if isinstance(entry, str):
            add_form.email.errors.append(entry)
        else:
            operations.add_raters(cycle, [entry])
            return _done(f"{entry.name} has been added.", "surveys.raters")
    to_fix = session.pop(_TO_FIX, None) if request.method == "GET" else None
    if request.method == "GET" and request.args.get("start") == "last" and not to_fix:
        # to review and add: each line is checked again when added
        last = last_round_list(cycle, [row.email for row in rater_rows(cycle.id) if row.withdrawn_at is None])
        paste_form.raters.data = last.text if last else ""
    if to_fix:
        paste_form.raters.data = to_fix["text"]
        return _raters_page(cycle, add_form, paste_form, problems=to_fix["problems"])
    return _raters_page(cycle, add_form, paste_form)


@bp.route("/round/raters/paste", methods=["POST"])
@owner_only
def paste_raters():  # type: ignore[no-untyped-def]
    cycle = _cycle()
    add_form = RaterForm(prefix="add", formdata=None)
    paste_form = PasteRatersForm(prefix="paste")
    if not paste_form.validate_on_submit():
        return _raters_page(cycle, add_form, paste_form)
    parsed = parse_rater_list(paste_form.raters.data, existing_emails=[i.email for i in cycle.invitations],
                              withdrawn=_withdrawn(cycle), policy=operations.rater_policy(current_user))
    if parsed.raters:
        operations.add_raters(cycle, list(parsed.raters))
        unit.commit()
    if not parsed.problems:
        flash(f"{len(parsed.raters)} {'person has' if len(parsed.raters) == 1 else 'people have'} been added.")
        return redirect(url_for("surveys.raters"))
    # Keep the lines that need fixing in the box, so nothing typed is lost and nothing good is added twice.
    text, problems = lines_to_fix(parsed.problems)
    if parsed.raters:
        flash(f"{len(parsed.raters)} {'person was' if len(parsed.raters) == 1 else 'people were'} added. "
              "Fix the lines below and add them again.")
    messages = [p.message for p in problems]
    if len(text) + sum(map(len, messages)) <= _TO_FIX_LIMIT:
        session[_TO_FIX] = {"text": text, "problems": messages}
        return redirect(url_for("surveys.raters"))
    paste_form.raters.data = text
    return _raters_page(cycle, add_form, paste_form, problems=messages)


def _withdrawn(cycle: Cycle) -> dict[str, str]:
    """The round's withdrawn raters, address to name: none of them can be added to this round again."""
    return {i.email: i.name for i in cycle.invitations if i.withdrawn_at is not None}


def _invitation(cycle: Cycle, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.cycle_id != cycle.id:
        abort(404)
    return invitation


@bp.route("/round/raters/<int:invitation_id>/edit", methods=["GET", "POST"])
@owner_only
def edit_rater(invitation_id: int):  # type: ignore[no-untyped-def]
    cycle = _cycle()
    invitation = _invitation(cycle, invitation_id)
    if invitation.is_sent:  # once invited, only withdrawal: the same for everyone, whatever they have done
        return redirect(url_for("surveys.withdraw_rater", invitation_id=invitation.id))
    refused = rules.refusal(lambda: operations.check_changeable(invitation))
    if refused:  # the round closed with them never invited (their confirmation was still awaited)
        return _cannot("You cannot change this person now", refused, 200 if request.method == "GET" else 409, cycle)
    form = RaterForm(obj=None if request.method == "POST" else invitation)
    if request.method == "GET":
        form.category.data = invitation.category.value
    elif form.validate_on_submit():
        entry = check_rater(form.name.data, form.email.data, form.category.data,
                            existing_emails=[i.email for i in cycle.invitations if i.id != invitation.id],
                            withdrawn=_withdrawn(cycle), policy=operations.rater_policy(current_user))
        if isinstance(entry, str):
            form.email.errors.append(entry)
        else:
            try:
                operations.update_rater(invitation, entry)
            except DomainError as error:
                unit.rollback()
                return _cannot("You cannot change this person now", error.message, 409, cycle)
            return _done(f"{invitation.name}'s details have been changed.", "surveys.raters")
    return render_template("surveys/rater_edit.html", form=form, invitation=invitation,
                           approval=nominations.requires_approval(cycle), cycle=cycle)


@bp.route("/round/raters/<int:invitation_id>/remove", methods=["GET", "POST"])
@owner_only
def remove_rater(invitation_id: int):  # type: ignore[no-untyped-def]
    cycle = _cycle()
    invitation = _invitation(cycle, invitation_id)
    if invitation.is_sent:
        return redirect(url_for("surveys.withdraw_rater", invitation_id=invitation.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        name = invitation.name
        try:
            operations.remove_rater(invitation)
        except DomainError as error:
            unit.rollback()
            return _cannot("You cannot remove this person now", error.message, 409, cycle)
        return _done(f"{name} has been removed.", "surveys.raters")
    return render_template("surveys/confirm.html", form=form, title=f"Remove {invitation.name}?",
                           body=[f"{invitation.name} will not be asked for feedback."],
                           button="Remove", back=url_for("surveys.raters"), warning=True)


_WITHDRAW_BODY = [
    "Their links will stop working and they will not be reminded again.",
    "If they have already answered, their answer stays in your report: nobody can tell which answer is theirs, "
    "so it cannot be taken out. Your counts keep them as they were.",
    "They cannot be asked again in this round, at this address or in another group. To correct a mistyped "
    "address, withdraw them and add them again with the right one.",
]


@bp.route("/round/raters/<int:invitation_id>/withdraw", methods=["GET", "POST"])
@owner_only
def withdraw_rater(invitation_id: int):  # type: ignore[no-untyped-def]
    """The page and its outcome read the same whether the rater answered, declined or neither (PRODUCT §2.4)."""
    cycle = _cycle()
    invitation = _invitation(cycle, invitation_id)
    refused = rules.refusal(lambda: operations.check_withdrawable(invitation))
    if refused:
        return _cannot("You cannot withdraw this person", refused, 200 if request.method == "GET" else 409, cycle)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.withdraw_rater(invitation, utcnow())
        return _done(f"{invitation.name} has been withdrawn. Their links no longer work.", "surveys.raters")
    return render_template("surveys/confirm.html", form=form, title=f"Withdraw {invitation.name}?",
                           body=_WITHDRAW_BODY, button="Withdraw", back=url_for("surveys.raters"), warning=True)


_CANNOT = {"open": "You cannot send invitations now", "close": "You cannot close your round now",
           "cancel": "You cannot cancel your round now", "finish": "You cannot finish your round this way now"}
_ROUND_ACTIONS = {
    "open": ("Send invitations and open your round?",
             ["Each rater will get an email with their own link.",
              "Raters you add later are invited straight away."], "Send invitations",
             lambda cycle: operations.open_round(cycle, today()), "Invitations are on their way."),
    "close": ("Close your round now?",
              ["No more responses will be accepted, and the round cannot be opened again.",
               "Your report is made from the responses received by then. If nobody has responded, the round ends "
               "without a report."], "Close the round",
              operations.close_round_early, "Your round is closed."),
    "finish": ("Finish this round without a session?",
               ["Your report stays yours to read. No facilitated session or conversation summary will follow.",
                "You can start a new feedback round once the time your organisation sets between rounds has passed "
                "since this one closed. Your round page will say when."], "Finish the round",
               operations.finish_without_session, "Your round is finished. Your round page says when you can "
                                                  "start a new one."),
    "cancel": ("Cancel your round?",
               ["Raters' links will stop working and no report will be made.",
                "You can start a new round afterwards."], "Cancel the round",
               operations.cancel_round, "Your round has been cancelled."),
}


@bp.route("/round/<any(open, close, finish, cancel):action>", methods=["GET", "POST"])
@owner_only
def round_action(action: str):  # type: ignore[no-untyped-def]
    cycle = _cycle()
    title, body, button, operation, message = _ROUND_ACTIONS[action]
    refused = operations.action_refusal(cycle, action, today())
    if refused:
        return _cannot(_CANNOT[action], refused, 200 if request.method == "GET" else 409, cycle)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operation(cycle)
        except DomainError as exc:  # the round changed between the check above and now
            unit.rollback()
            return _cannot(_CANNOT[action], exc.message, 409, cycle)
        return _done(message)
    return render_template("surveys/confirm.html", form=form, title=title, body=body, button=button,
                           back=url_for("surveys.dashboard"), warning=action != "open")


@bp.route("/round/<int:cycle_id>/delete", methods=["GET", "POST"])
@owner_only
def delete_round(cycle_id: int):  # type: ignore[no-untyped-def]
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or cycle.owner_id != current_user.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        rights.delete_round(cycle)
        return _done("Your round and everything in it have been deleted.", "account.index")
    return render_template("surveys/confirm.html", form=form, title="Delete this round?",
                           body=[f"{rights.describe(cycle)}. This cannot be undone. These will be deleted:"],
                           items=rights.what_deleting_removes(cycle), after=[rights.USAGE_AFTER_DELETION],
                           button="Delete this round", back=url_for("account.index"), warning=True)
