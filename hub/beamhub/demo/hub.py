"""``beamhub demo``: a whole beamhub on one machine, from nothing, in one command.

1. demo data (:func:`beamhub.demo.data.write_demo_data`) under ``STATE/data``, written
   once, its files read-only; a user's server finds the proposals chosen on the spawn
   form as links ``~/data/<proposal>`` (nothing is mounted in the demo);
2. an SQLite catalogue ``STATE/catalogue.sqlite`` filled by ingestion (idempotent: a
   second start re-reads nothing);
3. demo users from the data's proposals file (alice in p1001 and p1002, bob in p1002,
   carol staff of i03, ...), each with a generated password kept in
   ``STATE/demo-users.yaml`` (mode 600) and printed on start;
4. the site file ``STATE/site.yaml`` and ``STATE/jupyterhub_config.py``, then
   JupyterHub on http://127.0.0.1:8000 with the catalogue service, the local job
   runner and a local spawner.

THE DEMO GIVES NO ISOLATION: every user's server, kernels and jobs run as the Unix
user who started the demo and can read each other's files. It is for trying beamhub
out, not for real users.

On a shared machine: only the public port is fixed (``--port``, refused at once if
taken); the hub's own API and the proxy's API get free ports at each start, and users'
homes are ``STATE/homes/<user>``, so demos with different state directories and ports
run side by side, and beside any other JupyterHub. JupyterHub runs under
:mod:`beamhub.demo.supervisor`, which ends it and everything it started (proxy,
catalogue service, idle culler, servers, jobs) when ``beamhub demo`` ends, however it
ends (Ctrl-C, SIGTERM, SIGHUP, or SIGKILL), and when JupyterHub itself fails.

A second start with the same state directory reuses data, catalogue, passwords and
the hub's database.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from beamhub.config.ports import free_port

DEFAULT_STATE_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "beamhub-demo"
CONFIG_TEXT = """\
# Written by `beamhub demo`; the site itself is site.yaml beside this file.
from beamhub.config import configure_hub, load_site_config

