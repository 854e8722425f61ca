"""Real `flask worker` and `flask clock` processes for fault tests, sharing a database, a Redis and an SMTP server
with the test, and killed the hard way (SIGKILL to the whole process group: worker, job child and scheduler)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Processes:
    def __init__(self, logs: Path, database_url: str, redis_url: str, smtp_port: int) -> None:
        self.logs = logs
        self.env = os.environ | {
            "OPEN360_ENV": "test",
            "TEST_DATABASE_URL": database_url,
            "TEST_REDIS_URL": redis_url,
            "TEST_QUEUE_MODE": "redis",  # a real queue between processes, as in production
            "TEST_SMTP_PORT": str(smtp_port),
            "REPORT_FILES_DIR": str(logs.parent / "report-files"),  # the test's own app uses the same folder
        }
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, command: str, argv: list[str] | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """`command` is a flask command ("worker", "clock"), run with the test settings; or, with `argv` and `env`,
        any program with exactly that environment (the production settings)."""
        log = open(self.logs / f"{command}-{len(self.running)}.log", "wb")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(argv or [sys.executable, "-m", "flask", "--app", "app", command], cwd=ROOT,
                                   env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()  # the child holds its own copy
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the process and everything it started, as a crash or a container's death would: no clean-up,
        a job cut off wherever it was. Not just the process group: RQ moves each job's child into a group of its
        own (so a warm shutdown can let it finish), and killing only the worker would leave the job running."""
        for pid in [*descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                self.kill(process)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                         for path in sorted(self.logs.glob("*.log")))


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc before anything is killed (orphans lose their parent link)."""
    children: dict[int, list[int]] = {}
    # Listed by name, then read: a process that ends in between is skipped (a glob of "*/stat" stats each path
    # while it lists them and raises when one has gone).
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str, logs: Processes | None = None) -> float:
    """Poll until `condition` holds; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}\n"
                                 + (logs.log_tail() if logs else ""))
        time.sleep(0.02)
    return time.monotonic() - started
