"""The catalogue service's processes under a test hub: its supervisor and workers.

JupyterHub starts ``python -m beamhub catalogue-service`` in its own session; with
``workers`` > 1 that process forks the workers. Found through /proc (real processes,
as an operator would with ps)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def service_process(hub_pid: int) -> int:
    """The service's main process (the supervisor, or the only process)."""
    for pid in children(hub_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"catalogue-service" in cmdline:
            return pid
    raise LookupError("no catalogue service process under the hub")


def workers(hub_pid: int) -> list[int]:
    """The worker processes (children of the supervisor running the service)."""
    main = service_process(hub_pid)
    return [pid for pid in children(main) if b"catalogue-service" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (LookupError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"waited {timeout} s for {what}")


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    os.kill(pid, sig)
