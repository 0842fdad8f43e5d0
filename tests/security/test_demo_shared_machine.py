"""``beamhub demo`` on a machine shared with other demos and hubs.

- Two demos at once, with different state directories and public ports, both start and
  serve, and each user's server keeps its home in its own demo's state directory.
- A demo whose start fails (its public port taken; its JupyterHub dying after the proxy
  came up) ends and leaves nothing running nor holding a port.
- However the ``beamhub demo`` process ends (SIGTERM, SIGINT, SIGHUP, or SIGKILL, which
  it cannot catch), JupyterHub, the proxy, the catalogue service, the idle culler and
  the users' servers end with it within a few seconds, and every port they held is free.

Leftovers are found two ways: the processes seen below the demo while it ran, and any
process whose working directory lies in the demo's state directory (JupyterHub, the
proxy and the services run there; servers in their homes under it).
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
import requests

from tests.demo.test_demo_hub import REPO, Demo as _Demo, login
from tests.services.ports import free_port

from . import proctree

pytestmark = pytest.mark.hub

GONE_WITHIN = 10
"""Seconds for every child to end after the demo does ("a few seconds"; generous for a loaded machine)."""


class Demo(_Demo):
    """``beamhub demo`` as tests/demo starts it, from the source tree, the extension's
    server half (which servers load) included."""

    def __init__(self, state_dir: Path, port: int):
        import subprocess
        import sys

        self.state_dir, self.port = state_dir, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = state_dir.parent / f"demo-{time.monotonic_ns()}.log"
        pythonpath = os.pathsep.join([str(REPO / "hub"), str(REPO / "extensions" / "jupyterlab-beamhub")])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "beamhub", "demo", "--state-dir", str(state_dir), "--port", str(port)],
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": pythonpath})


def under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def in_state_dir(state: Path) -> list[int]:
    """Live processes working inside ``state``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cwd = Path(os.readlink(f"/proc/{entry}/cwd"))
            except OSError:
                continue
            if under(cwd, state) and proctree.alive(int(entry)):
                found.append(int(entry))
    return found


def snapshot(demo: Demo) -> tuple[set[int], set[int]]:
    """The demo's descendants and the TCP ports they listen on."""
    pids = set(proctree.descendants(demo.process.pid))
    return pids, proctree.listening_ports(sorted(pids))


def assert_all_gone(pids: set[int], ports: set[int], state: Path, within: float = GONE_WITHIN) -> float:
    """Waits until none of ``pids`` runs, no process works in ``state`` and every port is
    free; returns how long it took."""
    start = time.monotonic()
    while True:
        left = sorted(p for p in pids if proctree.alive(p)) + [p for p in in_state_dir(state) if p not in pids]
        held = sorted(p for p in ports if not proctree.port_free(p))
        if not left and not held:
            return time.monotonic() - start
        if time.monotonic() - start > within:
            described = [(p, (proctree.read(p) or proctree.Proc(p, 0, b"?", b"")).command[:100]) for p in left]
            for pid in left:  # do not leave them to the next test
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            raise AssertionError(f"after {within} s still running: {described}; ports held: {held}")
        time.sleep(0.2)


def sweep(state: Path, pids: set[int] = frozenset()) -> None:
    """SIGKILL whatever a failed test left: ``pids`` and anything working in ``state``
    (so that one failure does not hold ports the next test needs)."""
    for pid in set(pids) | set(in_state_dir(state)):
        if proctree.alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def spawn(demo: Demo, user: str = "alice") -> proctree.Proc:
    """Log ``user`` in as a browser would, start their server through the hub's API, and
    return its process."""
    session = login(demo.url, user, demo.passwords()[user])
    xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/") or session.cookies.get("_xsrf", "")}
    made = session.post(f"{demo.url}/hub/api/users/{user}/tokens", json={"note": "test"}, headers=xsrf, timeout=30)
    assert made.status_code == 201, made.text
    headers = {"Authorization": f"token {made.json()['token']}"}
    started = requests.post(f"{demo.url}/hub/api/users/{user}/server", json={}, headers=headers, timeout=60)
    assert started.status_code in (201, 202), started.text
    with requests.get(f"{demo.url}/hub/api/users/{user}/server/progress", headers=headers, stream=True,
                      timeout=180) as events:
        last = [line for line in events.iter_lines(decode_unicode=True) if line.startswith("data:")][-1]
    assert '"ready": true' in last, f"{last}\n{demo.output()[-3000:]}"
    servers = [proctree.read(p) for p in proctree.descendants(demo.process.pid)]
    found = [p for p in servers if p and "jupyterhub-singleuser" in p.command]
    assert found, [p.command for p in servers if p]
    return found[0]


