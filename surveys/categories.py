"""Who a rater is to the owner. Self and Manager are always shown on their own; the others merge when small."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    DIRECT_REPORT = "direct_report"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def plural(self) -> str:
        return _LABELS[self][1]


_LABELS = {
    Category.SELF: ("Self", "Self"),
    Category.MANAGER: ("Manager", "Managers"),
    Category.PEER: ("Peer", "Peers"),
    Category.DIRECT_REPORT: ("Direct report", "Direct reports"),
    Category.OTHER: ("Other", "Others"),
}

# The categories an owner can invite someone in, in the order the product lists them.
RATER_CATEGORIES: tuple[Category, ...] = (Category.MANAGER, Category.PEER, Category.DIRECT_REPORT, Category.OTHER)
