"""Serves the NHS.UK frontend from node_modules, where `make` installs it (it is never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory

from app.access import public

bp = Blueprint("assets", __name__)


def nhsuk_dist_dir() -> Path:
    return Path(current_app.config["NHSUK_DIST"])


@bp.route("/nhsuk/<path:filename>")
@public
def nhsuk_dist(filename: str):  # type: ignore[no-untyped-def]
    return send_from_directory(nhsuk_dist_dir(), filename, max_age=3600)


@bp.route("/assets/<path:filename>")
@public
def nhsuk_asset(filename: str):  # type: ignore[no-untyped-def]
    return send_from_directory(nhsuk_dist_dir() / "assets", filename, max_age=3600)
