"""What the spawner tests share: the test catalogue and data, a hub running beamhub's
site configuration (catalogue service included), spawning through the REST API with
its progress stream, and running code inside a user's server through a kernel.

The catalogue (a SQLite store, read by the real catalogue service):

========  =========================  ======================================
proposal  members (hub group)        dataPath
========  =========================  ======================================
P1        alice (p1)                 <data root>/P1      (two files)
P2        bob (p2)                   <data root>/P2
P3        alice (p3)                 /etc  (outside the data root)
========  =========================  ======================================
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path

import requests
import yaml

from tests.services.jupyterhub import Hub

REPO = Path(__file__).resolve().parents[2]
API = "/services/catalogue/api/v1"
USERS = {"alice": ["p1", "p3"], "bob": ["p2"], "carol": []}
PASSWORD = "spawner-test-{name}"


def make_data(root: Path) -> Path:
    """The experiment data: world-readable (the isolation under test is what is mounted)."""
    if root.exists():
        shutil.rmtree(root)
    for proposal, files in (("P1", {"scan_0001.h5": "frames", "README.txt": "lysozyme"}), ("P2", {"secret.h5": "b"})):
        folder = root / proposal
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o755)
    return root


def make_catalogue(store_path: Path, data_root: Path) -> str:
    from beamhub.catalogue import Identity, Proposal, open_store

    url = f"sqlite:///{store_path}"
    with open_store(url) as store:
        store.upsert_proposals(Identity.for_operator("spawner-tests"), [
            Proposal(proposalId="P1", title="Lysozyme soaks", ownerGroup="p1", members=["alice"], beamline="i03",
                     dataPath=str(data_root / "P1")),
            Proposal(proposalId="P2", title="Bob's membranes", ownerGroup="p2", members=["bob"], beamline="i22",
                     dataPath=str(data_root / "P2")),
            Proposal(proposalId="P3", title="Misfiled", ownerGroup="p3", members=["alice"], beamline="i03",
                     dataPath="/etc"),
        ])
    return url


CHECK_MOUNTS = """
import json, os
result = {"data": sorted(os.listdir("/data")), "p1": sorted(os.listdir("/data/P1")),
          "p2_exists": os.path.exists("/data/P2"), "home": os.environ["HOME"], "cwd": os.getcwd(),
          "beamhub_data": json.loads(os.environ["BEAMHUB_DATA"]), "user": __import__("getpass").getuser(),
          "path_map": os.environ["BEAMHUB_DATA_PATH_MAP"],
          "link": os.readlink(os.path.expanduser("~/data/P1")),
          "via_link": sorted(os.listdir(os.path.expanduser("~/data/P1")))}
try:
    open("/data/P1/new-file", "w").close()
    result["p1_write"] = "allowed"
except OSError as exc:
    result["p1_write"] = exc.strerror
check = os.path.join(os.environ["HOME"], ".beamhub-mount-check")
with open(check, "w") as f:
    f.write("home is writable")
os.remove(check)
print(json.dumps(result))
"""
"""Run inside a server: what a user sees of /data, and whether they can write there."""


def assert_only_p1_read_only(seen: dict, user: str = "alice", home: str = "/home/alice") -> None:
    assert seen["data"] == ["P1"]
    assert seen["p1"] == ["README.txt", "scan_0001.h5"]
    assert seen["p1_write"] == "Read-only file system"
    assert seen["p2_exists"] is False
    assert seen["home"] == home and seen["cwd"] == home
    assert seen["beamhub_data"] == {"P1": "/data/P1"}
    assert seen["path_map"].endswith("/P1=/data/P1")
    # the file browser, which sees only the home, reaches the data through ~/data/P1
    assert seen["link"] == "/data/P1" and seen["via_link"] == seen["p1"]
    assert seen["user"] == user


READ_ENVIRONMENT = """
import json, os, urllib.request
request = urllib.request.Request(os.environ["BEAMHUB_CATALOGUE_URL"] + "/me",
                                 headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]})
me = json.load(urllib.request.urlopen(request, timeout=20))
print(json.dumps({"environ": dict(os.environ), "me": me, "uid": os.getuid()}))
"""
"""Run inside a server: its environment, and the catalogue's answer to its own token."""


