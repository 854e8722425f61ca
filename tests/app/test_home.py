"""The signed-in home page points each role to where its work is, and promises nothing that is not there."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask import Flask

from app.extensions import db
from app.models import Role, User
from tests.fixtures.people import signed_in


@pytest.mark.parametrize(("role", "links"), [
    (Role.FACILITATOR, ['href="/facilitator"']),
    (Role.MANAGER, ['href="/reports"', 'href="/development/shared"']),
])
def test_the_home_page_links_to_each_roles_lists(app: Flask, create_user: Callable[..., User], role: Role,
                                                 links: list[str]) -> None:
    client = signed_in(app, create_user(role))
    page = client.get("/").get_data(as_text=True)
    assert all(link in page for link in links), page
    assert "will be listed here" not in page


def test_the_logo_links_name_contains_what_it_shows(app: Flask) -> None:
    """WCAG 2.5.3 (label in name): the link shows the NHS logo and the service's name, so a voice user who says
    "click NHS Open360" must reach it; its accessible name starts with exactly that."""
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    link = re.search(r'<a class="nhsuk-header__service-logo"[^>]*aria-label="([^"]*)"', page)
    assert link is not None
    logo = re.search(r'<svg class="nhsuk-header__logo"[^>]*aria-label="([^"]*)"', page)
    service = re.search(r'class="nhsuk-header__service-name">\s*([^<]*?)\s*<', page)
    assert logo is not None and service is not None
    visible = f"{logo.group(1)} {service.group(1)}"
    assert visible == "NHS Open360" and link.group(1).startswith(visible), link.group(1)


# --- the accessibility statement (PRODUCT §8: in the form the 2018 regulations require) ----------------------------

GOV_UK_SECTIONS = ["How accessible this website is", "Feedback and contact information",
                   "Reporting accessibility problems with this website", "Enforcement procedure",
                   "Technical information about this website's accessibility", "Compliance status",
                   "Non-accessible content", "Non-compliance with the accessibility regulations",
                   "Disproportionate burden", "Content that's not within the scope of the accessibility regulations",
                   "What we're doing to improve accessibility", "Preparation of this accessibility statement"]


def _statement(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/accessibility").get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)))


def test_the_statement_follows_the_gov_uk_sample_and_claims_wcag_2_2(app: Flask) -> None:
    app.config |= {"SERVICE_OPERATOR": "NHS Northshire Digital", "CONTACT_EMAIL": "access@northshire.example"}
    text = _statement(app.test_client())
    at = [text.find(heading) for heading in GOV_UK_SECTIONS]
    assert -1 not in at and at == sorted(at), dict(zip(GOV_UK_SECTIONS, at, strict=True))
    assert "This website is run by NHS Northshire Digital." in text
    assert "NHS Northshire Digital is committed to making its website accessible, in accordance with the Public " \
           "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018." in text
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard" in text
    assert "version 2.1" not in text
    # A different format; reporting a problem: a rater, with no account, reads the address of the team that runs it.
    assert text.count("email NHS Northshire Digital at access@northshire.example") == 2
    assert "The Equality and Human Rights Commission (EHRC) is responsible for enforcing" in text
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Equality Commission for Northern Ireland" in text
    known = text.split("We know some parts of this website are not fully accessible:", 1)[1]
    assert "Feedback and contact information" in known  # the list of known problems sits before it
    assert "empty boxes in the PDFs" in known.split("Feedback and contact information")[0]


def test_a_signed_in_person_reads_that_their_organisation_is_served_and_its_own_contact(
        app: Flask, create_user: Callable[..., User], organisation) -> None:  # type: ignore[no-untyped-def]
    app.config |= {"SERVICE_OPERATOR": "NHS Northshire Digital", "CONTACT_EMAIL": "access@northshire.example"}
    organisation.accessibility_contact_name = "the Digital Inclusion Team"
    organisation.accessibility_contact_email = "inclusion@trust.example"
    db.session.commit()
    text = _statement(signed_in(app, create_user(Role.OWNER)))
    assert f"This website is run by NHS Northshire Digital for {organisation.name}." in text
    assert text.count("email the Digital Inclusion Team at inclusion@trust.example, or email NHS Northshire Digital "
                      "at access@northshire.example") == 2


def test_without_any_contact_the_statement_sends_people_to_their_local_lead(app: Flask) -> None:
    app.config |= {"SERVICE_OPERATOR": "", "CONTACT_EMAIL": ""}
    text = _statement(app.test_client())
    assert "This website is run by the organisation that invited you to use it." in text
    assert text.count("ask your organisation's local lead") == 2


def test_the_contacts_are_the_organisations_own_and_always_the_operators() -> None:
    from app.home.views import statement_contacts
    from app.models import Organisation

    own = Organisation(name="A Trust", accessibility_contact_name="", accessibility_contact_email="a11y@a.example")
    unset = Organisation(name="B", accessibility_contact_name="", accessibility_contact_email="")
    operator = ("the team that runs the service", "op@example.org")
    assert statement_contacts(own, "", "op@example.org") == [("A Trust", "a11y@a.example"), operator]
    assert statement_contacts(unset, "", "op@example.org") == [operator]
    assert statement_contacts(None, "Ops", "op@example.org") == [("Ops", "op@example.org")]
    assert statement_contacts(None, "", "") == []


def test_an_operator_named_in_lower_case_still_starts_its_sentence_with_a_capital(app: Flask) -> None:
    app.config |= {"SERVICE_OPERATOR": "the Open360 demo team", "CONTACT_EMAIL": "a11y@open360.example"}
    text = _statement(app.test_client())
    assert "The Open360 demo team is committed to making its website accessible" in text
    assert "This website is run by the Open360 demo team." in text
