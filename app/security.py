"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, current_app, g, request

# Pages that send no Referer anywhere, not even to this site (a rater's and a check-in's): their packages name them.
_NO_REFERRER: set[str] = set()


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)


def send_no_referrer(endpoints: Iterable[str]) -> None:
    """These endpoints' pages say `Referrer-Policy: no-referrer`: nothing about a visit leaves the page."""
    _NO_REFERRER.update(endpoints)


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The policy of every page. Only a page made to be shown in a frame of this site's own (an administrator's
    preview of a questionnaire at phone width) sets it with frame_ancestors="'self'"."""
    nonce = g.get("csp_nonce", "")
    return (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            f"frame-ancestors {frame_ancestors}; form-action 'self'; base-uri 'none'")


def add_security_headers(response: Response) -> Response:
    # A plain function, not one nested in the registration, so that the mutation run (`make mutation`) can reach it.
    # Each header is added unless the view set its own. One pass over the headers there are, rather than Werkzeug's
    # `setdefault`, which looks each name up by raising and catching a KeyError: ten exceptions a page.
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    wanted = [
        ("Content-Security-Policy", content_security_policy()),
        ("X-Content-Type-Options", "nosniff"),
        # A rater's link must never leave in a Referer header; "same-origin" sends none to any other site, and still
        # sends one with our own forms, which Flask-WTF requires of every POST over HTTPS (WTF_CSRF_SSL_STRICT).
        ("Referrer-Policy", "no-referrer" if request.endpoint in _NO_REFERRER else "same-origin"),
    ]
    hsts_seconds = current_app.config.get("HSTS_SECONDS")
    if hsts_seconds:
        # Production is HTTPS only: browsers that have seen this never try plain HTTP again, so nobody on the
        # network can strip TLS from a rater's first visit to their link.
        wanted.append(("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains"))
    if response.mimetype == "text/html":
        wanted.append(("Cache-Control", "no-store"))
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response
