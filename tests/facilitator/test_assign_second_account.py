"""Nobody facilitates their own round (PRODUCT §5), whichever of their accounts is chosen: jo+fac@ is jo@."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.errors import DomainError
from app.models import Role, User
from facilitator.operations import assign


def test_an_owners_second_account_at_their_mailbox_cannot_be_their_facilitator(
        app: Flask, owner: User, create_user: Callable[..., User]) -> None:
    local, _, domain = owner.email.partition("@")
    second = create_user(Role.FACILITATOR, email=f"{local.upper()}+fac@{domain}")
    admin = create_user(Role.ADMIN)
    with pytest.raises(DomainError, match="own round"):
        assign(owner, second, admin)
    assign(owner, create_user(Role.FACILITATOR), admin)  # anyone else still can be
