"""The domain error and the plain pages every failure ends on: never a stack trace."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from app.models import User

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the product refused an action; its message is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


PAGES = {
    400: ("Something was wrong with that request", "Go back, check what you entered and try again."),
    403: ("You do not have access to this page",
          "Your account does not have the role this page needs. If you think it should, ask your local lead."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
          "If you pasted it, check you copied the whole address."),
    405: ("That action is not available here", "Go back and use the buttons on the page."),
    413: ("What you sent is too large", "Go back and send less at once, for example a shorter list of raters."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you had saved has been lost."),
}


def _whom_to_ask_for_access(user: User) -> str:
    """The 403 page's advice, by name and fit to the person: a local lead asks an administrator, an administrator
    another administrator, never "ask your local lead" to the local lead herself."""
    from app.accounts.operations import whom_to_ask
    return ("Your account does not have the role this page needs. If you think it should, ask "
            f"{whom_to_ask(user)}.")


def register_error_pages(app: Flask) -> None:
    from app import db as unit
    from app.web import NUL_MESSAGE, contains_nul, may_hold_nul

    @app.before_request
    def refuse_nul_characters():  # type: ignore[no-untyped-def]
        # No text the product keeps can hold a NUL (PostgreSQL refuses it outright): say so plainly, once, for every
        # form and address, rather than fail in the database.
        if may_hold_nul(request.environ) \
                and contains_nul([request.path, *request.args.values(), *request.form.values()]):
            return render_template("errors/error.html", title="What you entered cannot be used",
                                   body=NUL_MESSAGE), 400
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        title, body = PAGES.get(code, PAGES[400] if code < 500 else PAGES[500])
        if code == 403 and current_user.is_authenticated:
            body = _whom_to_ask_for_access(current_user)
        return render_template("errors/error.html", title=title, body=body), code

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):  # type: ignore[no-untyped-def]
        return render_template(
            "errors/error.html",
            title="Your session has expired",
            body="For your security, forms stop working after you sign out or close your browser. "
            "Go back, refresh the page and try again.",
        ), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):  # type: ignore[no-untyped-def]
        return render_template("errors/error.html", title="That cannot be done", body=error.message), 409

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        log.exception("Unhandled error")
        # The failure may have left the session's transaction broken (a refused statement): roll it back first, or
        # the error page's own queries (the signed-in person, the navigation) fail too and nobody sees a page.
        unit.rollback()
        title, body = PAGES[500]
        return render_template("errors/error.html", title=title, body=body), 500
