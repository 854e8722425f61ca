"""A web process compiles its templates before its first request (app/warmup.py), so no request waits on it."""

from __future__ import annotations

import gc

from app import create_app
from app.extensions import db
from app.warmup import compile_templates, warm_up


def test_after_warming_up_a_page_compiles_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.sqlite3'}"})
    with app.app_context():
        db.create_all()  # the sign-in page asks which organisations offer single sign-on
    try:
        count = warm_up(app)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    cache = app.jinja_env.cache
    assert cache is not None and count == len(cache)
    # Every template stays compiled: a plain dict, which evicts nothing (and looks up without scanning).
    assert type(cache) is dict
    compiled = set(cache)
    assert app.test_client().get("/sign-in").status_code == 200
    assert set(cache) == compiled


def test_every_kind_of_template_is_compiled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.sqlite3'}"})
    compile_templates(app)
    names = {name for _, name in app.jinja_env.cache}  # type: ignore[union-attr]
    assert {"auth/login.html", "layout.html", "nhsuk/template.jinja", "surveys/answer_area.html"} <= names
    assert any(name.endswith(".txt") for name in names)  # mail bodies too


def test_an_app_whose_templates_cannot_be_listed_still_starts() -> None:
    from flask import Flask
    from jinja2 import FunctionLoader

    bare = Flask(__name__)
    bare.jinja_loader = FunctionLoader(lambda name: None)  # type: ignore[assignment]
    try:
        assert warm_up(bare) == 0
    finally:
        gc.unfreeze()
