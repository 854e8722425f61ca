"""The ceiling for bench/pages.py: bare Flask rendering a cached Jinja template of a given size, the most a page of
that size can be served at under the same gunicorn settings. `GET /<size>` answers a page of exactly `size` bytes;
`/0` (GET or POST) a redirect, as the product answers a form that was saved.

Run by bench/pages.py as `gunicorn 'bench.ceiling:create()'`."""

from __future__ import annotations

from flask import Flask, redirect, render_template, request
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
    app = Flask(__name__)
    app.jinja_loader = FunctionLoader(_page_source)  # type: ignore[assignment]

    @app.route("/<int:size>", methods=["GET", "POST"])
    def page(size: int):  # type: ignore[no-untyped-def]
        request.form  # noqa: B018  (parse the body, as the product does)
        if size == 0:
            return redirect("/done")
        return render_template(f"page-{size}.html", title="Ceiling")  # compiled once, then from Jinja's cache

    return app
