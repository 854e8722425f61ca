"""Answers at rest (PRODUCT §3.3): every response and every draft is one encrypted value of one fixed size.

A value is JSON, padded with spaces to `PADDED_BYTES` before it is encrypted, so every ciphertext of a response or
a draft has the same length whatever was answered or written: a draft in an old backup cannot be matched to a
response by size, and neither can two responses. The value is bound to its table and row (app/encrypted.py).
"""

from __future__ import annotations

import json
from typing import Any

from app.encrypted import EncryptedJSON
from surveys.answers import MAX_COMMENT_LENGTH

# The bound: each comment at most MAX_COMMENT_LENGTH characters, each at most 6 bytes once in JSON (a control
# character becomes \u00XX; anything else is at most 4 bytes of UTF-8), and room for some 350 statements' answers.
PADDED_BYTES = 48 * 1024
MAX_STATEMENTS = 350
_STATEMENT_BYTES = 40  # "values.shared.org.123":"n", with room to spare


def fits(open_questions: int, statements: int) -> bool:
    """Whether a questionnaire's largest possible answer fits the fixed size (checked by the tests)."""
    worst = 512 + open_questions * (40 + 6 * MAX_COMMENT_LENGTH) + statements * _STATEMENT_BYTES
    return worst <= PADDED_BYTES


_DECODER = json.JSONDecoder()


class PaddedJSON(EncryptedJSON):
    """JSON padded to PADDED_BYTES, then encrypted like any other field."""

    cache_ok = True

    def dump(self, value: Any) -> str:
        return pad(value)

    def load(self, text: str) -> Any:
        # The value, and not the padding after it: json.loads walks the 48 KB of spaces (0.13 ms a draft, on every
        # rater page); raw_decode stops where the value ends. What follows it was sealed with it, so it is ours.
        return _DECODER.raw_decode(text)[0]


class TooLargeError(ValueError):
    pass


def pad(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    size = len(text.encode())
    if size > PADDED_BYTES:
        raise TooLargeError(f"an answer of {size} bytes is over the fixed size of {PADDED_BYTES}")
    return text + " " * (PADDED_BYTES - size)
