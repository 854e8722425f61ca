"""Where a report's sealed files are kept (its two PDFs and its page's two fixed bodies, reports/build.py):
outside the database, behind one small interface.

A stored file is the envelope-sealed bytes (reports/envelope.py: the report's own data key, its id and the part's
name as associated data), never a readable document: whoever copies the folder holds ciphertexts that open only
with the report's data key, which is wrapped by a master key and kept in the report's row. Deleting the row
therefore makes its files unreadable by anyone; the files are deleted too.

A file is derived data: it is rendered from the report's sealed figure table and content, so a file that is missing
(a lost disk, a second machine that does not share the folder, a report built before page bodies were kept) is
rendered again at its next read, and by a worker when it starts.

`FolderStore` keeps files under the instance folder (`REPORT_FILES_DIR`). Object storage could implement the same
four methods.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from flask import current_app


class ReportFiles(Protocol):
    def read(self, name: str) -> bytes | None:
        """The stored bytes, or None when there are none."""

    def write_once(self, name: str, data: bytes) -> None:
        """Store the bytes unless something is stored under the name already: the first stored wins."""

    def delete(self, names: Iterable[str]) -> None:
        """Delete these, if they are there."""

    def names(self) -> set[str]:
        """Every name stored."""


_NAME = re.compile(r"report-([0-9]+)-[a-z_]+")


class FolderStore:
    """Files in one folder, written whole (a temporary file, then a hard link that fails if the name is taken)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):  # names are ours; this keeps anything else out of the path
            raise ValueError(f"not a report file name: {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def write_once(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f".{name}.{secrets.token_hex(8)}"
        try:
            with open(partial, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # two renders at once: the same document, the first stays
                os.link(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self._path(name).unlink(missing_ok=True)

    def names(self) -> set[str]:
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.iterdir() if _NAME.fullmatch(p.name)}


def file_name(report_id: int, part: str) -> str:
    return f"report-{report_id}-{part}"


def file_report_id(name: str) -> int:
    """The report a stored name belongs to (names are `file_name`'s)."""
    found = _NAME.fullmatch(name)
    if found is None:
        raise ValueError(f"not a report file name: {name!r}")
    return int(found.group(1))


def report_files() -> ReportFiles:
    """The running app's store (REPORT_FILES_DIR; by default instance/report-files)."""
    return FolderStore(current_app.config["REPORT_FILES_DIR"])
