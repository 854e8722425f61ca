"""The follow-up blueprint: its templates (the report's change section) and pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("followup", __name__, template_folder="templates")
