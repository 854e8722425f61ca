"""Keep rater links out of logs: an access log line with a token and a time would tie a visit to an invitation."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

_RATER_LINK = re.compile(r"/r/[A-Za-z0-9_\-]+")


class RedactRaterLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _redact(record.msg)
        if isinstance(record.args, Mapping):  # gunicorn's access log passes its atoms as one mapping
            record.args = {key: _redact(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact(value) for value in record.args)
        return True


def _redact(value: Any) -> Any:
    return _RATER_LINK.sub("/r/[link]", value) if isinstance(value, str) else value


def redact_rater_links() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRaterLinks) for f in logger.filters):
            logger.addFilter(RedactRaterLinks())
