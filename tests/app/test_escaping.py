"""The design system's .jinja macros escape what they are given, as every .html template does."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from surveys.models import Cycle, OrgStatement
from tests.conftest import post_form

HOSTILE = '</textarea><meta http-equiv="refresh" content="0;url=https://evil.example"><b>x</b>'


def test_a_design_system_macro_escapes_its_text_arguments(app: Flask) -> None:
    with app.test_request_context():
        page = render_template_string(
            '{% from "nhsuk/components/hint/macro.jinja" import hint %}{{ hint({"text": text}) }}', text=HOSTILE)
    assert "<meta" not in page and "&lt;meta" in page


def test_plain_text_mail_is_not_html_escaped(app: Flask) -> None:
    template = app.jinja_env.from_string("{{ name }}")
    template_name = "surveys/mail/invitation.txt"
    assert not app.jinja_env.autoescape(template_name)  # type: ignore[operator]
    assert app.jinja_env.autoescape("nhsuk/components/hint/macro.jinja")  # type: ignore[operator]
    assert template.render(name="Ada & Bo") in {"Ada &amp; Bo", "Ada & Bo"}


def test_an_organisation_statement_cannot_write_markup_into_the_owners_page(
        owner_client: FlaskClient, owner: User, create_round: Callable[..., Cycle]) -> None:
    # A round is pinned to the statements in use when it starts, so the statement comes first.
    db.session.add(OrgStatement(organisation_id=owner.organisation_id, self_text=f"I value {HOSTILE}",
                                rater_text=f"This person values {HOSTILE}"))
    db.session.commit()
    create_round(owner, open_it=False)
    pages = "".join(owner_client.get(f"/round/self/{n}").get_data(as_text=True) for n in range(1, 5))
    assert "evil.example" in pages, "the statement should be on one of the self-assessment pages"
    assert "<meta http-equiv" not in pages


def test_text_typed_into_a_box_cannot_break_out_of_it(owner_client: FlaskClient, open_round: Cycle) -> None:
    response = post_form(owner_client, "/round/preparation", {"highs_and_lows": HOSTILE, "action": "save"})
    assert response.status_code in {200, 302}
    page = owner_client.get("/round/preparation").get_data(as_text=True)
    assert "evil.example" in page
    assert "<meta http-equiv" not in page and "</textarea><meta" not in page


def test_a_pasted_line_is_reflected_escaped_in_its_error(owner_client: FlaskClient, owner: User,
                                                        create_round: Callable[..., Cycle]) -> None:
    create_round(owner, open_it=False)
    response = post_form(owner_client, "/round/raters/paste", {"paste-raters": f"{HOSTILE}, not-an-email, peer"},
                         page="/round/raters", prefix="paste")
    page = response.get_data(as_text=True)
    assert "<meta http-equiv" not in page and "<b>x</b>" not in page
