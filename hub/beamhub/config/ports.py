"""Free loopback ports for the servers the hub starts (its API, its proxy's API, the
catalogue service) when a site does not name them; the tests take theirs here too."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_GIVEN: set[int] = set()
_RANDOM = random.SystemRandom()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port nothing listens on, never the same one twice in this process.

    Ports come from the 16,384 below the kernel's ephemeral range, so no server started
    meanwhile (the hub's own services, its proxy, a single-user server, Slurm) can be
    given the same number by ``bind(0)`` or an outgoing connection before ours binds it.
    Taking ``bind(0)``'s answer instead once gave a hub's proxy an API port another server
    held (the kernel hands a number out again once its socket is closed): the hub's
    ``/api/routes`` got 404 and it exited.
    """
    high = min(_ephemeral_low(), 65536)
    low = max(1024, high - 16384)
    for _ in range(1000):
        if high - low < 256:  # an ephemeral range from (nearly) the first ports: bind(0)'s answer
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        else:
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
