"""An organisation's settings on its edit form: its email domains, external raters, nomination approval, who reads
the report first, and how long things are kept. Text in, checked values out, with a message per field."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import rules
from app.accounts.forms import OrganisationForm
from app.extensions import db
from app.models import Organisation

YES_NO = {"yes": True, "no": False}


def fill_settings(form: OrganisationForm, org: Organisation) -> None:
    form.email_domains.data = "\n".join(org.email_domains or [])
    form.allows_external_raters.data = "yes" if org.allows_external_raters else "no"
    form.requires_nomination_approval.data = "yes" if org.requires_nomination_approval else "no"
    form.facilitator_releases_report.data = "yes" if org.facilitator_releases_report else "no"
    form.rater_purge_days.data = str(org.rater_purge_days)
    form.retention_days.data = str(org.retention_days)


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
    purge = _days(form.rater_purge_days, *rules.PURGE_DAYS_RANGE)
    keep = _days(form.retention_days, *rules.RETENTION_DAYS_RANGE)
    if form.errors or form.email_domains.errors or purge is None or keep is None:
        return False
    org.email_domains = domains
    org.allows_external_raters = YES_NO[form.allows_external_raters.data]
    org.requires_nomination_approval = YES_NO[form.requires_nomination_approval.data]
    org.facilitator_releases_report = YES_NO[form.facilitator_releases_report.data]
    org.rater_purge_days = purge
    org.retention_days = keep
    return True


def _other_organisations(org: Organisation) -> list[tuple[str, list[str]]]:
    query = sa.select(Organisation.name, Organisation.email_domains)
    if org.id is not None:
        query = query.where(Organisation.id != org.id)
    return [(name, list(domains or [])) for name, domains in db.session.execute(query)]


def _days(field, low: int, high: int) -> int | None:  # type: ignore[no-untyped-def]
    text = (field.data or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        field.errors = [f"Enter a whole number of days from {low} to {high}"]
        return None
    return int(text)