class SpawnerHub:
    """A hub from beamhub's site configuration (``configure_hub``) with the given spawner
    section; the catalogue service runs as a hub service. Whether servers survive a hub
    restart is the site configuration's to say (``hub.keep_servers_on_restart``), as in
    production: the harness's own default stops them."""

    def __init__(self, workdir: Path, store_url: str, spawner: dict, *, env: dict | None = None,
                 extra_config: str = "", users: dict[str, list[str]] = USERS):
        workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(workdir, 0o755)
        self.users = users
        state = workdir / "state"
        config = ("from beamhub.config import configure_hub, load_site_config\n"
                  f"configure_hub(c, load_site_config({str(workdir / 'site.yaml')!r}))\n"
                  "c.Spawner.poll_interval = 2\n"
                  # the REST API answers at once, so tests follow the whole progress stream
                  "c.JupyterHub.tornado_settings = {'slow_spawn_timeout': 0}\n" + extra_config)
        self.hub = Hub(config, workdir=workdir / "hub",
                       env={"PYTHONPATH": f"{REPO / 'hub'}{os.pathsep}{REPO}", **(env or {})})
        site = {
            "hub": {"state_dir": str(state)},
            "auth": {"kind": "demo", "users": {name: {"password": PASSWORD.format(name=name), "groups": groups}
                                               for name, groups in users.items()}},
            "catalogue": {"store": store_url, "url_for_servers": self.hub.url + API},
            "jobs": {"runner": "local", "work_root": str(workdir / "jobs")},
            "culler": {"enabled": False},
            "spawner": spawner,  # beamhub.spawner.SpawnerSettings
        }
        (workdir / "site.yaml").write_text(yaml.safe_dump(site))
        self._tokens: dict[str, str] = {}

    def start(self) -> "SpawnerHub":
        self.hub.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.hub.url + API + "/health", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.hub.stop()
        raise RuntimeError(f"the catalogue service did not answer\n{self.hub.log_tail()}")

    def close(self) -> None:
        for user in self.users:
            self.hub.api("DELETE", f"/users/{user}/server")
        self.hub.close()

    def restart(self) -> None:
        """Stop the hub process and start it again (servers stay up where the site keeps them)."""
        self.hub.stop()
        self.start()

    # -- users and servers ------------------------------------------------------------
    def token(self, user: str) -> str:
        if user not in self._tokens:
            self._tokens[user] = self.hub.user_token(user, note="spawner test")
        return self._tokens[user]

    def login(self, user: str) -> requests.Session:
        return self.hub.login(user, PASSWORD.format(name=user))

    def spawn(self, user: str, options: dict) -> requests.Response:
        return self.hub.api("POST", f"/users/{user}/server", json=options)

    def progress(self, user: str, timeout: float = 180, until=None) -> list[dict]:
        """The spawn's progress events until it is ready or has failed (or ``until(event)``)."""
        return self.hub.progress(user, self.token(user), timeout, until)

    def spawn_refusal(self, user: str, options: dict) -> str:
        """Ask for a server that must be refused; what the user is told."""
        response = self.spawn(user, options)
        if response.status_code >= 400:
            return response.json()["message"]
        try:
            failed = self.progress(user)[-1]
            assert failed.get("failed"), failed
            return failed["message"]
        except requests.HTTPError:
            # The spawn failed before the progress stream was asked for, and the hub has
            # already cleaned up: the reason is in its log.
            found = re.findall(rf"Error starting {user}'s server: (.*)", self.hub.log_tail(400))
            assert found, self.hub.log_tail(60)
            return found[-1]
        finally:
            self.wait_stopped(user)

    def server(self, user: str) -> dict:
        return self.hub.server(user)

    def wait_stopped(self, user: str, timeout: float = 60) -> None:
        self.hub.wait_stopped(user, timeout)

    def stop(self, user: str) -> None:
        self.hub.api("DELETE", f"/users/{user}/server")
        self.wait_stopped(user)

    def spawn_form(self, session: requests.Session, user: str, fields: dict) -> requests.Response:
        """Submit the spawn form as a browser would (with the _xsrf token)."""
        page = session.get(f"{self.hub.url}/hub/spawn/{user}", timeout=60)
        page.raise_for_status()
        xsrf = session.cookies.get("_xsrf") or ""
        return session.post(f"{self.hub.url}/hub/spawn/{user}", data={**fields, "_xsrf": xsrf}, timeout=60,
                            allow_redirects=False)

    def server_api(self, user: str, path: str, method: str = "GET", **kwargs) -> requests.Response:
        """A request to the user's own server through the proxy, with the user's token."""
        return requests.request(method, f"{self.hub.url}/user/{user}/api{path}", timeout=30,
                                headers={"Authorization": f"token {self.token(user)}"}, **kwargs)

    def run(self, user: str, code: str, timeout: float = 60) -> str:
        """Run Python ``code`` in a kernel of the user's server; its standard output."""
        return run_in_kernel(f"{self.hub.url}/user/{user}", self.token(user), code, timeout)


def run_in_kernel(server_url: str, token: str, code: str, timeout: float = 60) -> str:
    """Start a kernel on a Jupyter server, run ``code``, return its stdout (errors raise)."""
    import websocket

    headers = {"Authorization": f"token {token}"}
    kernel = requests.post(f"{server_url}/api/kernels", json={"name": "python3"}, headers=headers, timeout=60)
    kernel.raise_for_status()
    kernel_id = kernel.json()["id"]
    ws_url = server_url.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    try:
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        output, error = [], None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                error = "\n".join(message["content"]["traceback"])
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                break
        ws.close()
    finally:
        requests.delete(f"{server_url}/api/kernels/{kernel_id}", headers=headers, timeout=30)
    if error:
        raise RuntimeError("the code failed in the kernel:\n" + re.sub(r"\x1b\[[0-9;]*m", "", error))
    return "".join(output)
