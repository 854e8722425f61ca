"""The single sign-on settings form: text in, checked values out, with a message per field."""

from __future__ import annotations

import re

from app.identity import rules
from app.identity.forms import SsoSettingsForm
from app.identity.models import SsoSettings
from app.identity.operations import private_key_problem

YES_NO = {"yes": True, "no": False}


def fill_settings(form: SsoSettingsForm, row: SsoSettings) -> None:
    form.provider_name.data = row.provider_name
    form.issuer.data = row.issuer
    form.client_id.data = row.client_id
    form.auth_method.data = row.auth_method
    form.credential.data = ""  # never shown again: left empty, the stored one stays
    form.tenant_ids.data = "\n".join(row.tenant_ids or [])
    form.acr.data = row.acr
    form.is_enabled.data = "yes" if row.is_enabled else "no"
    form.allows_password_sign_in.data = "yes" if row.allows_password_sign_in else "no"


def apply_settings(form: SsoSettingsForm, row: SsoSettings) -> bool:
    """Copy the form onto the settings; False (with the form's errors set) when anything is wrong."""
    credential = (form.credential.data or "").strip()
    method = form.auth_method.data or ""
    tenants = tuple(dict.fromkeys(t.lower() for t in re.split(r"[\s,;]+", form.tenant_ids.data or "") if t))
    problems = rules.settings_problems(rules.SettingsInput(
        provider_name=form.provider_name.data or "", issuer=(form.issuer.data or "").strip(),
        client_id=form.client_id.data or "", auth_method=method,
        has_credential=bool(credential or (row.credential and method == row.auth_method)), tenant_ids=tenants,
        private_key_problem=private_key_problem(credential) if credential and method == "private_key_jwt" else None))
    for name, message in problems.items():
        getattr(form, name).errors = [message]
    if problems or form.errors:
        return False
    row.provider_name = form.provider_name.data.strip()
    row.issuer = form.issuer.data.strip().rstrip("/")
    row.client_id = form.client_id.data.strip()
    row.auth_method = method
    if credential:
        row.credential = credential
    row.tenant_ids = list(tenants)
    row.acr = (form.acr.data or "").strip()
    row.is_enabled = YES_NO[form.is_enabled.data]
    row.allows_password_sign_in = YES_NO[form.allows_password_sign_in.data]
    return True
