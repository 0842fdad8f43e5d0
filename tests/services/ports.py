"""Free TCP ports on loopback (the hub's own rule, ``beamhub.config.ports``) and waiting
for a server to listen."""

from __future__ import annotations

import socket
import time

from beamhub.config.ports import free_port  # noqa: F401  (the tests' ports: one rule with the hub's)


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
