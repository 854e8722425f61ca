"""Bad input on every form: a clear NHS.UK error summary, what was typed kept, never a 500."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form, FormField
from wtforms.fields.choices import SelectChoice, SelectFieldBase

from app import db as unit
from app.extensions import db
from app.fields import CHOICE_FIELDS
from surveys.forms import PreparationForm
from surveys.models import PreparationDocument
from surveys.questionnaire import load_file, shipped_files
from tests.conftest import csrf_from, post_form

FORMS = [
    ("/round/raters", {"add-name": "Kept Name", "add-email": "not-an-email"}, "add", "Kept Name"),
    ("/round/raters/paste", {"paste-raters": ""}, "paste", None),
    ("/round/preparation", {"highs_and_lows": "Kept words", "action": "submit"}, "", "Kept words"),
    ("/round/self/1", {"action": "continue"}, "", None),
]


@pytest.mark.parametrize(("url", "data", "prefix", "kept"), FORMS)
def test_a_bad_submission_shows_an_error_summary(owner_client: FlaskClient, open_round, url: str,  # type: ignore[no-untyped-def]
                                                 data: dict[str, str], prefix: str, kept: str | None) -> None:
    page_url = "/round/raters" if "raters" in url else url
    response = post_form(owner_client, url, data, page=page_url, prefix=prefix)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page and "There is a problem" in page
    assert "<title>Error: " in page
    if kept:
        assert kept in page


def test_an_empty_sign_in_says_what_to_enter(client: FlaskClient) -> None:
    page = post_form(client, "/sign-in", {}).get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page


def test_an_oversized_body_gets_413_and_a_page(owner_client: FlaskClient) -> None:
    token = csrf_from(owner_client.get("/round/start").get_data(as_text=True))
    response = owner_client.post("/round/raters/paste", data={"csrf_token": token, "paste-raters": "x" * 300_000})
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_an_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_a_plain_page_not_a_trace(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    @app.route("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail")

    boom.access = None  # type: ignore[attr-defined]
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret detail" not in page and "Traceback" not in page


# --- Hostile values in every field of every form -----------------------------------------------------------------

HOSTILE_VALUES = st.one_of(
    st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u2003", " 1 ", " 3", "yes ", "²", "٣", "1e9", "-1", "0",
                     "None", "null", "[]", "{}", "9" * 30, "9" * 5000, "x" * 10_000, "<b>", "%00", "\ufeff"]),
    st.text(max_size=40),
    st.integers().map(str),
)


OURS = ("app", "surveys", "reports", "facilitator", "usage", "followup")


def _form_classes() -> list[type[Form]]:
    """Every form the application defines, found by importing every forms and views module of its packages and
    walking WTForms' subclasses (so a new one cannot be missed)."""
    for package in OURS:
        try:
            root = importlib.import_module(package)
        except ModuleNotFoundError:
            continue
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if {"forms", "views"} & set(info.name.split(".")):
                importlib.import_module(info.name)
    ours = tuple(f"{p}." for p in OURS)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(ours):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__name__}")


