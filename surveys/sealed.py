"""Answers at rest (PRODUCT §3.3): every response and every draft of a round is one encrypted value of one size.

A value is JSON, padded with spaces before it is encrypted to the round's fixed size: `padded_size` of the round's
pinned questionnaire (its statements, its open questions and the comment limit, at their largest), rounded up to a
bucket. The size is a function of the questionnaire alone, so every response and every draft of a round has the
same length whatever was answered or written: a draft in an old backup cannot be matched to a response by size,
and neither can two responses. The value is bound to its table and row (app/encrypted.py).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.crypto import key_ring
from app.encrypted import Ciphertext, EncryptedJSON, associated_data
from surveys.answers import MAX_COMMENT_LENGTH
from surveys.categories import Category
from surveys.questionnaire import NOT_ABLE_TO_SAY

if TYPE_CHECKING:
    from surveys.questionnaire import Questionnaire

# Sizes are whole buckets, so that a few statements more or less (an organisation's own) make no size of their own.
BUCKET_BYTES = 4096
# No questionnaire may seal larger than this (checked when one is uploaded): 48 KiB, the one size of every round
# before sizes followed the questionnaire.
MAX_PADDED_BYTES = 48 * 1024
# The widest character once in the JSON: read_comments keeps no control character but tab and line breaks (each
# two bytes escaped), so a character is at most 4 bytes of UTF-8.
_WIDEST_BYTES = 4


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def padded_size(questionnaire: Questionnaire) -> int:
    """The fixed size, in bytes before encryption, of every response and draft of a round on this questionnaire.

    It is the largest answer a rater can give, built and measured: the longest category, every statement answered
    with the longest answer, every open question's comment at its limit in its widest characters; then rounded up
    to a whole bucket. A draft holds less (no category), so it fits too."""
    skeleton = {"category": max((c.value for c in Category), key=len),
                "answers": {key: NOT_ABLE_TO_SAY for key in questionnaire.statement_keys()},
                "comments": {q.key: "" for q in questionnaire.open_questions}}
    # Each comment adds its characters at their widest to the skeleton's empty string (the test builds it whole).
    return bucket_size(skeleton, len(questionnaire.open_questions) * MAX_COMMENT_LENGTH)


def bucket_size(skeleton: Any, free_characters: int) -> int:
    """The fixed size of values shaped like `skeleton` (every answer at its longest, free text empty) with up to
    `free_characters` of free text at their widest, rounded up to a whole bucket."""
    size = len(_json(skeleton).encode()) + free_characters * _WIDEST_BYTES
    return -(-size // BUCKET_BYTES) * BUCKET_BYTES


class Padded(dict[str, Any]):
    """A value to seal and the fixed size it is padded to: the round's, given wherever one is written."""

    def __init__(self, value: dict[str, Any], size: int) -> None:
        super().__init__(value)
        self.size = size


_DECODER = json.JSONDecoder()


class PaddedJSON(EncryptedJSON):
    """JSON padded to its round's fixed size, then encrypted like any other field."""

    cache_ok = True

    def dump(self, value: Any) -> str:
        if not isinstance(value, Padded):
            raise TypeError("a sealed value is written at its round's fixed size: give a sealed.Padded")
        return pad(value, value.size)

    def load(self, text: str) -> Padded:
        # The value, and not the padding after it: json.loads walks the kilobytes of spaces (0.13 ms a draft, on
        # every rater page); raw_decode stops where the value ends. What follows it was sealed with it, so it is ours.
        return Padded(_DECODER.raw_decode(text)[0], len(text.encode()))


def stored_as_is(table: sa.Table) -> None:
    """On PostgreSQL, a table's sealed `content` is kept out of line as it is, never compressed.

    A sealed value is ciphertext, which no compression shrinks, and at 28 KiB it is always stored out of line
    (TOAST): by default PostgreSQL first tries to compress it with pglz on every write, in vain. `SET STORAGE
    EXTERNAL` leaves that attempt out (about 6 % of a response row's insert, measured; every submission writes
    every row of its round). The stored bytes, and so every row's size, are the same as before."""
    sa.event.listen(table, "after_create", sa.DDL(
        f"ALTER TABLE {table.name} ALTER COLUMN content SET STORAGE EXTERNAL").execute_if(dialect="postgresql"))


class TooLargeError(ValueError):
    pass


def reseal(context: str, stored: str, row_id: object, new_row_id: object, size: int) -> Ciphertext:
    """A sealed value of `context` moved to another row: a fresh ciphertext of the same plaintext under the new
    row's associated data, at `size`. The padded plaintext is sealed again as it is, not parsed and padded anew,
    unless it was padded to another size."""
    ring = key_ring()
    plain = ring.decrypt(stored, associated_data(context, row_id).encode())
    if len(plain) != size:
        plain = pad(_DECODER.raw_decode(plain.decode())[0], size).encode()
    return Ciphertext(ring.encrypt(plain, associated_data(context, new_row_id).encode()))


def pad(value: Any, size: int) -> str:
    text = _json(value)
    length = len(text.encode())
    if length > size:
        raise TooLargeError(f"an answer of {length} bytes is over the fixed size of {size}")
    return text + " " * (size - length)
