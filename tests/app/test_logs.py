"""A rater's link never reaches a log line, whichever server writes it."""

from __future__ import annotations

import io
import logging

import pytest

from app.logs import RedactRaterLinks

LINK = "/r/Zm9vYmFyLWEtcmF0ZXJzLXRva2Vu"


@pytest.fixture
def logged() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger("test.redaction")
    logger.handlers[:] = [logging.StreamHandler(stream)]
    logger.filters[:] = [RedactRaterLinks()]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_werkzeug_style_lines_lose_the_link(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.warning('%s - - "%s" %s', "127.0.0.1", f"GET {LINK}/area/2 HTTP/1.1", 200)
    assert LINK not in stream.getvalue() and '"GET /r/[link]/area/2 HTTP/1.1" 200' in stream.getvalue()


def test_gunicorn_access_lines_lose_the_link_and_still_print(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    atoms = {"h": "127.0.0.1", "r": f"POST {LINK}/check HTTP/1.1", "U": f"{LINK}/check", "s": "302", "B": 0}
    logger.info('%(h)s "%(r)s" %(U)s %(s)s %(B)s', atoms)
    assert stream.getvalue() == '127.0.0.1 "POST /r/[link]/check HTTP/1.1" /r/[link]/check 302 0\n'


def test_a_link_in_the_message_itself_goes_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.error(f"Something failed at {LINK}")
    assert stream.getvalue() == "Something failed at /r/[link]\n"
