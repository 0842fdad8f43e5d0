"""A real JupyterHub with its configurable-http-proxy, started on loopback for tests.

``Hub(config)`` writes ``jupyterhub_config.py`` into a fresh directory: a base part
(free ports, its own database, cookie secret and proxy token, an admin service token
for the test's API calls) followed by the test's own configuration text. The hub runs
as a subprocess; its log is kept in ``hub.log`` and shown when it fails to start.

    with Hub(extra_config) as hub:
        hub.api("POST", "/users/alice")
        session = hub.login("alice", "password")   # a requests.Session with the hub's cookies
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

from .ports import free_port, wait_for_port
from .require import missing

PROXY_CANDIDATES = [
    os.environ.get("BEAMHUB_PROXY_BIN", ""),
    "/opt/beamhub/proxy/beamhub-proxy.mjs",  # the pinned proxy behind beamhub's guard (hub/proxy/)
    "/opt/beamhub/proxy/node_modules/.bin/configurable-http-proxy",
    shutil.which("configurable-http-proxy") or "",
]


def proxy_command() -> str:
    for candidate in PROXY_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    missing("configurable-http-proxy", "not installed; tests/run installs it into /opt/beamhub/proxy")


BASE_CONFIG = """\
# --- written by tests/services/jupyterhub.py -----------------------------------
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = "sqlite:///{workdir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/cookie_secret"
c.JupyterHub.pid_file = "{workdir}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = {cleanup_servers}
c.JupyterHub.log_level = "DEBUG"
c.JupyterHub.services = [{{"name": "test-admin", "api_token": {admin_token!r}}}]
c.JupyterHub.load_roles = [{{"name": "test-admin", "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens", "read:hub", "admin-ui", "access:servers", "access:services", "read:users"], "services": ["test-admin"]}}]
# --- the test's configuration ---------------------------------------------------
"""


class Hub:
    """A JupyterHub process. ``url`` is its public URL, ``api_url`` its REST API."""

    def __init__(self, config: str = "", *, workdir: Path | None = None, env: dict | None = None,
                 cleanup_servers: bool = True, startup_timeout: float = 60):
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="beamhub-hub-")
        self.workdir = Path(workdir or self._tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.url + "/hub/api"
        self.admin_token = secrets.token_hex(16)
        self.config_text = BASE_CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_api_port=free_port(), proxy=proxy_command(),
            proxy_token=secrets.token_hex(16), workdir=self.workdir, admin_token=self.admin_token,
            cleanup_servers=cleanup_servers,
        ) + textwrap.dedent(config)
        self.env = {**os.environ, **(env or {})}
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / "hub.log"

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> "Hub":
        config_file = self.workdir / "jupyterhub_config.py"
        config_file.write_text(self.config_text)
        jupyterhub = Path(sys.executable).parent / "jupyterhub"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(jupyterhub), "-f", str(config_file)], cwd=self.workdir, env=self.env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_for_port(self.port, process=self.process, timeout=self.startup_timeout)
            self._wait_healthy()
        except Exception as exc:
            self.stop()
            raise RuntimeError(f"JupyterHub did not start: {exc}\n--- hub.log (tail) ---\n{self.log_tail()}") from None
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with status {self.process.returncode}")
            try:
                if requests.get(self.url + "/hub/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError("/hub/health did not answer")

    def stop(self, signal_name: str = "SIGTERM", timeout: float = 30) -> None:
        """Stop the hub (and, through its process group, the proxy it started)."""
        if self.process and self.process.poll() is None:
            import signal

            os.killpg(self.process.pid, getattr(signal, signal_name))
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def restart(self) -> None:
        """Stop the hub process only, then start it again with the same state."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    # -- using it ----------------------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """Call the hub's REST API (``path`` below /hub/api) as the test admin."""
        headers = {"Authorization": f"token {token or self.admin_token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.api_url + path, headers=headers, timeout=30, **kwargs)

    def login(self, username: str, password: str) -> requests.Session:
        """Log in through the hub's login form; the session carries the hub's cookies."""
        session = requests.Session()
        page = session.get(self.url + "/hub/login", timeout=30)
        xsrf = session.cookies.get("_xsrf") or ""
        response = session.post(self.url + "/hub/login", data={"username": username, "password": password,
                                                               "_xsrf": xsrf},
                                allow_redirects=True, timeout=60)
        if page.status_code != 200 or "jupyterhub-session-id" not in session.cookies.get_dict():
            raise RuntimeError(f"login as {username} failed: {response.status_code} {response.url}")
        return session

    def progress(self, user: str, token: str, timeout: float = 180, until=None) -> list[dict]:
        """A spawn's progress events until it is ready or has failed (or ``until(event)``)."""
        events = []
        with requests.get(f"{self.api_url}/users/{user}/server/progress", stream=True, timeout=timeout,
                          headers={"Authorization": f"token {token}"}) as response:
            response.raise_for_status()
            for line in response.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("ready") or event.get("failed") or (until and until(event)):
                        break
        return events

    def server(self, user: str) -> dict:
        """The user's default server as the hub's API shows it ({} if none)."""
        return self.api("GET", f"/users/{user}").json().get("servers", {}).get("", {})

    def wait_stopped(self, user: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.server(user):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{user}'s server is still there:\n{self.log_tail()}")

    def user_token(self, username: str, scopes: list[str] | None = None, note: str = "test") -> str:
        """A new API token for ``username`` (created by the test admin)."""
        body = {"note": note}
        if scopes is not None:
            body["scopes"] = scopes
        response = self.api("POST", f"/users/{username}/tokens", json=body)
        response.raise_for_status()
        return response.json()["token"]
