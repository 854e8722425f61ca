"""Development only: an SMTP server inside `make run` that keeps every mail in a Maildir under instance/outbox,
and pages that list them so a newcomer can open an invitation link. Mail reaches it over real SMTP, by the same
code that talks to a production mail server."""

from __future__ import annotations

import ipaddress
import mailbox
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup, escape

from app.access import public

bp = Blueprint("outbox", __name__, url_prefix="/dev/outbox")
_LINK = re.compile(r"https?://[^\s<>\"]+")


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.before_request
def only_from_this_machine() -> None:
    # The outbox shows every rater's link. A deployment that forgot OPEN360_ENV runs as development: even then,
    # nobody but a person at this machine may read it, whatever address the server listens on.
    if not is_loopback(request.remote_addr):
        abort(404)


def start_capture_server(maildir: str, port: int) -> Controller:
    for sub in ("tmp", "new", "cur"):  # the Maildir layout the handler writes into
        (Path(maildir) / sub).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class CapturedMail:
    key: str
    to: str
    subject: str
    sent: str
    text: str


def _text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""


def _read(key: str, message: mailbox.MaildirMessage) -> CapturedMail:
    date = message.get("Date")
    return CapturedMail(key=key, to=message.get("To", ""), subject=message.get("Subject", ""),
                        sent=parsedate_to_datetime(date).strftime("%d %b %Y %H:%M") if date else "",
                        text=_text_part(message))


def _maildir() -> mailbox.Maildir:
    return mailbox.Maildir(current_app.config["OUTBOX_DIR"], create=True)


@bp.route("/")
@public
def index():  # type: ignore[no-untyped-def]
    box = _maildir()
    mails = sorted((_read(k, m) for k, m in box.items()), key=lambda m: m.sent, reverse=True)
    return render_template("outbox/index.html", mails=mails)


@bp.route("/<key>")
@public
def show(key: str):  # type: ignore[no-untyped-def]
    try:
        mail = _read(key, _maildir()[key])
    except KeyError:
        abort(404)
    linked = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', str(escape(mail.text)))
    return render_template("outbox/show.html", mail=mail, body=Markup(linked))
