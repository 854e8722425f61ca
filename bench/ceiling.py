"""The ceiling for bench/pages.py: bare Flask rendering a cached Jinja template of a given size, the most a page of
that size can be served at under the same gunicorn settings. `GET /<size>` answers a page of exactly `size` bytes;
`/0` (GET or POST) a redirect, as the product answers a form that was saved.

And the floors (`create_floor`): the same bare Flask, but each request first does the one thing a page cannot be
served without, in the product's own code, then renders the same cached page. No form, no layout, no page of the
product's, no security headers: what such a page costs at the least on this stack, whoever writes it. If a floor
is itself short of a goal set as a share of the ceiling, no page it is the floor of can meet it.
- `GET /rater/<size>`, a rater's page: `surveys.links.visit` (the rater's cookie read with their invitation, round and
  sealed draft in one pooled statement, and the draft opened);
- `GET /signed-in/<size>`, the page of someone signed in: the product's request context pushed (its session opened
  from the cookie) and the person loaded as every signed-in page loads them (their account and roles, and whether
  the session is still theirs to use: signing out ends it, PRODUCT §8).

Run by bench/pages.py as `gunicorn 'bench.ceiling:create()'` and `gunicorn 'bench.ceiling:create_floor()'` (the
latter with the product's settings, to read its database with its keys)."""

from __future__ import annotations

from flask import Flask, abort, redirect, render_template, request
from jinja2 import FunctionLoader

_SHELL = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>\n'
          "<body><main>\n{filler}\n</main></body></html>\n")
_WORDS = "How much do you agree with each statement? This person keeps their professional skills up to date. "


def _page_source(name: str) -> str | None:
    if not (name.startswith("page-") and name.endswith(".html") and name[5:-5].isdigit()):
        return None
    size = int(name[5:-5])
    empty = len(_SHELL.replace("{filler}", "").replace("{{ title }}", "Ceiling").encode())
    filler = (_WORDS * (size // len(_WORDS) + 1))[: max(size - empty, 0)]
    return _SHELL.replace("{filler}", filler)


def create() -> Flask:
    app = _bare()

    @app.route("/<int:size>", methods=["GET", "POST"])
    def page(size: int):  # type: ignore[no-untyped-def]
        request.form  # noqa: B018  (parse the body, as the product does)
        if size == 0:
            return redirect("/done")
        return render_template(f"page-{size}.html", title="Ceiling")  # compiled once, then from Jinja's cache

    return app


def create_floor() -> Flask:
    from app import create_app

    return floor(create_app())


def floor(product: Flask) -> Flask:
    """The floors above for this product app; a cookie that does not work is answered 404."""
    from flask_login import current_user

    from app.timeutil import utcnow
    from surveys import links
    from surveys.views.rater import COOKIE

    app = _bare()

    @app.route("/rater/<int:size>")
    def rater(size: int):  # type: ignore[no-untyped-def]
        with product.app_context():  # the product's engine and key ring (its pages run in its context too)
            visit = links.visit(request.cookies.get(COOKIE), utcnow())
        if visit is None:
            abort(404)
        return render_template(f"page-{size}.html", title="Ceiling")  # the same bytes as the ceiling's page

    @app.route("/signed-in/<int:size>")
    def signed_in(size: int):  # type: ignore[no-untyped-def]
        with product.request_context(request.environ):
            known = current_user.is_authenticated
        if not known:
            abort(404)
        return render_template(f"page-{size}.html", title="Ceiling")

    return app


def _bare() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = FunctionLoader(_page_source)  # type: ignore[assignment]
    return app
