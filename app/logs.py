"""Keep rater links out of logs: an access log line with a token and a time would tie a visit to an invitation."""

from __future__ import annotations

import logging
import re

_RATER_LINK = re.compile(r"/r/[A-Za-z0-9_\-]+")


class RedactRaterLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_RATER_LINK.sub("/r/[link]", a) if isinstance(a, str) else a
                                for a in (record.args if isinstance(record.args, tuple) else (record.args,)))
        if isinstance(record.msg, str):
            record.msg = _RATER_LINK.sub("/r/[link]", record.msg)
        return True


def redact_rater_links() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRaterLinks) for f in logger.filters):
            logger.addFilter(RedactRaterLinks())
