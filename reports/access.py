"""Who may read a report (PRODUCT §4): the owner, the assigned facilitator, and people the owner shared it with.
A pure rule over plain values, so it can be read and tested on its own; everyone else gets a 404."""

from __future__ import annotations

from collections.abc import Collection


def read_capacity(reader_id: int, owner_id: int, facilitator_id: int | None,
                  shared_with: Collection[int], held_from_owner: bool = False) -> str | None:
    """In what capacity this person may read the report, or None. `held_from_owner`: the organisation has the
    facilitator read it first and release it (PRODUCT §5), and that has not happened yet."""
    if reader_id == owner_id:
        return None if held_from_owner else "owner"
    if facilitator_id is not None and reader_id == facilitator_id:
        return "facilitator"
    if reader_id in shared_with:
        return "shared"
    return None