c = get_config()  # noqa: F821
configure_hub(c, load_site_config({site!r}))
"""


@dataclass
class DemoUserInfo:
    name: str
    password: str
    groups: list[str]
    staff_of: list[str]
    full_name: str = ""


@dataclass
class DemoHub:
    """The demo's files and its JupyterHub process."""

    state_dir: Path = DEFAULT_STATE_DIR
    ip: str = "127.0.0.1"
    port: int = 8000
    size: str = "small"
    python: str = sys.executable
    users: list[DemoUserInfo] = field(default_factory=list)
    hub_port: int = 0
    """The hub's own API; 0: a free port picked by each :meth:`prepare`."""
    proxy_api_port: int = 0
    """The proxy's REST API; 0: a free port picked by each :meth:`prepare`."""
    _ports: tuple[int, int, int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.state_dir = Path(self.state_dir).expanduser().resolve()

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def store_url(self) -> str:
        return f"sqlite:///{self.state_dir / 'catalogue.sqlite'}"

    @property
    def site_file(self) -> Path:
        return self.state_dir / "site.yaml"

    @property
    def config_file(self) -> Path:
        return self.state_dir / "jupyterhub_config.py"

    # -- preparing ------------------------------------------------------------------
    def prepare(self, log=print) -> None:
        """Data, catalogue, users and configuration; everything reused if present."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        proposals_file = self.data_dir / "proposals.yaml"
        if not proposals_file.exists():
            from beamhub.demo.data import write_demo_data

            log(f"writing demo data ({self.size}) to {self.data_dir} ...")
            write_demo_data(self.data_dir, size=self.size)
            read_only_files(self.data_dir)
        log(f"cataloguing it in {self.store_url} ...")
        self._ingest()
        self.users = self._users(proposals_file)
        self._ports = None  # free ones again at each start
        self.site_file.write_text(yaml.safe_dump(self.site(), sort_keys=False))
        self.site_file.chmod(0o600)
        self.config_file.write_text(CONFIG_TEXT.format(site=str(self.site_file)))

    def _ingest(self) -> None:
        from beamhub.catalogue import Identity, open_store
        from beamhub.catalogue.ingest import ingest

        with open_store(self.store_url) as store:
            report = ingest([self.data_dir], store, Identity.for_operator("beamhub-demo"),
                            mapping=self.data_dir / "mapping.yaml", proposals=self.data_dir / "proposals.yaml")
        if report.failed:
            first = report.failed[0]
            raise RuntimeError(f"demo data did not ingest: {first.path}: {first.message}")

    def _users(self, proposals_file: Path) -> list[DemoUserInfo]:
        from beamhub.catalogue.ingest import load_proposals

        passwords_file = self.state_dir / "demo-users.yaml"
        saved = yaml.safe_load(passwords_file.read_text()) if passwords_file.exists() else {}
        users = []
        for intent in load_proposals(proposals_file).users:
            password = (saved or {}).get(intent.name) or secrets.token_urlsafe(9)
            users.append(DemoUserInfo(intent.name, password, list(intent.groups), list(intent.staff_of),
                                      intent.fullName))
        fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            yaml.safe_dump({u.name: u.password for u in users}, out)
        return users

    def site(self) -> dict:
        """The demo's site configuration (what ``site.yaml`` holds)."""
        if self._ports is None:
            # all three from this process, so no two are the same number
            self._ports = (self.hub_port or free_port(), self.proxy_api_port or free_port(), free_port())
        return {
            "hub": {"ip": self.ip, "port": self.port, "hub_ip": "127.0.0.1", "hub_port": self._ports[0],
                    "proxy_api_port": self._ports[1], "state_dir": str(self.state_dir),
                    "site_name": "beamhub demo",
                    "login_hint": "Sign in as one of the demo users printed where you started the demo "
                                  "(alice, bob, ...) to search the demo data and analyse it in JupyterLab.",
                    "spawn_hint": "Tick the proposals whose data you want (they appear as read-only links "
                                  "~/data/<proposal>), then start your server."},
            "auth": {"kind": "demo", "users": {
                u.name: {"password": u.password, "groups": u.groups + [f"staff-{b}" for b in u.staff_of]}
                for u in self.users}},
            "catalogue": {"store": self.store_url, "port": self._ports[2]},
            "jobs": {"runner": "local", "work_root": str(self.state_dir / "jobs"), "python": self.python},
            "spawner": {"kind": "demo", "home": str(self.state_dir / "homes" / "{username}"),
                        "data_roots": [str(self.data_dir)]},
            "culler": {"enabled": True, "timeout": 3600},
        }

    # -- running --------------------------------------------------------------------
    def banner(self) -> str:
        width = max(len(u.name) for u in self.users) if self.users else 5
        lines = [
            "",
            "beamhub demo: THIS IS A DEMO. There is no isolation between users: every server,",
            f"kernel and job runs as Unix user {_whoami()!r} and can read the others' files.",
            "",
            f"  open   {self.url}",
            "  users  (name, password, groups):",
        ]
        for user in self.users:
            groups = ", ".join(user.groups + [f"staff of {b}" for b in user.staff_of]) or "no proposal"
            lines.append(f"         {user.name:<{width}}  {user.password}  {groups}")
        lines += ["", f"  state  {self.state_dir}", "  stop   Ctrl-C", ""]
        return "\n".join(lines)

    def command(self) -> list[str]:
        return [str(Path(self.python).parent / "jupyterhub"), "-f", str(self.config_file)]

    def supervised_command(self, watch_fd: int) -> list[str]:
        """JupyterHub under the supervisor, which watches ``watch_fd`` (see :mod:`.supervisor`)."""
        return [self.python, "-m", "beamhub.demo.supervisor", str(watch_fd), "--", *self.command()]

    def run(self) -> int:
        """Prepare, start JupyterHub under its supervisor, wait. Ctrl-C, SIGTERM or SIGHUP
        stop everything; if this process is killed outright, the supervisor does it."""
        self.prepare()
        if _port_taken(self.ip, self.port):
            print(f"beamhub demo: port {self.port} on {self.ip} is in use (another demo or hub?); "
                  "choose another with --port", file=sys.stderr, flush=True)
            return 1
        os.makedirs(self.state_dir / "homes", exist_ok=True)
        # The supervisor sees end-of-file on this pipe when this process is gone, however it ended.
        watch, alive = os.pipe()
        try:
            supervisor = subprocess.Popen(self.supervised_command(watch), cwd=self.state_dir, pass_fds=(watch,),
                                          start_new_session=True)  # terminal signals come to us only
        finally:
            os.close(watch)

        def stop(signum, frame):
            raise KeyboardInterrupt

        # SIGINT too: Python leaves it ignored when the demo was started with it ignored
        # (a background job of a script), and Ctrl-C or `kill -INT` must still stop it
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            print(self.banner(), flush=True)
            status = supervisor.wait()
            print(f"beamhub demo: the hub stopped (status {status}); see its log above", file=sys.stderr, flush=True)
            return status
        except KeyboardInterrupt:
            print("\nstopping the demo hub ...", flush=True)
            _stop(supervisor)
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(alive)


def _stop(supervisor: subprocess.Popen, timeout: float = 30) -> None:
    """Ask the supervisor to stop everything (it takes a few seconds at most), then wait."""
    for _ in range(2):
        try:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
        except KeyboardInterrupt:  # a second Ctrl-C: ask again, still wait for it
            continue
    supervisor.kill()
    supervisor.wait()


def read_only_files(directory: Path) -> None:
    """The demo's data files are read-only (0444): users' servers, which run as the
    demo's own user and reach the data through links ~/data/<proposal>, cannot change
    them (root still could). Folders stay writable, so the state directory can be removed."""
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o444)


def _port_taken(ip: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return True
    return False


def _whoami() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name
