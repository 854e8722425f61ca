"""Hostile values posted to every form page each kind of person can reach, then every page they can read: never a
500 (PRODUCT §8: bad input gets a clear message and loses nothing). The pages and their fields are found by walking
the app's routes and the forms each page renders, so a new page or field cannot be missed; forms with no field but
their CSRF token (buttons that confirm a step) take no value and are left out."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.access import access_of
from app.models import Role, User
from surveys.models import Cycle
from tests.fixtures.people import signed_in

HOSTILE = ["  ", "\u00a0", "²", "٣", "9" * 30, "-1", " 1 ", "x" * 5000, "<b>x</b>", "None"]
_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
_CSRF = re.compile(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')


def _routes(app: Flask, method: str) -> list[tuple[str, str]]:
    return sorted((rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  if method in (rule.methods or ()) and not rule.arguments
                  and not rule.rule.startswith(("/dev", "/static")) and rule.endpoint != "auth.sign_out")


def _admits(app: Flask, endpoint: str, user: User) -> bool:
    access = access_of(app.view_functions[endpoint])
    return access is not None and not access.public and access.allows(user.roles)


def _walk(app: Flask, client: FlaskClient, user: User, tried: dict[str, int], errors: list[str]) -> None:
    for url, endpoint in _routes(app, "POST"):
        if not _admits(app, endpoint, user):
            continue
        page = client.get(url)
        if page.status_code != 200:
            continue
        html = page.get_data(as_text=True)
        names = sorted({n for n in _NAME.findall(html) if not n.endswith("csrf_token")})
        if not names:
            continue
        tokens = dict(_CSRF.findall(html))
        for value in HOSTILE:
            response = client.post(url, data={**tokens, **dict.fromkeys(names, value)})
            tried[url] = tried.get(url, 0) + 1
            if response.status_code >= 500:
                errors.append(f"POST {url} {value[:12]!r}")
    for url, endpoint in _routes(app, "GET"):
        if _admits(app, endpoint, user) and client.get(url).status_code >= 500:
            errors.append(f"GET {url} as {sorted(r.value for r in user.roles)}")


@pytest.mark.parametrize(("role", "with_round"), [(Role.OWNER, False), (Role.OWNER, True), (Role.FACILITATOR, False),
                                                 (Role.MANAGER, False), (Role.LOCAL_LEAD, False), (Role.ADMIN, False)])
def test_hostile_values_in_every_form_page_and_every_page_after_them_give_no_500(
        app: Flask, create_user: Callable[..., User], create_round: Callable[..., Cycle], role: Role,
        with_round: bool) -> None:
    user = create_user(role)
    if with_round:
        create_round(user, [("Mo Manager", "mo@trust.example", "manager"), ("Pat Peer", "pat@trust.example", "peer")])
    tried: dict[str, int] = {}
    errors: list[str] = []
    _walk(app, signed_in(app, user), user, tried, errors)
    print(f"\n{role.value}: {sum(tried.values())} hostile posts to {len(tried)} form pages "
          f"({', '.join(sorted(tried))}); 500s: {len(errors)}")
    assert errors == []
