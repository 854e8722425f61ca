"""Signals other packages listen to, so this package never imports the ones above it (reports, facilitator).

Receivers run inside the sender's transaction; to start work after it commits they use `app.db.after_commit`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent with the Cycle as sender once it has moved to `closed` (by the owner or by the clock)
round_closed = _signals.signal("round-closed")
