"""The fixed-size value of a response or a draft (surveys/sealed.py): it reads back exactly as written, its size
follows the questionnaire alone, and no answer the rater pages accept can outgrow it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import sealed
from surveys.answers import MAX_COMMENT_LENGTH, read_comments
from surveys.questionnaire import NOT_ABLE_TO_SAY, load_file, shipped_files

QUESTIONNAIRE = load_file(next(iter(shipped_files().values())))
SIZE = sealed.padded_size(QUESTIONNAIRE)

_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
_VALUES = st.fixed_dictionaries({
    "answers": st.dictionaries(st.from_regex(r"values\.[a-z]{1,8}\.[0-9]{1,3}", fullmatch=True),
                               st.sampled_from(["1", "2", "3", "4", "5", "n"]), max_size=30),
    "comments": st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), _TEXT, max_size=4),
})


@given(_VALUES)
def test_a_padded_value_reads_back_as_written_at_its_size(value: dict[str, object]) -> None:
    column = sealed.PaddedJSON("test.content")
    text = column.dump(sealed.Padded(value, SIZE))
    assert len(text.encode()) == SIZE
    loaded = column.load(text)
    assert loaded == value and loaded.size == SIZE


def test_spaces_that_end_a_comment_are_kept() -> None:
    column = sealed.PaddedJSON("test.content")
    value = {"answers": {}, "comments": {"strengths": "ends in spaces   "}}
    assert column.load(column.dump(sealed.Padded(value, SIZE))) == value


def test_a_value_without_its_size_is_refused() -> None:
    with pytest.raises(TypeError):
        sealed.PaddedJSON("test.content").dump({"answers": {}})


def test_the_size_is_a_whole_bucket_well_under_the_old_single_size() -> None:
    assert SIZE % sealed.BUCKET_BYTES == 0
    assert SIZE <= 28 * 1024 < sealed.MAX_PADDED_BYTES  # 36 statements, 3 open questions: was 48 KiB for all


def test_the_size_follows_the_questionnaire_only() -> None:
    many = QUESTIONNAIRE.with_org_statements(
        [(f"values.shared.org.{n}", f"I act on value {n}.", f"This person acts on value {n}.") for n in range(200)])
    assert sealed.padded_size(many) > SIZE  # more statements, a larger size for every response of such a round
    assert sealed.padded_size(QUESTIONNAIRE) == SIZE  # and the same questionnaire, the same size, every time


_ANY_CHARACTER = st.characters(codec="utf-8")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(_ANY_CHARACTER, min_size=0, max_size=MAX_COMMENT_LENGTH + 50), min_size=3, max_size=3),
       st.sampled_from([1, 5, NOT_ABLE_TO_SAY]), st.sampled_from(["manager", "direct_report"]),
       st.sampled_from(["", "\x01", "\U0001f600", "\"", "\r\n"]))
def test_every_comment_the_form_accepts_fits_the_size(texts: list[str], answer: object, category: str,
                                                      fill: str) -> None:
    """Whatever is typed or pasted (control characters, quotes, four-byte characters, line breaks), a comment the
    form accepts at its limit seals within the round's size; one over the limit is refused at the form."""
    form = {f"q-{q.key}": (text + fill * MAX_COMMENT_LENGTH)[:MAX_COMMENT_LENGTH + len(text) % 3]
            for q, text in zip(QUESTIONNAIRE.open_questions, texts, strict=True)}
    comments, too_long = read_comments(QUESTIONNAIRE, form)
    if too_long:
        return
    value = {"category": category, "answers": {k: answer for k in QUESTIONNAIRE.statement_keys()},
             "comments": comments}
    assert len(sealed.pad(value, SIZE).encode()) == SIZE


def test_the_form_drops_invisible_control_characters_and_keeps_line_breaks() -> None:
    (first, *_rest) = QUESTIONNAIRE.open_questions
    comments, too_long = read_comments(QUESTIONNAIRE, {f"q-{first.key}": "a\x00b\x1bc\td\r\ne\x7f"})
    assert comments == {first.key: "abc\td\r\ne\x7f"} and too_long == []


def test_the_widest_answer_at_the_limit_fills_the_size_and_one_more_does_not_fit() -> None:
    worst = {"category": "direct_report", "answers": {k: NOT_ABLE_TO_SAY for k in QUESTIONNAIRE.statement_keys()},
             "comments": {q.key: "\U0001f600" * MAX_COMMENT_LENGTH for q in QUESTIONNAIRE.open_questions}}
    assert len(sealed.pad(worst, SIZE).encode()) == SIZE
    with pytest.raises(sealed.TooLargeError):
        sealed.pad({**worst, "comments": {k: v + "\U0001f600" * 1000 for k, v in worst["comments"].items()}}, SIZE)
