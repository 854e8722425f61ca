"""An address in a narrow column wraps after its "@" or before a dot, never inside a word (WCAG 1.4.10 at 320 px)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from app.addresses import breakable


def test_an_address_may_break_after_the_at_and_before_each_dot_only() -> None:
    assert breakable("amy@demo.open360.test") == "amy@<wbr>demo<wbr>.open360<wbr>.test"
    assert breakable("notanemail") == "notanemail"
    assert breakable("<b>@x.y") == "&lt;b&gt;@<wbr>x<wbr>.y"  # still escaped


@given(st.text(alphabet=st.sampled_from("ab.@<&\"'"), max_size=30))
def test_the_address_reads_the_same_without_its_break_points(text: str) -> None:
    assert str(breakable(text)).replace("<wbr>", "") == str(escape(text))
