"""Counted nouns in plain English: "1 answer", "2 answers". One way to say a number of things, on every page,
mail and PDF (templates use the `counted` and `noun` filters)."""

from __future__ import annotations


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """The word for `count` things: `singular` for exactly one, else `plural` (default: singular + "s")."""
    return singular if count == 1 else (plural or singular + "s")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {noun(count, singular, plural)}"


def sentence_start(text: str) -> str:
    """`text` to begin a sentence: its first letter a capital, the rest as written ("the Open360 demo team" ->
    "The Open360 demo team"; `str.capitalize` would also lower "NHS" to "Nhs")."""
    return text[:1].upper() + text[1:]
