"""Secrets go only to the process that needs them.

A hub is started from beamhub's site configuration as production would run it: an OIDC
authenticator whose client secret is in a file, an SQLite catalogue, local jobs, the
demo spawner and the idle culler, and a hub-only secret in the hub's own environment
(``JUPYTERHUB_CRYPT_KEY``, as an operator's systemd unit would give it). alice's server
is spawned, a kernel runs in it and a fog-filter job runs for her. Meanwhile every
process the hub started (the whole tree below it, whatever session each moved to) is
read from /proc, and each secret may appear in the environment or command line only
of the process it belongs to:

===========================  =================================================
secret                       only in
===========================  =================================================
the proxy's auth token       configurable-http-proxy
the catalogue's hub token    the catalogue service (its supervisor and its workers)
the store URL                the catalogue service (its supervisor and its workers)
the culler's hub token       the idle culler
alice's server token         alice's server and its kernels
the hub's client token       nobody (the hub keeps it in its configuration)
the cookie secret            nobody
the OIDC client secret       nobody
the hub's crypt key          nobody
===========================  =================================================
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.api.conftest import demo_data, service_store_url  # noqa: F401  (fixtures)
from tests.services.jupyterhub import Hub
from tests.spawner.support import run_in_kernel

from . import proctree

pytestmark = pytest.mark.hub

REPO = Path(__file__).resolve().parents[2]
API = "/services/catalogue/api/v1"
EXTENSION = REPO / "extensions" / "jupyterlab-beamhub"
"""The extension's server half from the source tree (servers load it)."""


class Watcher:
    """Reads every process below the hub from /proc, every 0.1 s, until stopped."""

    def __init__(self, root: int):
        self.root = root
        self.seen: dict[tuple[int, bytes], proctree.Proc] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.scan()
            self._stop.wait(0.1)

    def scan(self) -> None:
        for pid in proctree.descendants(self.root):
            proc = proctree.read(pid)
            if proc is not None:
                self.seen.setdefault((proc.pid, proc.cmdline), proc)

    def __enter__(self) -> "Watcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.scan()

    def procs(self) -> list[proctree.Proc]:
        return list(self.seen.values())

    def one(self, marker: str) -> proctree.Proc:
        found = [p for p in self.procs() if marker in p.command]
        assert found, f"no process with {marker!r} was seen: {[p.command for p in self.procs()]}"
        return found[0]


def environ_value(proc: proctree.Proc, name: str) -> str:
    for item in proc.environ.split(b"\0"):
        key, _, value = item.partition(b"=")
        if key.decode() == name:
            return value.decode()
    raise AssertionError(f"{name} not in the environment of {proc.command}")


