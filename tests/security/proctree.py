"""Processes as /proc shows them: a process tree, each process's environment and command
line (what another process of the same Unix user, or root, can read), and whether a TCP
port on loopback is free again."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cmdline: bytes
    environ: bytes

    @property
    def command(self) -> str:
        return self.cmdline.replace(b"\0", b" ").decode(errors="replace").strip()

    def holds(self, secret: str) -> str | None:
        """Where ``secret`` appears in this process ('environ', 'cmdline') or None."""
        value = secret.encode()
        if value in self.environ:
            return "environ"
        if value in self.cmdline:
            return "cmdline"
        return None


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _ppid(int(entry))
            if ppid is not None:
                out.setdefault(ppid, []).append(int(entry))
    return out


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (whatever session or group they moved to)."""
    tree = children_map()
    found, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def read(pid: int) -> Proc | None:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    ppid = _ppid(pid)
    if ppid is None or not cmdline:  # gone, or a zombie
        return None
    return Proc(pid, ppid, cmdline, environ)


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing listens on ``host:port`` and it can be bound again."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return False
    except OSError:
        pass
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def listening_ports(pids: list[int]) -> set[int]:
    """TCP ports (IPv4 and IPv6) on which any of ``pids`` has a listening socket."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
