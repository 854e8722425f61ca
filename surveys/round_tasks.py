"""The owner's round page's "Your progress" list and its table of responses per group, by the NHS.UK task-list
and table macros, from the round's steps and stored counts.

The template built the list's ten items (each a dict of dicts) in a Jinja loop, and the memoized macro froze them
all into its cache key on every load: a fifth of the page's own time. Here the key is a tuple of plain values (each
step's title, link and status) and the params are built only the first time it is seen. The params are what
dashboard.html built, so the HTML is the macro's own, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, url_for
from markupsafe import Markup

from surveys.cycle import Step
from surveys.rules.daily_counts import CategoryCounts

# A step's status → the words shown and the tag's colour (none for a completed step, shown as plain text).
STATUS_TEXT = {"done": ("Completed", None), "to_do": ("To do", "nhsuk-tag--blue"),
               "in_progress": ("In progress", "nhsuk-tag--yellow"), "waiting": ("In progress", "nhsuk-tag--yellow"),
               "not_yet": ("Not yet", "nhsuk-tag--grey"), "not_done": ("Not done", "nhsuk-tag--grey")}


def step_links(later: Mapping[str, str], self_submitted: bool) -> dict[str, str]:
    """Where each step is done: the owner's own steps here, and the later ones other packages offer (`later`)."""
    raters = url_for("surveys.raters")
    return {**later, "preparation": url_for("surveys.preparation"),
            "self": url_for("surveys.self_check") if self_submitted else url_for("surveys.self_area", number=1),
            "raters": raters, "confirm": f"{raters}#confirmation",
            "open": url_for("surveys.round_action", action="open")}


def _linkable(step: Step, links: Mapping[str, str]) -> bool:
    """A step links to where it is done while it is to do, in progress or done; sending invitations, once done,
    cannot be done again."""
    return (step.key in links and step.status in ("to_do", "in_progress", "done")
            and not (step.key == "open" and step.status == "done"))


def task_list(steps: Sequence[Step], links: Mapping[str, str]) -> Markup:
    rows = tuple((step.title, links[step.key] if _linkable(step, links) else None, step.status) for step in steps)
    components = current_app.jinja_env.globals["memoized_component"]
    return components.fragment(("round-tasks", rows), "task-list", lambda: _params(rows))  # type: ignore[no-any-return]


def _params(rows: tuple[tuple[str, str | None, str], ...]) -> dict[str, Any]:
    items = []
    for title, href, status in rows:
        label, colour = STATUS_TEXT[status]
        items.append({"title": {"text": title},
                      "href": href if href is not None else current_app.jinja_env.undefined(),
                      "status": {"text": label} if status == "done" else {"tag": {"text": label, "classes": colour}}})
    return {"idPrefix": "round", "items": items}


def counts_table(counts: Sequence[CategoryCounts]) -> Markup:
    """The table of invitations and responses per group, responsive: on a narrow screen each group becomes a block
    of labelled figures, so nothing scrolls sideways. dashboard.html built its params (a list of rows of dicts)
    in a Jinja loop, and the memoized table macro froze them into its key at every load; the key here is each
    group's name and figures (the figures the owner sees, as the table's key held them before), the params are
    what the template built, and the HTML is the macro's own."""
    rows = tuple((row.category.plural, str(row.invited), str(row.responded), str(row.declined)) for row in counts)
    components = current_app.jinja_env.globals["memoized_component"]
    table = components.fragment(("round-counts", rows), "tables", lambda: _table_params(rows))
    # The line breaks the template's loop printed before the table (one, then two a group), so that the page stays
    # the same byte for byte; a browser collapses them.
    return Markup("\n" * (1 + 2 * len(rows))) + table  # type: ignore[no-any-return]


def _table_params(rows: tuple[tuple[str, str, str, str], ...]) -> dict[str, Any]:
    numeric = [{"text": figure, "format": "numeric"} for figure in ("Invited", "Responded", "Declined")]
    return {"responsive": True, "firstCellIsHeader": True,
            "caption": {"text": "Invitations and responses by group", "classes": "nhsuk-u-visually-hidden"},
            "head": [{"text": "Group"}, *numeric],
            "rows": [[{"text": group}, *({"text": figure, "format": "numeric"} for figure in figures)]
                     for group, *figures in rows]}
