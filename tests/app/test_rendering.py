"""The fast template path (app/rendering.py) leaves every page as the design system's macros write it: memoized
components give byte-identical HTML, and collapsed whitespace gives the same document (tags, attributes and text)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template
from jinja2 import ChainableUndefined, DictLoader, Environment
from markupsafe import Markup

from app import create_app
from app.extensions import db
from app.models import User
from app.rendering import MEMOIZED, ONLY_WHEN, CollapseWhitespace, Uncacheable, collapse, freeze
from surveys.answers import field_name
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_version

VERSION = "2026.1"


def _app(tmp_path, **overrides: Any) -> Flask:  # type: ignore[no-untyped-def]
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", **overrides})
    with app.app_context():
        db.create_all()  # the sign-in page asks which organisations offer single sign-on
    return app


def _area_page(app: Flask, answers: dict[str, Any], errors: bool, read_only: bool = False, rater: bool = True) -> str:
    questionnaire = load_version(VERSION)
    area = questionnaire.areas[1]
    error_items = [{"text": "Choose an answer", "href": "#x"}] if errors else []
    with app.test_request_context("/round/self/2"):  # a surveys page: its blueprint's template helpers apply
        html = render_template("surveys/answer_area.html", area=area, number=2, total=len(questionnaire.areas),
                               answers=answers, errors=error_items, form=None, read_only=read_only, rater=rater,
                               token="t", questionnaire=questionnaire, wording="rater_text" if rater else "self_text",
                               owner=User(name="Olu <b>Owner</b>"), back="/back")
    return re.sub(r'nonce="[^"]+"', 'nonce="N"', html)


def _some_answers() -> dict[str, Any]:
    keys = [s.key for sub in load_version(VERSION).areas[1].sub_areas for s in sub.statements]
    values: list[Any] = [1, 5, NOT_ABLE_TO_SAY, 3]
    return {key: values[n % len(values)] for n, key in enumerate(keys[:-1])}  # the last one left unanswered


PAGES = [
    pytest.param({}, False, id="blank"),
    pytest.param(_some_answers(), False, id="answered"),
    pytest.param(_some_answers(), True, id="with-errors"),
]


@pytest.mark.parametrize(("answers", "errors"), PAGES)
def test_memoized_components_give_the_macros_html_byte_for_byte(tmp_path, answers, errors) -> None:  # type: ignore[no-untyped-def]
    fast, plain = _app(tmp_path), _app(tmp_path, TEMPLATE_MEMOIZE=False)
    expected = _area_page(plain, answers, errors)
    assert _area_page(fast, answers, errors) == expected
    assert _area_page(fast, answers, errors) == expected  # the second time from the cache
    assert fast.jinja_env.globals["memoized_component"].hits >= 9
    assert 'value="5" checked' in expected if answers else "checked" not in expected


def test_a_read_only_self_assessment_is_the_same_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fast, plain = _app(tmp_path), _app(tmp_path, TEMPLATE_MEMOIZE=False)
    args = (_some_answers(), False, True, False)
    assert _area_page(fast, *args) == _area_page(plain, *args)
    page = _area_page(fast, *args)  # submitted: the answers as text, not as (disabled) radios
    assert "nhsuk-summary-list__value" in page and 'type="radio"' not in page


def test_memoized_macros_tell_html_from_text_and_true_from_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path)
    component = app.jinja_env.globals["memoized_component"]
    with app.app_context():
        as_text = component("button", {"text": "<b>Go</b>"})
        as_html = component("button", {"html": Markup("<b>Go</b>")})
        as_markup_text = component("button", {"text": Markup("<b>Go</b>")})
        assert "&lt;b&gt;Go" in as_text and "<b>Go</b>" in as_html and "<b>Go</b>" in as_markup_text
        for params in ({"text": "Go", "disabled": True}, {"text": "Go", "disabled": 1}, {"text": "Go"}):
            assert component("button", params) == component.original("button")(params)
    assert freeze({"a": True}) != freeze({"a": 1})
    assert freeze(["x"]) != freeze(("x",))
    assert freeze("x") != freeze(Markup("x"))
    assert freeze(None) != freeze(ChainableUndefined())


def test_params_that_are_not_plain_data_go_straight_to_the_macro(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Label:
        def __str__(self) -> str:
            return "Continue"

    with pytest.raises(Uncacheable):
        freeze({"text": Label()})
    app = _app(tmp_path)
    component = app.jinja_env.globals["memoized_component"]
    with app.app_context():
        before = len(component)
        assert "Continue" in component("button", {"text": Label()})
        assert len(component) == before


def test_only_components_without_typed_text_are_memoized() -> None:
    # A textarea carries what a rater or an owner typed; the cache must never hold it.
    assert not {"textarea", "character-count", "summary-list", "error-summary", "date-input"} & set(MEMOIZED)
    assert set(ONLY_WHEN) <= set(MEMOIZED)


def test_a_text_input_is_memoized_only_while_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path)
    component = app.jinja_env.globals["memoized_component"]
    params = {"label": {"text": "Email address"}, "id": "email", "name": "email", "type": "email", "value": ""}
    with app.app_context():
        for value in ("", None):
            assert component("input", {**params, "value": value}) == component.original("input")(
                {**params, "value": value})
        before = len(component)
        typed = component("input", {**params, "value": "pat.peer@nhs.example"})
        assert 'value="pat.peer@nhs.example"' in typed
        assert len(component) == before  # what someone typed is never a key
        assert not any("pat.peer" in repr(key) for key in component._entries)


def test_the_sign_in_page_is_the_macros_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pages = []
    for app in (_app(tmp_path), _app(tmp_path, TEMPLATE_MEMOIZE=False)):
        with app.test_request_context("/sign-in"):
            from app.auth.forms import LoginForm

            html = render_template("auth/login.html", form=LoginForm(meta={"csrf": False}))
        pages.append(re.sub(r'nonce="[^"]+"', 'nonce="N"', html))
    assert pages[0] == pages[1]
    assert 'id="email"' in pages[0] and 'type="password"' in pages[0]


class _Document(HTMLParser):
    """A page as a list of (event, tag, attributes, text), with text whitespace-normalised except in verbatim
    elements, which must match exactly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[Any, ...]] = []
        self.verbatim = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.verbatim += tag in {"pre", "textarea", "script", "style"}
        self.events.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.verbatim -= tag in {"pre", "textarea", "script", "style"}
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = data if self.verbatim else re.sub(r"[ \t\n\r\f]+", " ", data)
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + text)
        else:
            self.events.append(("text", text))


