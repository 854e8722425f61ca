"""Serves the NHS.UK frontend from node_modules, where `make` installs it (it is never copied into the repo)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

from app.access import public

bp = Blueprint("assets", __name__)

# The package's stylesheet asks for the Frutiger font from assets.nhs.uk. The package does not ship the font files,
# and our Content-Security-Policy (rightly) loads nothing from other sites, so each page would log refused loads.
# We serve the stylesheet without its @font-face rules: text is set in Arial, the stylesheet's own fallback.
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
STYLESHEET = "nhsuk-frontend.min.css"


def nhsuk_dist_dir() -> Path:
    return Path(current_app.config["NHSUK_DIST"])


@cache
def _stylesheet_without_font_faces(path: Path, modified: float) -> str:
    return _FONT_FACE.sub("", path.read_text(encoding="utf-8"))


@bp.route("/nhsuk/<path:filename>")
@public
def nhsuk_dist(filename: str):  # type: ignore[no-untyped-def]
    if filename == STYLESHEET:
        path = nhsuk_dist_dir() / STYLESHEET
        response = Response(_stylesheet_without_font_faces(path, path.stat().st_mtime), mimetype="text/css")
        response.cache_control.public, response.cache_control.max_age = True, 3600
        return response
    return send_from_directory(nhsuk_dist_dir(), filename, max_age=3600)


@bp.route("/assets/<path:filename>")
@public
def nhsuk_asset(filename: str):  # type: ignore[no-untyped-def]
    return send_from_directory(nhsuk_dist_dir() / "assets", filename, max_age=3600)
