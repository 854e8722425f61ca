"""A length limit's message names its field in plain English (app/form_messages.py): the error summary lists the
messages alone, so "Field cannot be longer than 200 characters." twice on one page says neither which box nor why."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from flask import Flask
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from app.form_messages import too_long
from app.models import Role, User
from tests.conftest import post_form
from tests.fixtures.people import signed_in


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's (link, message) pairs."""
    box = page.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [(href, html.unescape(text).strip()) for href, text in re.findall(r'<a href="([^"]*)"\s*>([^<]*)</a>', box)]


def test_sign_in_says_which_box_is_too_long_and_links_to_it(app: Flask) -> None:
    page = post_form(app.test_client(), "/sign-in", {"email": "a" * 310 + "@trust.example", "password": "p" * 201}
                     ).get_data(as_text=True)
    assert _summary(page) == [("#email", "Your email address must be 320 characters or fewer"),
                              ("#password", "Your password must be 200 characters or fewer")]
    assert 'id="email"' in page and 'id="password"' in page


def test_two_long_statements_get_two_messages_each_naming_its_box(app: Flask,
                                                                  create_user: Callable[..., User]) -> None:
    client = signed_in(app, create_user(Role.ADMIN))
    page = post_form(client, "/admin/statements", {"self_text": "I " + "a" * 300, "rater_text": "b" * 300}
                     ).get_data(as_text=True)
    summary = _summary(page)
    assert ("#self_text", "The statement as the owner reads it must be 200 characters or fewer") in summary
    assert ("#rater_text", "The statement as raters read it must be 200 characters or fewer") in summary
    assert "cannot be longer" not in page


def _forms(cls: type = FlaskForm) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _forms(sub)


def test_no_form_falls_back_on_wtforms_length_message(app: Flask) -> None:
    """Every length limit of every form the app loads carries a message of its own."""
    defaults = set()
    for form in _forms():
        for name, field in vars(form).items():
            if not isinstance(field, UnboundField):
                continue
            validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
            if any(isinstance(v, Length) and v.max != -1 and v.message is None for v in validators):
                defaults.add((form.__module__, form.__qualname__, name))
    assert defaults == set()


def test_a_length_message_starts_a_sentence() -> None:
    assert too_long("your email address", 320) == "Your email address must be 320 characters or fewer"
    assert too_long("the client secret", 10000) == "The client secret must be 10,000 characters or fewer"
