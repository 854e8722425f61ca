"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import sqlalchemy.orm as so
from flask_compress import Compress
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.pipeline import SignIns


class Base(so.DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = SignIns()  # Flask-Login's LoginManager, quicker to find nobody signed in
csrf = CSRFProtect()
# brotli or gzip for every text response a browser accepts it for: a rater page goes from ~26 KB to ~5 KB on a
# phone's connection. Compression next to secrets is what BREACH measures; it needs the victim's browser to send
# the secret-bearing cookie with requests an attacker chooses, and the session cookie is SameSite=Lax.
compress = Compress()

# Every encrypted column's values are bound to their row as well as their column (see app/encrypted.py): installed
# once per process, for every model.
from app.encrypted import bind_rows_to_ciphertexts  # noqa: E402

bind_rows_to_ciphertexts(db.Model)
