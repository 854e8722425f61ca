"""Throwaway PostgreSQL and Redis servers on loopback, from Debian's packages, for the production-stack test run.

`python -m tests.servers pytest …` starts both in a temporary folder, runs the command with TEST_DATABASE_URL and
TEST_REDIS_URL pointing at them, and stops them whatever happens. Tests that need a server of their own (the fault
tests kill and start workers) call `redis_server()` directly.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.fixtures.smtp import free_port


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL is not installed: run `make servers` (apt-get install postgresql).")
    return Path(found[-1]).parent


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; the Debian package provides a postgres user to run it as.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    bin_dir, data, port = _postgres_bin(), folder / "pgdata", free_port()
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                 "--no-sync", "-E", "UTF8"]), **quiet)  # type: ignore[arg-type]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                                 "-o", options, "start"]), **quiet)  # type: ignore[arg-type]
    try:
        subprocess.run(_as_postgres([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                                     "postgres", "open360_test"]), **quiet)  # type: ignore[arg-type]
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/open360_test"
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, check=False)


class RedisServer:
    """A throwaway Redis that a fault test can stop and start again, empty, on the same port (tests/stack)."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            sys.exit("Redis is not installed: run `make servers` (apt-get install redis-server).")
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                         "--dir", str(folder)]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(self._command, stdout=subprocess.DEVNULL)
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@contextlib.contextmanager
def redis_server(folder: Path, server: RedisServer | None = None) -> Iterator[str]:
    server = server or RedisServer(folder)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


def main(command: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="open360-servers-") as tmp:
        os.chmod(tmp, 0o711)  # the postgres user must be able to reach its data folder inside
        with postgres_server(Path(tmp) / "postgres") as database_url, redis_server(Path(tmp) / "redis") as redis_url:
            env = os.environ | {"TEST_DATABASE_URL": database_url, "TEST_REDIS_URL": redis_url}
            print(f"Production stack for the tests: {database_url} · {redis_url} · SMTP via aiosmtpd", flush=True)
            return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