def _document(html: str) -> list[tuple[Any, ...]]:
    parser = _Document()
    parser.feed(html)
    parser.close()
    # Adjacent runs that became one (" " + " ") compare equal.
    return [("text", re.sub(r"[ \t\n\r\f]+", " ", e[1])) if e[0] == "text" and not e[1].strip() else e
            for e in parser.events]


@pytest.mark.parametrize(("answers", "errors"), PAGES)
def test_collapsed_whitespace_leaves_the_same_document(tmp_path, answers, errors) -> None:  # type: ignore[no-untyped-def]
    lean, as_written = _app(tmp_path), _app(tmp_path, TEMPLATE_COLLAPSE_WHITESPACE=False)
    lean_html, full_html = _area_page(lean, answers, errors), _area_page(as_written, answers, errors)
    assert _document(lean_html) == _document(full_html)
    assert len(lean_html) < len(full_html) / 1.8


def test_a_rater_page_of_nine_questions_is_under_30_kb(tmp_path) -> None:  # type: ignore[no-untyped-def]
    questionnaire = load_version(VERSION)
    assert sum(len(sub.statements) for sub in questionnaire.areas[1].sub_areas) >= 9
    assert len(_area_page(_app(tmp_path), _some_answers(), True).encode()) < 30_000


def test_verbatim_elements_and_no_break_spaces_keep_their_whitespace() -> None:
    inside: list[str | None] = [None]
    text = "<p>a   \n  b\u00a0\u00a0c</p>\n\n  <textarea>\n  two  spaces\n</textarea>  <pre> x  y </pre>"
    expected = "<p>a\nb\u00a0\u00a0c</p>\n<textarea>\n  two  spaces\n</textarea> <pre> x  y </pre>"
    assert collapse(text, inside) == expected
    # An element opened in one piece of literal text stays verbatim into the next.
    assert collapse("<script>let a =  1;", inside) == "<script>let a =  1;" and inside == ["script"]
    assert collapse("  </script>  <b>", inside) == "  </script> <b>" and inside == [None]


def test_plain_text_mail_templates_keep_every_space() -> None:
    source = "Dear  {{ name }},\n\n\n  Thanks"
    env = Environment(loader=DictLoader({"m.txt": source, "m.html": "<p>" + source}), extensions=[CollapseWhitespace])
    assert env.get_template("m.txt").render(name="Pat   Peer") == "Dear  Pat   Peer,\n\n\n  Thanks"
    assert env.get_template("m.html").render(name="Pat   Peer") == "<p>Dear Pat   Peer,\nThanks"


def test_field_names_used_above_are_the_pages_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Guards the fixtures above against a renamed field: the page really shows the statements' radios.
    area = load_version(VERSION).areas[1]
    html = _area_page(_app(tmp_path), {}, False)
    assert all(f'name="{field_name(s.key)}"' in html for sub in area.sub_areas for s in sub.statements)


def test_the_dashboards_table_and_progress_list_are_the_macros_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = {"responsive": True, "firstCellIsHeader": True,
             "caption": {"text": "Invitations and responses by group", "classes": "nhsuk-u-visually-hidden"},
             "head": [{"text": "Group"}, {"text": "Invited", "format": "numeric"}],
             "rows": [[{"text": "Peers"}, {"text": "4", "format": "numeric"}],
                      [{"text": "Others"}, {"text": "0", "format": "numeric"}]]}
    tasks = {"idPrefix": "round", "items": [
        {"title": {"text": "Write your preparation document"}, "href": "/round/preparation",
         "status": {"text": "Completed"}},
        {"title": {"text": "Send invitations"}, "status": {"tag": {"text": "Not yet", "classes": "nhsuk-tag--grey"}}}]}
    app = _app(tmp_path)
    component = app.jinja_env.globals["memoized_component"]
    with app.app_context():
        for name, params in (("tables", table), ("task-list", tasks)):
            expected = component.original(name)(params)
            assert component(name, params) == expected
            assert component(name, params) == expected  # from the cache
        assert "Peers" in component("tables", table) and 'href="/round/preparation"' in component("task-list", tasks)
