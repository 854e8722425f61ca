"""Email addresses as every form takes them: valid, normalised, lower case, so Jo@ and jo@ are one person.

Addresses at `.test` are accepted: RFC 6761 reserves that name for testing, mail to it reaches nobody, and every
person in the demo data has one (`@demo.open360.test`), so an owner trying the demo can type one as a rater.
Other special-use names (`.localhost`, `.invalid`, `.local`, `.onion`) stay refused.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalised_email(text: str | None) -> str | None:
    try:
        address = validate_email((text or "").strip(), check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        return None
    return address.lower()
