"""Links other packages add to the owner's round page (for example "Read your report"), without this package
importing them."""

from __future__ import annotations

from collections.abc import Callable

from surveys.models import Cycle

CycleLinks = Callable[[Cycle], list[tuple[str, str]]]
_providers: list[CycleLinks] = []


def provide_cycle_links(provider: CycleLinks) -> CycleLinks:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cycle_links(cycle: Cycle) -> list[tuple[str, str]]:
    """(text, href) pairs for this round from every package that offers one."""
    return [link for provider in _providers for link in provider(cycle)]
