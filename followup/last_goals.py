"""The next round's Preparation Document opens with the goals agreed last time and what became of them (PRODUCT
§10): read-only, from the owner's most recent earlier round with an agreed conversation summary (the version in
force), with the progress the owner recorded on each goal."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from facilitator.operations import agreed_rounds, progress_of
from facilitator.rules import TERMS
from surveys.models import Cycle


def last_goals(cycle: Cycle) -> list[Markup]:
    """Registered with surveys.hooks.provide_preparation_context: nothing before the owner's first agreed summary."""
    earlier = [(c, s) for c, s in agreed_rounds(cycle.owner) if c.id != cycle.id and c.created_at < cycle.created_at]
    if not earlier:
        return []
    last, summary = earlier[0]  # newest round first
    return [Markup(render_template("followup/last_goals.html", last=last, summary=summary,
                                   progress=progress_of(last), terms=TERMS))]