def environ(proc: proctree.Proc) -> dict[str, str]:
    pairs = (item.decode().partition("=") for item in proc.environ.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def stop(demo: Demo) -> None:
    """Ctrl-C, as a user stops it; then nothing of it may be left (whatever is, is killed)."""
    pids: set[int] = set()
    try:
        if demo.process.poll() is None:
            pids, ports = snapshot(demo)
            demo.process.send_signal(signal.SIGINT)
            try:
                demo.process.wait(60)
            except Exception:
                demo.process.kill()
            assert_all_gone(pids, ports, demo.state_dir, within=60)
    finally:
        sweep(demo.state_dir, pids)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A state directory holding the demo data and catalogue, copied by each test."""
    state = tmp_path_factory.mktemp("demo-shared") / "template"
    demo = Demo(state, free_port())
    try:
        demo.wait_login_page()
    finally:
        stop(demo)
    return state


def fresh_state(prepared: Path, tmp_path: Path, name: str) -> Path:
    import shutil

    state = tmp_path / name
    shutil.copytree(prepared, state, ignore=shutil.ignore_patterns("jupyterhub*", "homes", "*.pid"))
    return state


def test_two_demos_at_once_both_serve_with_their_own_homes(prepared, tmp_path):
    first = Demo(fresh_state(prepared, tmp_path, "first"), free_port())
    second = Demo(fresh_state(prepared, tmp_path, "second"), free_port())
    try:
        for demo in (first, second):
            demo.wait_login_page()
            health = requests.get(demo.url + "/services/catalogue/api/v1/health", timeout=30)
            assert health.status_code == 200, demo.output()[-3000:]
        for demo in (first, second):
            server = spawn(demo)
            home = Path(environ(server)["HOME"])
            cwd = Path(os.readlink(f"/proc/{server.pid}/cwd"))
            assert under(home, demo.state_dir) and under(cwd, demo.state_dir), (home, cwd, demo.state_dir)
            assert home.name == "alice" and home.is_dir()
    finally:
        try:
            stop(first)
        finally:
            stop(second)


def test_a_start_on_a_taken_port_says_so_and_leaves_nothing(prepared, tmp_path):
    state = fresh_state(prepared, tmp_path, "taken")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        demo = Demo(state, port)
        seen: set[int] = set()
        try:
            deadline = time.monotonic() + 120
            while demo.process.poll() is None and time.monotonic() < deadline:
                seen |= set(proctree.descendants(demo.process.pid))
                time.sleep(0.1)
            assert demo.process.poll() not in (None, 0), demo.output()[-3000:]
            assert str(port) in demo.output() and "in use" in demo.output(), demo.output()[-3000:]
            assert_all_gone(seen, set(), state)
        finally:
            stop(demo)
            sweep(state, seen)


def test_a_hub_that_dies_during_the_start_takes_everything_with_it(prepared, tmp_path):
    state = fresh_state(prepared, tmp_path, "dies")
    demo = Demo(state, free_port())
    pids: set[int] = set()
    try:
        demo.wait_login_page()
        pids, ports = snapshot(demo)
        procs = [proctree.read(p) for p in pids]
        [hub] = [p.pid for p in procs
                 if p and p.command.endswith("jupyterhub_config.py") and "beamhub.demo.supervisor" not in p.command]
        os.kill(hub, signal.SIGKILL)  # as a crash would
        demo.process.wait(GONE_WITHIN * 3)
        assert demo.process.returncode != 0
        took = assert_all_gone(pids, ports | {demo.port}, state)
        print(f"hub killed: everything gone {took:.1f} s after the demo ended")
    finally:
        stop(demo)
        sweep(state, pids)


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"])
def test_every_child_ends_with_the_demo(prepared, tmp_path, signal_name):
    state = fresh_state(prepared, tmp_path, signal_name.lower())
    demo = Demo(state, free_port())
    pids: set[int] = set()
    try:
        demo.wait_login_page()
        spawn(demo)
        pids, ports = snapshot(demo)
        assert len(pids) >= 5 and demo.port in ports, (pids, ports)
        sent = time.monotonic()
        demo.process.send_signal(getattr(signal, signal_name))
        took = assert_all_gone(pids | {demo.process.pid}, ports, state)
        print(f"{signal_name}: {len(pids)} processes and ports {sorted(ports)} gone after "
              f"{time.monotonic() - sent:.1f} s ({took:.1f} s of waiting)")
    finally:
        if demo.process.poll() is None:
            demo.process.kill()
        demo.process.wait(30)
        sweep(state, pids)
