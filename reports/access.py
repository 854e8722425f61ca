"""Who may read a report (PRODUCT §4): the owner, the assigned facilitator, and people the owner shared it with.
A pure rule, so it can be read and tested on its own; everyone else gets a 404. The facts it weighs are given as
functions, and each is asked for only when the answer rests on it: the owner's read never asks who facilitates or
who the report is shared with, so a read sends the database only the statements that decide it."""

from __future__ import annotations

from collections.abc import Callable, Collection


def _not_held() -> bool:
    return False


def read_capacity(reader_id: int, owner_id: int, facilitator_id: Callable[[], int | None],
                  shared_with: Callable[[], Collection[int]],
                  held_from_owner: Callable[[], bool] = _not_held) -> str | None:
    """In what capacity this person may read the report, or None. `held_from_owner`: the organisation has the
    facilitator read it first and release it (PRODUCT §5), and that has not happened yet."""
    if reader_id == owner_id:
        return None if held_from_owner() else "owner"
    facilitator = facilitator_id()
    if facilitator is not None and reader_id == facilitator:
        return "facilitator"
    if reader_id in shared_with():
        return "shared"
    return None
