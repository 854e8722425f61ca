"""The fixed-size value of a response or a draft (surveys/sealed.py) reads back exactly as written."""

from hypothesis import given
from hypothesis import strategies as st

from surveys import sealed

_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
_VALUES = st.fixed_dictionaries({
    "answers": st.dictionaries(st.from_regex(r"values\.[a-z]{1,8}\.[0-9]{1,3}", fullmatch=True),
                               st.sampled_from(["1", "2", "3", "4", "5", "n"]), max_size=30),
    "comments": st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), _TEXT, max_size=4),
})


@given(_VALUES)
def test_a_padded_value_reads_back_as_written_at_the_fixed_size(value: dict[str, object]) -> None:
    column = sealed.PaddedJSON("test.content")
    text = column.dump(value)
    assert len(text.encode()) == sealed.PADDED_BYTES
    assert column.load(text) == value


def test_spaces_that_end_a_comment_are_kept() -> None:
    column = sealed.PaddedJSON("test.content")
    value = {"answers": {}, "comments": {"strengths": "ends in spaces   "}}
    assert column.load(column.dump(value)) == value
