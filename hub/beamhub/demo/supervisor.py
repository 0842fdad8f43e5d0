"""Keeps the demo's processes together: they end with ``beamhub demo`` however it ends.

``python -m beamhub.demo.supervisor FD -- COMMAND...`` runs COMMAND (JupyterHub) and
stays beside it. JupyterHub starts its proxy, services and servers each in a session
of its own, so neither a signal to its process group nor its own death reaches them.
The supervisor therefore makes itself their *subreaper* (``PR_SET_CHILD_SUBREAPER``):
whatever is orphaned below it (the proxy of a hub that crashed, a server whose hub was
killed) becomes its child instead of init's, and it can always find and end them.

It stops everything when

- ``beamhub demo`` goes away: FD is the read end of a pipe whose only write end that
  process holds, so the pipe reads end-of-file however it ended, SIGKILL included;
- it is asked to (SIGTERM, SIGINT or SIGHUP), which ``beamhub demo`` does when it is
  stopped or interrupted;
- JupyterHub ends by itself (a failed start, a crash): nothing it started may keep a port.

Should the supervisor itself be killed, JupyterHub gets SIGTERM (``PR_SET_PDEATHSIG``)
and stops what it started as it always does.

Stopping: SIGTERM to JupyterHub, which stops its services, servers and proxy (about
3 s); after ``GRACE`` seconds, SIGTERM to whatever else is left below the supervisor,
and SIGKILL to everything still there ``TERM_WAIT`` seconds later. The supervisor
exits with JupyterHub's status (128 + signal if it was killed), or 0 when it was told
to stop.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
GRACE = 3.0
"""Seconds JupyterHub gets to stop what it started before the rest is ended for it."""
TERM_WAIT = 1.0


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl({option}, {value}): {os.strerror(errno)}")


def set_child_subreaper() -> None:
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def _term_with_parent() -> None:
    """In the hub's process before exec: SIGTERM (its clean shutdown) if the supervisor
    itself is ever killed."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def descendants(root: int) -> list[int]:
    """Live (not zombie) processes below ``root``."""
    children: dict[int, list[int]] = {}
    states: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                states[int(entry)] = stat[0]
                children.setdefault(stat[1], []).append(int(entry))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        if states.get(pid) not in ("Z", "X"):
            found.append(pid)
    return found


def reap() -> None:
    """Collect the exit status of ended children (orphans handed to us included)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:100]
    except OSError:
        return "?"


def end_everything(hub: subprocess.Popen, grace: float = GRACE) -> None:
    start = time.monotonic()
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    for sig, wait in ((signal.SIGTERM, TERM_WAIT), (signal.SIGKILL, TERM_WAIT)):
        left = descendants(os.getpid())
        if not left:
            break
        print(f"beamhub demo: {signal.Signals(sig).name} after {time.monotonic() - start:.1f} s to what is "
              f"left: " + "; ".join(f"{pid} {_command(pid)}" for pid in left), file=sys.stderr, flush=True)
        for pid in left:
            if sig == signal.SIGTERM and pid == hub.pid:
                continue  # already stopping; a second SIGTERM would restart its clean-up
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and descendants(os.getpid()):
            reap()
            time.sleep(0.05)
    hub.poll()
    reap()


def supervise(watch_fd: int, command: list[str]) -> int:
    set_child_subreaper()
    stop_requested: list[int] = []

    def request_stop(signum, frame):
        stop_requested.append(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, request_stop)
    hub = subprocess.Popen(command, preexec_fn=_term_with_parent)
    status = None
    while not stop_requested:
        status = hub.poll()
        if status is not None:
            break
        ready, _, _ = select.select([watch_fd], [], [], 0.5)
        if ready and not os.read(watch_fd, 64):
            break  # beamhub demo is gone
    end_everything(hub)
    if status is None:
        return 0
    return 128 - status if status < 0 else status


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m beamhub.demo.supervisor FD -- COMMAND...", file=sys.stderr)
        return 2
    return supervise(int(argv[0]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
