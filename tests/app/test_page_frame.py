"""The page frame (app/rendering.py, 3.): the design system's page template evaluated once leaves every page as it
was, byte for byte, and refuses to build when it would answer a question a page may ask differently."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import nodes

from app import PROJECT_ROOT, create_app
from app.extensions import db
from app.models import Organisation, Role, User, UserRole
from app.passwords import hash_password
from app.rendering import FRAME, FRAME_RESOLVED, ORIGINAL, frame_source
from tests.app.test_rendering import _area_page, _some_answers
from tests.fixtures.people import PASSWORD, signed_in


def _app(tmp_path: Path, name: str, **overrides: Any) -> Flask:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite3", **overrides})
    with app.app_context():
        db.create_all()
        org = Organisation(name="Test Trust")
        db.session.add(User(organisation=org, email="olu@trust.example", name="Olu <Owner>",
                            password_hash=hash_password(PASSWORD), role_rows=[UserRole(role=Role.OWNER)]))
        db.session.commit()
    return app


def _pages(app: Flask) -> list[str]:
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        owner = signed_in(app, user)
        visitor = app.test_client()
        pages = [visitor.get("/sign-in"), visitor.get("/accessibility"), visitor.get("/no-such-page"),
                 owner.get("/accessibility"), owner.get("/account/")]
        html = [page.get_data(as_text=True) for page in pages]
        html.append(_area_page(app, _some_answers(), True))
    return [re.sub(r'nonce="[^"]+"', 'nonce="N"', re.sub(r"csrf_token=[\w.-]+", "csrf_token=T", page))
            for page in html]


@pytest.mark.parametrize("collapse", [True, False])
def test_pages_are_the_same_byte_for_byte_with_the_frame(tmp_path: Path, collapse: bool) -> None:
    framed = _app(tmp_path, "framed", TEMPLATE_COLLAPSE_WHITESPACE=collapse)
    plain = _app(tmp_path, "plain", TEMPLATE_COLLAPSE_WHITESPACE=collapse, TEMPLATE_FRAME=False)
    framed_pages, plain_pages = _pages(framed), _pages(plain)
    assert [len(p) for p in framed_pages] == [len(p) for p in plain_pages]
    for framed_page, plain_page in zip(framed_pages, plain_pages, strict=True):
        assert framed_page == plain_page
    assert "Sign out" in framed_pages[3] and "Your information" in framed_pages[4]
    assert "Page not found" in framed_pages[2]


def test_the_frame_keeps_every_block_and_only_the_two_values_that_change(tmp_path: Path) -> None:
    env = _app(tmp_path, "framed").jinja_env
    source = frame_source(env)
    original = env.get_template(f"{ORIGINAL}/{FRAME}")
    assert re.findall(r"{% block (\w+) %}", source) == list(original.blocks)
    assert sorted(set(re.findall(r"{{ (\w+) }}", source))) == ["assetPath", "cspNonce"]
    assert env.get_template(FRAME).blocks.keys() == original.blocks.keys()


def test_the_frame_refuses_to_answer_a_question_it_was_not_told_of(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    env = _app(tmp_path, "framed").jinja_env
    monkeypatch.setattr("app.rendering.FRAME_RESOLVED", FRAME_RESOLVED - {"bodyClasses"})
    with pytest.raises(RuntimeError, match="bodyClasses"):
        frame_source(env)


def _our_templates() -> list[Path]:
    return [path for path in PROJECT_ROOT.rglob("*.html")
            if not {".venv", "node_modules", "instance"} & set(path.relative_to(PROJECT_ROOT).parts)]


def test_no_page_sets_what_the_frame_answers_once(tmp_path: Path) -> None:
    env = _app(tmp_path, "framed").jinja_env
    templates = _our_templates()
    assert len(templates) > 100
    for path in templates:
        tree = env.parse(path.read_text(encoding="utf-8"))
        stored = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "store"}
        assert not stored & FRAME_RESOLVED, path
    for path in PROJECT_ROOT.glob("*/**/*.py"):
        parts = set(path.relative_to(PROJECT_ROOT).parts)
        if {".venv", "node_modules", "tests"} & parts or path.name == "rendering.py":  # the frame's own list
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in FRAME_RESOLVED:
                pytest.fail(f"{path} passes {node.arg} to a template")
            if isinstance(node, ast.Constant) and node.value in FRAME_RESOLVED:
                pytest.fail(f"{path} names {node.value}")


# What layout.html wrote for someone not signed in, and for everyone's footer, before app/navigation.py built them.
HEADER = """{% from "nhsuk/components/header/macro.jinja" import header %}{{ header({
    "service": {"text": config.SERVICE_NAME, "href": url_for("home.index")},
    "account": undefined, "navigation": undefined}) }}"""
FOOTER = """{% from "nhsuk/components/footer/macro.jinja" import footer %}{{ footer({
    "meta": {"items": [{"href": url_for("home.accessibility"), "text": "Accessibility statement"},
                       {"href": url_for("home.privacy"), "text": "How your information is used"}]},
    "copyright": {"text": "Open360 – open-source software"}}) }}"""


@pytest.mark.parametrize("root", ["", "/open360"])
def test_the_visitors_header_and_the_footer_are_the_macros_own(tmp_path: Path, root: str) -> None:
    from flask import render_template_string

    from app.navigation import footer, visitor_header

    app = _app(tmp_path, "plain", TEMPLATE_MEMOIZE=False)
    with app.test_request_context("/accessibility", base_url=f"http://localhost{root}"):
        for _ in range(2):  # built, then kept
            assert visitor_header() == render_template_string(HEADER)
            assert footer() == render_template_string(FOOTER)
        assert f'href="{root}/accessibility"' in footer()
