"""``beamhub demo``: from an empty state directory to a login page, Ctrl-C, and again.

The command runs as a user would run it (a subprocess, on a free port, in a fresh
state directory). It must print the URL and the demo users' passwords, serve the
hub's login page (with the site's name and what to do, as the spawn page), let a printed user log in and reach the catalogue, stop cleanly on
Ctrl-C (SIGINT), and on a second start reuse the data, the catalogue and the
passwords.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.services.ports import free_port

pytestmark = pytest.mark.hub

REPO = Path(__file__).resolve().parents[2]


class Demo:
    def __init__(self, state_dir: Path, port: int):
        self.state_dir, self.port = state_dir, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = state_dir.parent / f"demo-{time.monotonic_ns()}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO / "hub")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "beamhub", "demo", "--state-dir", str(state_dir), "--port", str(port)],
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, env=env)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_login_page(self, timeout: float = 120) -> requests.Response:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"beamhub demo exited:\n{self.output()}"
            try:
                page = requests.get(self.url + "/hub/login", timeout=5)
                if page.status_code == 200:
                    return page
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"no login page within {timeout} s:\n{self.output()}")

    def passwords(self) -> dict[str, str]:
        return dict(re.findall(r"^\s+(alice|bob|carol|dave|erin|frank)\s+(\S+)\s", self.output(), re.MULTILINE))

    def interrupt(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)


def login(url: str, user: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(url + "/hub/login", timeout=30)
    answer = session.post(url + "/hub/login", data={"username": user, "password": password,
                                                    "_xsrf": session.cookies.get("_xsrf", "")},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_demo_starts_serves_the_login_page_stops_and_restarts(tmp_path):
    state = tmp_path / "state"
    demo = Demo(state, free_port())
    try:
        page = demo.wait_login_page()
        assert 'name="username"' in page.text and 'name="password"' in page.text
        # the first impression: the site's name and what to do
        assert "<title>beamhub demo: sign in</title>" in page.text
        assert 'id="beamhub-login-hint">Sign in as one of the demo users printed where you started' in page.text
        output = demo.output()
        assert demo.url in output and "no isolation between users" in output
        passwords = demo.passwords()
        assert set(passwords) >= {"alice", "bob", "carol"}
        session = login(demo.url, "alice", passwords["alice"])
        spawn = session.get(demo.url + "/hub/spawn", timeout=60)
        assert spawn.status_code == 200 and "<h1>beamhub demo: start your server</h1>" in spawn.text
        assert 'id="beamhub-spawn-hint">Tick the proposals whose data you want' in spawn.text
        assert "as a read-only link <code>~/data/&lt;proposal&gt;</code> in your home" in spawn.text
        assert 'value="p1001"' in spawn.text and 'value="p1002"' in spawn.text
        # Logged in through the browser flow, alice reaches the catalogue (the service's own OAuth).
        me = session.get(demo.url + "/services/catalogue/", timeout=60)
        assert me.status_code == 200 and "Signed in as alice" in me.text
        listing = session.get(demo.url + "/services/catalogue/api/v1/datasets", timeout=60).json()
        assert {d["proposalId"] for d in listing["items"]} == {"p1001", "p1002"}
        # A write with the browser's cookie needs the XSRF token the service page set.
        vote = demo.url + "/services/catalogue/api/v1/datasets/" + quote(listing["items"][0]["pid"], safe="") + "/vote"
        forged = session.put(vote, json={"value": "like"}, timeout=60)
        assert forged.status_code == 401 and forged.json()["code"] == "unauthorized"
        xsrf = session.cookies.get("_xsrf", path="/services/catalogue/")
        voted = session.put(vote, json={"value": "like"}, headers={"X-XSRFToken": xsrf}, timeout=60)
        assert voted.status_code == 200 and voted.json()["myVote"] == "like"
        wrong = requests.Session()
        wrong.get(demo.url + "/hub/login", timeout=30)
        refused = wrong.post(demo.url + "/hub/login", data={"username": "alice", "password": "wrong",
                                                            "_xsrf": wrong.cookies.get("_xsrf", "")},
                             allow_redirects=False, timeout=30)
        assert refused.status_code == 403
    finally:
        status = demo.interrupt()
    assert status == 0, demo.output()
    with pytest.raises(requests.ConnectionError):
        requests.get(demo.url + "/hub/login", timeout=5)
    assert not (state / "jupyterhub.pid").exists()

    data_file = next((state / "data").rglob("*.nxs"))
    written = data_file.stat().st_mtime_ns
    again = Demo(state, free_port())
    try:
        again.wait_login_page()
        assert again.passwords() == passwords
        assert data_file.stat().st_mtime_ns == written      # the data was not written again
        login(again.url, "bob", passwords["bob"])
    finally:
        assert again.interrupt() == 0
