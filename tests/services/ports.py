"""Free TCP ports on loopback and waiting for a server to listen."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path


_GIVEN: set[int] = set()
_RANDOM = random.SystemRandom()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port nothing listens on, handed out once per test process.

    Ports come from below the kernel's ephemeral range, so no server a test starts
    (a hub's own services, a proxy, a single-user server, Slurm) can be given the same
    number by ``bind(0)`` or an outgoing connection before the test's server binds it.
    Taking ``bind(0)``'s answer instead once gave a hub's proxy an API port that another
    server held (CI, tests/suggest/test_api.py: the hub's ``/api/routes`` got 404 and it
    exited). Each number is handed out once, so two calls never give the same port.
    """
    high = min(_ephemeral_low(), 65536)
    low = max(1024, high - 16384)
    for _ in range(1000):
        port = _RANDOM.randrange(low, high)
        if port in _GIVEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {low}-{high - 1} after 1000 tries")


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0, process=None) -> None:
    """Wait until something listens on ``host:port``; fail early if ``process`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")