@pytest.fixture(scope="module")
def oidc_hub(tmp_path_factory, service_store_url):  # noqa: F811
    workdir = tmp_path_factory.mktemp("secrets-hub")
    os.chmod(workdir, 0o755)
    client_secret = "oidc-client-secret-" + secrets.token_hex(12)
    (workdir / "client-secret").write_text(client_secret)
    crypt_key = secrets.token_hex(32)
    site = {
        "hub": {"state_dir": str(workdir / "state")},
        "auth": {"kind": "oidc", "client_id": "beamhub", "client_secret_file": str(workdir / "client-secret"),
                 "authorize_url": "http://127.0.0.1:9/auth", "token_url": "http://127.0.0.1:9/token",
                 "userdata_url": "http://127.0.0.1:9/userinfo", "allowed_users": ["alice"]},
        "catalogue": {"store": service_store_url},
        "jobs": {"runner": "local", "work_root": str(workdir / "jobs"), "poll_seconds": 0.5,
                 "environment": {"PYTHONPATH": str(REPO / "hub")}},
        "spawner": {"kind": "demo", "http_timeout": 90, "culling": {"idle_timeout": 3600, "every": 600}},
    }
    (workdir / "site.yaml").write_text(yaml.safe_dump(site))
    config = ("from beamhub.config import configure_hub, load_site_config\n"
              f"configure_hub(c, load_site_config({str(workdir / 'site.yaml')!r}))\n"
              "c.JupyterHub.tornado_settings = {'slow_spawn_timeout': 0}\n")
    hub = Hub(config, workdir=workdir / "hub",
              env={"PYTHONPATH": os.pathsep.join(str(p) for p in (REPO / "hub", REPO, EXTENSION)),
                   "JUPYTERHUB_CRYPT_KEY": crypt_key})
    hub.client_secret, hub.crypt_key, hub.state_dir = client_secret, crypt_key, workdir / "state"
    hub.start()
    try:
        deadline = time.monotonic() + 60
        while requests.get(hub.url + API + "/health", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, hub.log_tail()
            time.sleep(0.2)
        yield hub
    finally:
        hub.api("DELETE", "/users/alice/server")
        hub.close()


def wait_done(hub: Hub, token: str, selection: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = requests.get(f"{hub.url}{API}/selections/{selection}", timeout=30,
                              headers={"Authorization": f"token {token}"}).json()
        if answer["status"] in ("done", "failed"):
            return answer
        time.sleep(0.2)
    raise AssertionError(f"the job did not finish: {answer}")


def test_every_secret_is_held_only_by_the_process_that_needs_it(oidc_hub, service_store_url):  # noqa: F811
    hub = oidc_hub
    assert hub.api("POST", "/users/alice").status_code in (201, 409)
    assert hub.api("POST", "/groups/p1001").status_code in (201, 409)
    assert hub.api("POST", "/groups/p1001/users", json={"users": ["alice"]}).status_code == 200
    token = hub.user_token("alice")
    auth = {"Authorization": f"token {token}"}

    with Watcher(hub.process.pid) as watcher:
        assert hub.api("POST", "/users/alice/server", json={}).status_code in (201, 202)
        assert hub.progress("alice", token)[-1].get("ready"), hub.log_tail()
        assert run_in_kernel(f"{hub.url}/user/alice", token, "print(6 * 7)").strip() == "42"
        sweeps = requests.get(f"{hub.url}{API}/datasets", params={"proposal": "p1001", "technique": "MX"},
                              headers=auth, timeout=60).json()["items"]
        created = requests.post(f"{hub.url}{API}/selections", headers=auth, timeout=60, json={
            "name": "secrets", "datasets": [d["pid"] for d in sweeps[:1]], "processing": "frame-score",
            "parameters": {}})
        assert created.status_code == 201, created.text
        selection = created.json()["id"]
        submitted = requests.post(f"{hub.url}{API}/selections/{selection}/submit", headers=auth, timeout=60)
        assert submitted.status_code == 202, submitted.text
        assert wait_done(hub, token, selection)["status"] == "done"

    proxy = watcher.one("--error-target")  # configurable-http-proxy (or beamhub's guard running it)
    service = watcher.one("catalogue-service")
    culler = watcher.one("jupyterhub_idle_culler")
    server = watcher.one("jupyterhub-singleuser")
    watcher.one("ipykernel")
    watcher.one("beamhub.jobs.run")
    parents = {p.pid: p.ppid for p in watcher.procs()}

    def below(pid: int, root: int) -> bool:
        while pid in parents and pid != root:
            pid = parents[pid]
        return pid == root

    kernels = {p.pid for p in watcher.procs() if below(p.pid, server.pid)}  # kernels, and what the server runs
    # the service's worker processes are forked by it (catalogue.workers): the same process's
    # secrets, and nothing else
    service_pids = {p.pid for p in watcher.procs() if "catalogue-service" in p.command}
    assert all(below(pid, service.pid) for pid in service_pids), [p.command for p in watcher.procs()]

    proxy_token = re.search(r"ConfigurableHTTPProxy\.auth_token = '([0-9a-f]+)'", hub.config_text).group(1)
    hub_client_token = (hub.state_dir / "beamhub-hub-token").read_text().strip()
    cookie_secret = (hub.state_dir / "jupyterhub_cookie_secret").read_text().strip()
    allowed = {
        "the proxy's auth token": (proxy_token, {proxy.pid}),
        "the catalogue service's hub token": (environ_value(service, "JUPYTERHUB_API_TOKEN"), service_pids),
        "the store URL": (service_store_url, service_pids),
        "the idle culler's hub token": (environ_value(culler, "JUPYTERHUB_API_TOKEN"), {culler.pid}),
        "alice's server token": (environ_value(server, "JUPYTERHUB_API_TOKEN"), {server.pid} | kernels),
        "the hub's client token (beamhub-hub)": (hub_client_token, set()),
        "the hub's cookie secret": (cookie_secret, set()),
        "the OIDC client secret": (hub.client_secret, set()),
        "the hub's crypt key": (hub.crypt_key, set()),
    }
    leaks = []
    for name, (value, owners) in allowed.items():
        assert len(value) >= 16, name
        for proc in watcher.procs():
            where = proc.holds(value)
            if where and proc.pid not in owners:
                leaks.append(f"{name} in the {where} of pid {proc.pid}: {proc.command[:120]}")
    assert not leaks, "\n".join(leaks)
    print(f"{len(watcher.procs())} processes read: "
          + ", ".join(sorted({p.command.split()[0].rsplit('/', 1)[-1] for p in watcher.procs()})))
