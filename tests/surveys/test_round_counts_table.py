"""The round page's table of responses per group (surveys/round_tasks.py counts_table) is the design system's table
macro run on the params dashboard.html built, and is built again for other figures, never served from another's."""

from __future__ import annotations

from flask import Flask, current_app
from markupsafe import Markup

from app.rendering import ORIGINAL
from surveys.categories import Category
from surveys.round_tasks import counts_table
from surveys.rules.daily_counts import CategoryCounts


def _macro_table(counts: list[CategoryCounts]) -> Markup:
    """What the template printed: its loop's line breaks, then the real macro on the params it built."""
    env = current_app.jinja_env
    table = env.get_template(f"{ORIGINAL}/nhsuk/components/tables/macro.jinja").module.table
    numeric = {"format": "numeric"}
    rows = [[{"text": c.category.plural}, {"text": str(c.invited), **numeric}, {"text": str(c.responded), **numeric},
             {"text": str(c.declined), **numeric}] for c in counts]
    return Markup("\n" * (1 + 2 * len(counts))) + table({
        "responsive": True, "firstCellIsHeader": True,
        "caption": {"text": "Invitations and responses by group", "classes": "nhsuk-u-visually-hidden"},
        "head": [{"text": "Group"}, {"text": "Invited", **numeric}, {"text": "Responded", **numeric},
                 {"text": "Declined", **numeric}],
        "rows": rows})


def test_the_table_is_the_macro_s_for_each_set_of_figures(app: Flask) -> None:
    groups = list(Category)[:3]
    first = [CategoryCounts(c, 5 + n, n, 1) for n, c in enumerate(groups)]
    second = [CategoryCounts(c, 5 + n, n + 1, 1) for n, c in enumerate(groups)]
    with app.test_request_context("/round"):
        for counts in (first, second, first, second[:1]):
            assert counts_table(counts) == _macro_table(counts)
        assert str(counts_table(first)) != str(counts_table(second))
