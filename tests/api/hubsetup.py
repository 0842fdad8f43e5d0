"""A real JupyterHub (with its proxy) running beamhub's site configuration, for tests.

``CatalogueHub`` writes a site file (demo users from the demo data's proposals file,
the catalogue store given, local or Slurm jobs), starts JupyterHub through
``tests/services/jupyterhub.Hub`` with ``configure_hub`` from that file, and waits
until the catalogue service answers through the proxy. Requests go through the
proxy, exactly as a browser's or a notebook's would.

    with CatalogueHub(store_url, demo) as hub:
        hub.get("alice", "/datasets").json()
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
import yaml

from beamhub.catalogue import open_store
from beamhub.catalogue.ingest import load_proposals
from beamhub.demo.data import write_demo_data
from tests.services.jupyterhub import Hub

REPO = Path(__file__).resolve().parents[2]
API = "/services/catalogue/api/v1"
PASSWORD = "demo-password-{name}"


def demo_users(proposals_file: Path) -> dict[str, list[str]]:
    """Hub users and their groups from the demo data's proposals file (staff as staff-<beamline>)."""
    users = {}
    for intent in load_proposals(proposals_file).users:
        users[intent.name] = list(intent.groups) + [f"staff-{b}" for b in intent.staff_of]
    return users


def quote_pid(pid: str) -> str:
    return quote(pid, safe="")


class CatalogueHub:
    def __init__(self, store_url: str, users: dict[str, list[str]], workdir: Path, *,
                 jobs: dict | None = None, catalogue: dict | None = None, spawner: dict | None = None,
                 state_dir: Path | None = None, extra_env: dict | None = None):
        self.store_url = store_url
        self.users = users
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self.site_file = self.workdir / "site.yaml"
        self.state_dir = Path(state_dir) if state_dir else self.workdir / "state"
        site = {
            "hub": {"state_dir": str(self.state_dir)},
            "auth": {"kind": "demo", "users": {
                name: {"password": PASSWORD.format(name=name), "groups": groups} for name, groups in users.items()}},
            "catalogue": {"store": store_url, "log_level": "DEBUG", **(catalogue or {})},
            "jobs": {"runner": "local", "work_root": str(self.workdir / "jobs"), "poll_seconds": 0.5,
                     "environment": {"PYTHONPATH": str(REPO / "hub")}, **(jobs or {})},
            "culler": {"enabled": False},
        }
        if spawner is not None:
            site["spawner"] = spawner
        self.site_file.write_text(yaml.safe_dump(site))
        config = (f"from beamhub.config import configure_hub, load_site_config\n"
                  f"configure_hub(c, load_site_config({str(self.site_file)!r}))\n")
        env = {"PYTHONPATH": str(REPO / "hub") + os.pathsep + str(REPO), **(extra_env or {})}
        self.hub = Hub(config, workdir=self.workdir / "hub", env=env)
        self._tokens: dict[str, str] = {}

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> "CatalogueHub":
        self.hub.start()
        try:
            self.wait_ready()
        except Exception:
            self.hub.stop()
            raise
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = requests.get(self.url + "/health", timeout=5)
                if last.status_code == 200:
                    return
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.2)
        raise RuntimeError(f"the catalogue service did not answer: {last}\n{self.hub.log_tail()}")

    def close(self) -> None:
        self.hub.close()

    def __enter__(self) -> "CatalogueHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- using it -------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The API's base URL through the proxy."""
        return self.hub.url + API

    def token(self, user: str) -> str:
        if user not in self._tokens:
            self._tokens[user] = self.hub.user_token(user, note="catalogue test")
        return self._tokens[user]

    @property
    def spawner_token(self) -> str:
        """The hub's own token for /users/{name}/proposals (the beamhub-hub service's)."""
        return (self.state_dir / "beamhub-hub-token").read_text().strip()

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"token {self.token(user)}"}

    def request(self, user: str | None, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**(self.headers(user) if user else {}), **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=kwargs.pop("timeout", 60),
                                **kwargs)

    def get(self, user: str | None, path: str, **kwargs) -> requests.Response:
        return self.request(user, "GET", path, **kwargs)


def slurm_jobs(slurm, work_root: Path, *, time_limit: str, memory: str) -> dict:
    """The site file's ``jobs:`` section for fog-filter jobs on the test's Slurm cluster,
    running this checkout's beamhub."""
    return {"runner": "slurm", "work_root": str(work_root), "python": sys.executable, "poll_seconds": 0.5,
            "environment": {"PYTHONPATH": str(REPO / "hub")},
            "slurm": {"command_environment": {"SLURM_CONF": str(slurm.conf)}, "time_limit": time_limit,
                      "memory": memory, "partition": "main"}}


@contextmanager
def slurm_demo_hub(users: list[str], prefix: str, *, time_limit: str, memory: str) -> Iterator[tuple]:
    """``(hub, slurm, shared)``: a :class:`CatalogueHub` over the demo catalogue (SQLite)
    whose fog-filter jobs run on the shared Slurm cluster as ``users`` (Unix users made
    here). The demo data, the job folders and the hub's state are in ``shared``, a folder
    under /tmp (outside pytest's private temporary directory, so the users' jobs can
    reach it; the data readable to all), removed afterwards."""
    from tests.services.slurm import shared_cluster
    from tests.services.unix_users import ensure_users

    from .conftest import load_demo  # the conftest imports this module

    slurm = shared_cluster()
    ensure_users(users)
    shared = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        os.chmod(shared, 0o755)
        data, work_root, state = shared / "data", shared / "jobs", shared / "hub"
        write_demo_data(data)
        for path in (data, *data.rglob("*")):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        work_root.mkdir(mode=0o755)
        store_url = f"sqlite:///{state / 'catalogue.sqlite'}"
        state.mkdir(mode=0o700)
        with open_store(store_url) as store:
            load_demo(store, data)
        jobs = slurm_jobs(slurm, work_root, time_limit=time_limit, memory=memory)
        with CatalogueHub(store_url, demo_users(data / "proposals.yaml"), state / "run", jobs=jobs) as hub:
            yield hub, slurm, shared
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def frame_stack(hub, user: str, proposal: str) -> dict:
    """A raw dataset of ``proposal`` whose signal is a stack of frames (frame-score takes
    it; a proposal's newest dataset can be a reduced curve, which it refuses)."""
    found = hub.get(user, "/datasets", params={"proposal": proposal, "type": "raw", "limit": 50}).json()
    return next(d for d in found["items"] if d["signal"] and len(d["signal"]["shape"]) >= 3)
