"""Response headers every page carries."""

from __future__ import annotations

from flask import Flask, Response, current_app, g


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The policy of every page. Only a page made to be shown in a frame of this site's own (an administrator's
    preview of a questionnaire at phone width) sets it with frame_ancestors="'self'"."""
    nonce = g.get("csp_nonce", "")
    return (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            f"frame-ancestors {frame_ancestors}; form-action 'self'; base-uri 'none'")


def add_security_headers(response: Response) -> Response:
    # A plain function, not one nested in the registration, so that the mutation run (`make mutation`) can reach it.
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # A rater's link must never leave in a Referer header; "same-origin" sends none to any other site, and still
    # sends one with our own forms, which Flask-WTF requires of every POST over HTTPS (WTF_CSRF_SSL_STRICT).
    response.headers.setdefault("Referrer-Policy", "same-origin")
    hsts_seconds = current_app.config.get("HSTS_SECONDS")
    if hsts_seconds:
        # Production is HTTPS only: browsers that have seen this never try plain HTTP again, so nobody on the
        # network can strip TLS from a rater's first visit to their link.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
