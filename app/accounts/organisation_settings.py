"""An organisation's settings on its edit form: its email domains, external raters, nomination approval, who reads
the report first, how long things are kept, and who answers accessibility requests. Text in, checked values out,
with a message per field."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import rules
from app.accounts.forms import OrganisationForm
from app.addresses import normalised_email
from app.extensions import db
from app.models import Organisation, OrganisationDomain

YES_NO = {"yes": True, "no": False}


def fill_settings(form: OrganisationForm, org: Organisation) -> None:
    form.email_domains.data = "\n".join(org.email_domains or [])
    form.allows_external_raters.data = "yes" if org.allows_external_raters else "no"
    form.requires_nomination_approval.data = "yes" if org.requires_nomination_approval else "no"
    form.facilitator_releases_report.data = "yes" if org.facilitator_releases_report else "no"
    form.rater_purge_days.data = str(org.rater_purge_days)
    form.retention_days.data = str(org.retention_days)
    form.accessibility_contact_name.data = org.accessibility_contact_name
    form.accessibility_contact_email.data = org.accessibility_contact_email
    form.min_round_interval_months.data = str(org.min_round_interval_months)


def apply_settings(form: OrganisationForm, org: Organisation) -> bool:
    """Copy the form onto the organisation; False (with the form's errors set) when anything is wrong."""
    domains, bad = rules.parse_domains(form.email_domains.data or "")
    if bad:
        form.email_domains.errors = [f"“{bad[0]}” is not an email domain. Enter domains like nhs.net, one a line"]
    elif len(domains) > rules.MAX_DOMAINS:
        form.email_domains.errors = [f"Enter {rules.MAX_DOMAINS} domains or fewer"]
    elif not domains and form.allows_external_raters.data == "no":
        form.email_domains.errors = ["Enter the organisation's email domains, or allow raters from outside it"]
    elif clash := rules.domain_clash(domains, _other_organisations(org)):
        form.email_domains.errors = [clash]
    purge = _whole(form.rater_purge_days, *rules.PURGE_DAYS_RANGE, "days")
    keep = _whole(form.retention_days, *rules.RETENTION_DAYS_RANGE, "days")
    interval = _whole(form.min_round_interval_months, *rules.ROUND_INTERVAL_MONTHS_RANGE, "months")
    contact = _contact(form)
    if form.errors or form.email_domains.errors or None in (purge, keep, interval, contact):
        return False
    org.email_domains = domains
    org.allows_external_raters = YES_NO[form.allows_external_raters.data]
    org.requires_nomination_approval = YES_NO[form.requires_nomination_approval.data]
    org.facilitator_releases_report = YES_NO[form.facilitator_releases_report.data]
    org.rater_purge_days = purge
    org.retention_days = keep
    org.accessibility_contact_name, org.accessibility_contact_email = contact
    org.min_round_interval_months = interval
    return True


def _contact(form: OrganisationForm) -> tuple[str, str] | None:
    """The accessibility contact: both empty (the statement then gives the service operator's address), or an email
    address with an optional name."""
    name = (form.accessibility_contact_name.data or "").strip()
    text = (form.accessibility_contact_email.data or "").strip()
    email = normalised_email(text) if text else ""
    if email is None:
        form.accessibility_contact_email.errors = [
            "Enter an email address in the correct format, like accessibility@example.nhs.uk"]
        return None
    if name and not email:
        form.accessibility_contact_email.errors = ["Enter the email address accessibility requests go to"]
        return None
    return name, email


def _other_organisations(org: Organisation | None) -> list[tuple[str, list[str]]]:
    query = sa.select(Organisation.name, OrganisationDomain.domain).join(OrganisationDomain)
    if org is not None and org.id is not None:
        query = query.where(Organisation.id != org.id)
    held: dict[str, list[str]] = {}
    for name, domain in db.session.execute(query.order_by(Organisation.name, OrganisationDomain.position)):
        held.setdefault(name, []).append(domain)
    return list(held.items())


def explain_refused_save(form: OrganisationForm, org: Organisation | None, name: str) -> None:
    """After a save the database refused (another administrator saved one of these domains, or this name, a moment
    after this form's checks read them): the message the checks would now give, read again with their save there."""
    domains, _bad = rules.parse_domains(form.email_domains.data or "")
    clash = rules.domain_clash(domains, _other_organisations(org))
    if clash:
        form.email_domains.errors = [clash]
        return
    taken = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))
    form.name.errors.append("There is already an organisation with this name" if taken not in {None, getattr(
        org, "id", None)} else "Another administrator saved this organisation at the same moment. Check the "
                                "settings and save them again")


def _whole(field, low: int, high: int, unit: str) -> int | None:  # type: ignore[no-untyped-def]
    text = (field.data or "").strip()
    # isdigit() alone takes "²", which int() cannot read
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        field.errors = [f"Enter a whole number of {unit} from {low} to {high}"]
        return None
    return int(text)
