"""A rater's link never reaches a log line, whichever server writes it, however the path is spelled."""

from __future__ import annotations

import io
import logging

import pytest

from app.logs import RedactRaterLinks
from surveys import tokens

TOKEN = tokens.new_token()
LINK = f"/r/{TOKEN}"


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
    logger.warning('%s - - "%s" %s', "127.0.0.1", f"GET {LINK} HTTP/1.1", 302)
    assert TOKEN not in stream.getvalue() and '"GET /r/[link] HTTP/1.1" 302' in stream.getvalue()


def test_gunicorn_access_lines_lose_the_link_and_still_print(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    atoms = {"h": "127.0.0.1", "r": f"GET {LINK} HTTP/1.1", "U": LINK, "s": "302", "B": 0}
    logger.info('%(h)s "%(r)s" %(U)s %(s)s %(B)s', atoms)
    assert stream.getvalue() == '127.0.0.1 "GET /r/[link] HTTP/1.1" /r/[link] 302 0\n'


def test_a_link_in_the_message_itself_goes_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.error(f"Something failed at {LINK}")
    assert stream.getvalue() == "Something failed at /r/[link]\n"


@pytest.mark.parametrize("path", [f"/r//{TOKEN}", f"/r///{TOKEN}", f"/%72/{TOKEN}",
                                  f"/r/%{ord(TOKEN[0]):02X}{TOKEN[1:]}", f"/R/{TOKEN}", f"/r/{TOKEN}?utm=mail",
                                  f"//r/{TOKEN}/"])
def test_odd_spellings_of_a_link_lose_the_token(logged: tuple[logging.Logger, io.StringIO], path: str) -> None:
    logger, stream = logged
    logger.info('"GET %s HTTP/1.1" 404', path)
    assert TOKEN not in stream.getvalue() and TOKEN[1:] not in stream.getvalue()


@pytest.mark.parametrize("path", [f"/c/{TOKEN[:40]}", f"/c//{TOKEN[:42]}", f"/%63/{TOKEN[:41]}", f"/c/{TOKEN}"])
def test_a_check_in_link_or_a_part_of_one_goes_as_a_rounds_does(logged: tuple[logging.Logger, io.StringIO],
                                                                path: str) -> None:
    """A goal check-in's link is `/c/<token>` (followup/checkin/views.py): a truncated one (a mail client cut it)
    leaves a few guesses from the token, so whatever follows `/c/` goes, as whatever follows `/r/` does."""
    logger, stream = logged
    logger.info('"GET %s HTTP/1.1" 404', path)
    assert TOKEN[:40] not in stream.getvalue() and "/c/[link]" in stream.getvalue()
