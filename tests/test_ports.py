"""The ports the hub (and the tests) pick for servers a site does not give one."""

from __future__ import annotations

import socket

from beamhub.config.ports import _ephemeral_low, free_port


def test_ports_are_free_never_repeat_and_stay_below_the_ephemeral_range():
    low = _ephemeral_low()
    held = []
    try:
        ports = []
        for _ in range(200):
            port = free_port()
            ports.append(port)
            sock = socket.socket()  # free: it binds, and stays bound so the next pick cannot be it
            sock.bind(("127.0.0.1", port))
            held.append(sock)
        assert len(set(ports)) == len(ports)
        # bind(0) hands out numbers from the ephemeral range, where a server started meanwhile
        # (or an outgoing connection) can be given ours: the pick stays below it
        assert all(max(1024, low - 16384) <= p < low for p in ports), ports
    finally:
        for sock in held:
            sock.close()


def test_a_port_is_handed_out_once_even_when_free_again():
    first = free_port()
    again = {free_port() for _ in range(500)}
    assert first not in again


def test_an_ephemeral_range_from_the_first_ports_still_gives_free_ports(monkeypatch):
    from beamhub.config import ports

    monkeypatch.setattr(ports, "_ephemeral_low", lambda: 1024)  # nothing below it to pick from
    picked = {ports.free_port() for _ in range(20)}
    assert len(picked) == 20
    for port in picked:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
