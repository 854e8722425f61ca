"""The owner's list of raters as the raters page shows it: read as plain values in one Core statement, and printed
as the rows of the page's NHS.UK summary list by one Python function.

Issue 29: with 200 raters the page loaded 200 ORM invitations and rendered each row through Jinja, three `url_for`
calls a row: 10 ms of a 11 ms page. A row is the same HTML as the template printed, byte for byte; each family of
links is built once by `url_for` and takes each row's id. Nothing here differs between a rater who answered,
declined or neither (PRODUCT §2.4): once invited, every row says "Invited" and offers the same one action.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup

from app.db import read_once
from app.extensions import db
from surveys.categories import Category
from surveys.models import Invitation, InvitationStatus, sent
from surveys.rules.nomination import ListFacts


class RaterRow(NamedTuple):
    id: int
    name: str
    email: str
    category: Category
    status: InvitationStatus
    withdrawn_at: datetime | None
    confirmation_requested_at: datetime | None
    confirmed_at: datetime | None

    @property
    def is_sent(self) -> bool:
        return sent(self.status)


def rater_rows(cycle_id: int) -> tuple[RaterRow, ...]:
    """The round's raters in the order they were added, read once a request (app.db.read_once)."""
    return read_once(("rater_rows", cycle_id), lambda: _read_rows(cycle_id))


def _read_rows(cycle_id: int) -> tuple[RaterRow, ...]:
    # On the session's connection, in its transaction, all rows at once: the session's own execute wraps a Core
    # statement in the ORM's execution path, and iterating a result fetches row by row; for 200 rows the two were
    # a third of the read. The flush sends any change not yet written first, as the session's autoflush would.
    db.session.flush()
    rows = db.session.connection().execute(_rows_statement(), {"cycle_id": cycle_id}).all()
    return tuple(map(RaterRow._make, rows))


@cache
def _rows_statement() -> sa.Select[Any]:
    # Of the table's columns, not the model's: a statement of ORM attributes went through the ORM's compiling and
    # loading, twice the time of this one for 200 rows.
    table = Invitation.__table__.c
    return (sa.select(table.id, table.name, table.email, table.category, table.status, table.withdrawn_at,
                      table.confirmation_requested_at, table.confirmed_at)
            .where(table.cycle_id == sa.bindparam("cycle_id")).order_by(table.id))


def list_facts(rows: Sequence[RaterRow], requires_approval: bool) -> ListFacts:
    """The facts of the list (surveys.rules.nomination) from rows already read: what `Cycle.list_facts` counts in
    the database, without a second statement."""
    listed = [row for row in rows if row.withdrawn_at is None]
    awaiting = [row for row in listed if row.confirmed_at is None and not row.is_sent]
    return ListFacts(requires_approval=requires_approval, listed=len(listed), awaiting=len(awaiting),
                     unrequested=sum(1 for row in awaiting if row.confirmation_requested_at is None))


_PLACEHOLDER = 987654321  # an id no row has, replaced by each row's own


def escaped(text: str) -> str:
    """`text` escaped exactly as Jinja's autoescape (markupsafe) escapes it, at half its cost: html.escape writes
    quotes as &quot; and &#x27;, markupsafe as &#34; and &#39;. Every "&" html.escape leaves starts an entity of its
    own, so the two replacements meet only the quotes. Most names and addresses hold none of the five characters."""
    if _SPECIAL(text) is None:
        return text
    return html.escape(text).replace("&quot;", "&#34;").replace("&#x27;", "&#39;")


_SPECIAL = re.compile("[&<>\"']").search


def _links(endpoint: str) -> tuple[str, str]:
    """The link to `endpoint` for any rater, as the text before and after the id (escaped as Jinja would)."""
    before, _, after = url_for(endpoint, invitation_id=_PLACEHOLDER).rpartition(str(_PLACEHOLDER))
    return escaped(before), escaped(after)


_LABELS = {category: escaped(category.label) for category in Category}
_ITEM = '<li class="nhsuk-summary-list__actions-list-item"><a href="'
_HIDDEN = '<span class="nhsuk-u-visually-hidden"> '  # then the row's name, then _LINK_END
_LINK_END = "</span></a>"


def summary_rows(rows: Sequence[RaterRow], *, editable: bool, approval: bool) -> Markup:
    """The rows of the raters page's summary list: each rater's name, address, group and where they stand, with
    Change and Remove before they are invited and Withdraw after, while the list can change."""
    edit, remove, withdraw = (_links(e) for e in ("surveys.edit_rater", "surveys.remove_rater",
                                                   "surveys.withdraw_rater"))
    # Each row's markup is its fixed text joined with its values: the link's text around the id and the hidden
    # name are built once a page, not formatted again for each of 200 rows.
    change, change_mid = _ITEM + edit[0], f'{edit[1]}">Change{_HIDDEN}'
    drop, drop_mid = _ITEM + remove[0], f'{remove[1]}">Remove{_HIDDEN}'
    withdraw_start, withdraw_mid = f'\n<a href="{withdraw[0]}', f'{withdraw[1]}">Withdraw{_HIDDEN}'
    item_end = _LINK_END + "</li>\n"
    out: list[str] = []
    for row in rows:
        name, id_, is_sent, withdrawn = escaped(row.name), str(row.id), sent(row.status), row.withdrawn_at
        if withdrawn:
            stands = "<br>Withdrawn"
        elif is_sent:
            stands = "<br>Invited"
        elif approval and row.confirmed_at:
            stands = "<br>Confirmed by your facilitator"
        elif approval and row.confirmation_requested_at:
            stands = "<br>Waiting for your facilitator to confirm"
        elif approval:
            stands = "<br>Not yet confirmed"
        else:
            stands = ""
        if not editable:
            actions = ""
        elif not is_sent:
            actions = "".join(('\n<ul class="nhsuk-summary-list__actions-list">\n', change, id_, change_mid, name,
                               item_end, drop, id_, drop_mid, name, item_end, "</ul>\n"))
        elif not withdrawn:
            actions = "".join((withdraw_start, id_, withdraw_mid, name, _LINK_END, "\n"))
        else:
            actions = ""
        out.append(f'\n<div class="nhsuk-summary-list__row">\n<dt class="nhsuk-summary-list__key">{name}</dt>\n'
                   f'<dd class="nhsuk-summary-list__value"><span class="app-wrap-anywhere">{escaped(row.email)}'
                   f'</span><br>{_LABELS[row.category]}{stands}</dd>\n<dd class="nhsuk-summary-list__actions">\n'
                   f'{actions}\n</dd>\n</div>\n')
    return Markup("".join(out))
