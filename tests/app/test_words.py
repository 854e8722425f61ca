"""One way to count things in words: "1 answer", never "1 answers"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.words import counted, noun


def test_one_thing_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "answer") == "1 answer"
    assert counted(0, "answer") == "0 answers"
    assert counted(2, "try", "tries") == "2 tries" and counted(1, "try", "tries") == "1 try"


@given(st.integers(min_value=-5, max_value=10_000))
def test_only_exactly_one_is_singular(count: int) -> None:
    assert (noun(count, "rater") == "rater") is (count == 1)