def _fields(form: Form) -> list[Field]:
    out = []
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                out.extend(_fields(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            out.extend(_fields(field.form))
        else:
            out.append(field)
    return out


def _build(cls: type[Form], data: MultiDict | None = None) -> Form:
    # A form whose words come from the round's questionnaire version is given the shipped version's.
    words = (load_file(shipped_files()[min(shipped_files())]).preparation,) if cls is PreparationForm else ()
    form = cls(*words, formdata=data, meta={"csrf": False}) if issubclass(cls, FlaskForm) else cls(formdata=data)
    for field in _fields(form):
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", ()) is None:
            field.choices = [SelectChoice("1", "One"), SelectChoice("2", "Two")]  # set by the view, per request
    return form


def _helpers(cls: type[Form]) -> list[str]:
    """The form's own methods that read what was posted (dates, goals, what submitting still needs)."""
    return [name for klass in cls.__mro__ if klass.__module__.startswith(("surveys.", "facilitator.", "app.accounts"))
            for name, value in vars(klass).items()
            if inspect.isfunction(value) and not name.startswith(("_", "validate")) and
            len(inspect.signature(value).parameters) == 1]


def test_the_walk_finds_every_form(app: Flask) -> None:
    names = {c.__name__ for c in _form_classes()}
    assert {"PreparationForm", "CloseDateForm", "RaterForm", "SessionForm", "SummaryForm", "GoalForm",
            "EvaluationForm", "OrganisationForm", "PersonForm", "LoginForm", "ShareForm"} <= names, names


@pytest.mark.parametrize("cls", _form_classes(), ids=lambda c: c.__name__)
def test_every_choice_field_strips_and_checks_its_choices(app: Flask, cls: type[Form]) -> None:
    """One shared kind of field for every choice (app.fields): WTForms' own keeps "  " and Optional() lets it by."""
    with app.test_request_context(method="POST"):
        for field in _fields(_build(cls)):
            if isinstance(field, SelectFieldBase):
                assert isinstance(field, CHOICE_FIELDS), f"{cls.__name__}.{field.name} is a plain {type(field)}"


TRIED: dict[str, int] = {}


@pytest.mark.parametrize("cls", _form_classes(), ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_hostile_value_in_any_field_gets_past_a_form_as_a_bad_choice_or_an_error(
        app: Flask, cls: type[Form], data: st.DataObject) -> None:
    with app.test_request_context(method="POST"):
        names = [f.name for f in _fields(_build(cls, MultiDict({"goals-0-what": "x", "goals-1-what": "y"})))]
        posted = MultiDict([(name, data.draw(HOSTILE_VALUES, label=name)) for name in names])
        form = _build(cls, posted)
        form.validate()
        for name in _helpers(cls):
            getattr(form, name)()  # must not raise: a date too large, a rating of "²"
        TRIED[cls.__name__] = TRIED.get(cls.__name__, 0) + 1
        for field in _fields(form):
            # A field that leaves the check to its view (roles: `chosen_roles` keeps only those offered) is skipped.
            if isinstance(field, SelectFieldBase) and not field.errors and field.validate_choice:
                values = {str(c[0]) for c in field.iter_choices()}
                chosen = field.data if isinstance(field.data, list) else [field.data]
                assert all(v in (None, "") or str(v) in values for v in chosen), (field.name, field.data)


def test_whitespace_and_huge_numbers_on_the_owners_pages_are_refused_or_ignored_never_saved(
        owner_client: FlaskClient, open_round) -> None:  # type: ignore[no-untyped-def]
    """The issue's cases: "  " as the position and as a rating, and a year too large for a date."""
    response = post_form(owner_client, "/round/preparation", {"position": "  ", "rating_workload": "  ",
                                                              "highs_and_lows": "Kept", "action": "save"})
    assert response.status_code == 302
    document = db.session.get(PreparationDocument, open_round.id)
    db.session.refresh(document)
    assert document.position is None and document.ratings == {}
    raw = db.session.execute(sa.text("SELECT position FROM preparation_documents")).scalar_one()
    assert raw is None
    for url in ("/round", "/round/preparation", "/account/export"):
        assert owner_client.get(url).status_code == 200, url


def test_a_huge_year_in_a_close_date_is_not_a_real_date(owner_client: FlaskClient) -> None:
    response = post_form(owner_client, "/round/start", {"day": "1", "month": "1", "year": "9" * 30})
    assert response.status_code == 200
    assert "Enter a real date" in response.get_data(as_text=True)


def test_a_stored_position_no_form_should_have_let_in_reads_as_not_chosen(
        app: Flask, owner_client: FlaskClient, open_round, create_user) -> None:  # type: ignore[no-untyped-def]
    db.session.add(PreparationDocument(cycle_id=open_round.id, texts={}, ratings={"workload": "  "}))
    unit.commit()
    db.session.execute(sa.text("UPDATE preparation_documents SET position = '  '"))
    unit.commit()
    db.session.expire_all()
    for url in ("/round", "/round/preparation", "/account/export"):
        assert owner_client.get(url).status_code == 200, url
    assert "Not chosen" in owner_client.get("/round/preparation").get_data(as_text=True) or \
        'value="content" checked' not in owner_client.get("/round/preparation").get_data(as_text=True)
