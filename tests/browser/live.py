"""The real app served over HTTP on loopback, in a thread, for a real browser to use."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from app import create_app
from app import db as unit
from app.extensions import db
from tests.fixtures.smtp import MailCatcher

_LINK = re.compile(r"https?://\S+/r/[\w-]+")


class _QuietHandler(WSGIRequestHandler):
    """No line per request on stderr; errors still reach the `werkzeug` logger, which the server watches."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _ErrorLog(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}")


class LiveServer:
    """The app as the browser sees it. Data is created in `context()` and must be committed before browsing."""

    def __init__(self, directory: Path, mail: MailCatcher) -> None:
        self.mail = mail
        self.errors: list[str] = []
        self.outbox_dir = directory / "outbox"
        self.app: Flask = create_app("test", {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'live.sqlite3'}",  # a file: shared by threads
            "SMTP_PORT": mail.port,
            "WTF_CSRF_ENABLED": True,  # the browser carries the token like anyone's would
            "REDIS_URL": None,  # jobs run inline (sync queue) on the in-process stand-in
            "SESSION_COOKIE_SECURE": False,  # plain http://127.0.0.1
            "REMEMBER_COOKIE_SECURE": False,
            "SERVER_NAME": None,
            "SHOW_OUTBOX": True,  # serve the development outbox pages too, so they are checked like the rest
            "OUTBOX_DIR": str(self.outbox_dir),
        })
        with self.app.app_context():
            db.create_all()
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self.app, threaded=True,
                                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.app.config["PUBLIC_URL"] = self.url  # links in mail point here
        self._log_handler = _ErrorLog(self.errors)
        for name in ("app.errors", "werkzeug"):
            logging.getLogger(name).addHandler(self._log_handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        for name in ("app.errors", "werkzeug"):
            logging.getLogger(name).removeHandler(self._log_handler)
        with self.app.app_context():
            db.engine.dispose()

    @contextmanager
    def context(self) -> Iterator[None]:
        """An app context for creating data in the live database; commits what was added when it ends."""
        with self.app.app_context():
            try:
                yield
                unit.commit()  # and then what waits for the commit (mail, jobs)
            finally:
                db.session.remove()

    def rater_links(self, emails: list[str]) -> dict[str, str]:
        """Each rater's link, read from the invitation mail the app sent them."""
        links: dict[str, str] = {}
        for email in emails:
            messages = self.mail.to(email)
            assert messages, f"no mail was sent to {email}"
            found = _LINK.search(MailCatcher.text(messages[-1]))
            assert found, f"the mail to {email} has no rater link"
            assert found.group(0).startswith(self.url)
            links[email] = found.group(0)
        return links
