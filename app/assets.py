"""Serves the NHS.UK frontend from node_modules, where `make` installs it (it is never copied into the repo), and
our own stylesheet, under fingerprinted addresses a browser may keep for a year.

Pages link `asset_url("nhsuk", name)` → /nhsuk-<version>/<name> (the nhsuk-frontend version: its files never change
within one) and `asset_url("static", name)` → /static-<digest>/<name> (a digest of the file). A new version or an
edited file gets a new address, so a long-lived cache never serves a stale one. The plain /nhsuk/ and /assets/
addresses stay for what the NHS.UK stylesheet itself refers to (/assets/images/…), with a short cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path

from flask import Blueprint, current_app, has_request_context, request, send_from_directory, url_for
from werkzeug.wrappers import Response

from app.access import public

bp = Blueprint("assets", __name__)

YEAR = 365 * 24 * 3600
SHORT = 3600

# The package's stylesheet asks for the Frutiger font from assets.nhs.uk. The package does not ship the font files,
# and our Content-Security-Policy (rightly) loads nothing from other sites, so each page would log refused loads.
# We serve the stylesheet without its @font-face rules: text is set in Arial, the stylesheet's own fallback.
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
STYLESHEET = "nhsuk-frontend.min.css"


def nhsuk_dist_dir() -> Path:
    return Path(current_app.config["NHSUK_DIST"])


@functools.cache
def _nhsuk_version(dist: str) -> str:
    # dist is node_modules/nhsuk-frontend/dist/nhsuk; its package.json is two levels up. An installed package
    # changes only by `make install`, which a running server does not see before its restart anyway: read once.
    return str(json.loads((Path(dist).parent.parent / "package.json").read_text())["version"])


@functools.cache
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint_of(kind: str, filename: str = "") -> str:
    if kind == "nhsuk":
        return _nhsuk_version(current_app.config["NHSUK_DIST"])
    # Our own files are looked at each time (one stat), so an edited stylesheet gets its new address at once.
    path = f"{current_app.static_folder or ''}/{filename}"
    return _digest(path, os.stat(path).st_mtime_ns)


@bp.app_template_global()
def asset_url(kind: str, filename: str) -> str:
    """The fingerprinted address of an NHS.UK frontend file ("nhsuk") or one of app/static ("static")."""
    version = fingerprint_of(kind, filename)
    if not has_request_context():  # a PDF or a mail: url_for decides from the app's settings
        return _url(kind, filename, version)
    return _versioned_url(kind, filename, version, request.script_root)


@functools.lru_cache(maxsize=256)
def _versioned_url(kind: str, filename: str, version: str, script_root: str) -> str:
    # Every page links four of these; building each with url_for was a tenth of a rater page's rendering. The
    # address follows from its arguments (the fingerprint changes with the file, the root with where it is mounted).
    return _url(kind, filename, version)


def _url(kind: str, filename: str, version: str) -> str:
    endpoint = "assets.nhsuk_versioned" if kind == "nhsuk" else "assets.static_versioned"
    return url_for(endpoint, version=version, filename=filename)


@functools.cache
def _stylesheet_without_font_faces(path: Path, mtime_ns: int) -> str:
    return _FONT_FACE.sub("", path.read_text(encoding="utf-8"))


def _file(folder: Path, filename: str, max_age: int) -> Response:
    """The file read whole rather than streamed, so Flask-Compress can compress it (it leaves streams alone:
    compressing one wraps the file in a generator nothing closes)."""
    if filename == STYLESHEET and folder == nhsuk_dist_dir():
        path = folder / STYLESHEET
        response = Response(_stylesheet_without_font_faces(path, path.stat().st_mtime_ns), mimetype="text/css")
        response.cache_control.public, response.cache_control.max_age = True, max_age
        return response
    response = send_from_directory(folder, filename, max_age=max_age)
    response.direct_passthrough = False
    response.make_sequence()
    return response


def _served(folder: Path, filename: str, current: bool) -> Response:
    # An address with an old fingerprint (a page cached before a deploy) still gets the file, briefly cached.
    response = _file(folder, filename, YEAR if current else SHORT)
    if current:
        response.cache_control.immutable = True
    return response


@bp.route("/nhsuk-<version>/<path:filename>")
@public
def nhsuk_versioned(version: str, filename: str) -> Response:
    return _served(nhsuk_dist_dir(), filename, version == fingerprint_of("nhsuk"))


@bp.route("/static-<version>/<path:filename>")
@public
def static_versioned(version: str, filename: str) -> Response:
    folder = Path(current_app.static_folder or "")
    response = _served(folder, filename, False)  # a missing file 404s here, before its digest is taken
    if version == fingerprint_of("static", filename):
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response


@bp.route("/nhsuk/<path:filename>")
@public
def nhsuk_dist(filename: str) -> Response:
    return _file(nhsuk_dist_dir(), filename, SHORT)


@bp.route("/assets/<path:filename>")
@public
def nhsuk_asset(filename: str) -> Response:
    return _file(nhsuk_dist_dir() / "assets", filename, SHORT)
