"""The words of form messages more than one form needs, in one place.

The error summary lists messages without their fields' labels, so each message names its own field: WTForms'
defaults ("Field cannot be longer than 200 characters.") say neither which box nor in plain English.
"""

from __future__ import annotations

from wtforms.validators import Length

from app.words import sentence_start


def too_long(what: str, limit: int) -> str:
    """"Your email address must be 320 characters or fewer": `what` names the field as a sentence's subject."""
    return f"{sentence_start(what)} must be {limit:,} characters or fewer"


def max_length(what: str, limit: int) -> Length:
    """A length limit whose message names the field (`what`, e.g. "your email address")."""
    return Length(max=limit, message=too_long(what, limit))
