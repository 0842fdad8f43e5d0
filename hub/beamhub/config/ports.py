"""Free loopback ports for the servers the hub starts (its API, its proxy's API, the
catalogue service) when a site does not name them."""

from __future__ import annotations

import socket

_GIVEN: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on, never the same one twice in this process.

    The kernel may answer two ``bind(0)`` calls in a row with the same number once the
    first socket is closed; a hub whose proxy API port equals another of its ports then
    talks to the wrong server and exits.
    """
    for _ in range(1000):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port
    raise RuntimeError("no loopback port that was not handed out before, after 1000 tries")
