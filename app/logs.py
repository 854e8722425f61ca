"""Keep rater links out of logs: an access log line with a token and a time would tie a visit to an invitation."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

# `/r/` (a round's link) or `/c/` (a goal check-in's) then anything up to the end of the path, including extra
# slashes (`/r//TOKEN`, which a server may log before it merges them) and percent-encoded characters: whatever
# follows them in a path is a token or a part of one (a cut-off link leaves only a few guesses).
_RATER_LINK = re.compile(r"/([rc])/+[^\s?#\"']*", re.IGNORECASE)


class RedactRaterLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _redact(record.msg)
        if isinstance(record.args, Mapping):  # gunicorn's access log passes its atoms as one mapping
            record.args = {key: _redact(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact(value) for value in record.args)
        return True


_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{43,}")  # a rater token's shape, wherever it turns up


def _redact(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if "%" in value:  # `/%72/…` routes like `/r/…`: match what the server decodes, not only what it was sent
        value = unquote(value)
    return _TOKEN_LIKE.sub("[token]", _RATER_LINK.sub(lambda m: f"/{m.group(1).lower()}/[link]", value))


def redact_rater_links() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRaterLinks) for f in logger.filters):
            logger.addFilter(RedactRaterLinks())
