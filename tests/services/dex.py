"""Dex: a real, widely deployed OpenID Connect provider (CNCF), on loopback for the tests.

The binary is built from Dex's own ``cmd/dex``, pinned as a Go ``tool`` in
``tests/services/dex/go.mod`` (and go.sum; ``api-v2/`` is Dex's nested API module at the
same commit, see its README), into ``~/.cache/beamhub/bin/dex-<hash of the pin>``: built
once per machine (``hub/scripts/install --test``), rebuilt only when the pin changes.

``Dex(users, clients)`` writes Dex's configuration: its password database with static
users (each with ``groups``, which Dex puts in the ``groups`` claim when the client asks
for the ``groups`` scope), static OAuth clients, in-memory storage, and Dex's login
sessions (``DEX_SESSIONS_ENABLED``) so that it keeps a single-sign-on cookie and serves
RP-initiated logout (``/dex/logout``, with ``id_token_hint`` and a registered
``post_logout_redirect_uri``). ``set_users`` restarts it on the same port with
changed users: what an operator changing a group at the provider does; sessions and
refresh tokens (memory storage) end with the restart.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from .ports import free_port, wait_for_port
from .processes import terminate

SOURCE = Path(__file__).parent / "dex"
CACHE = Path(os.environ.get("BEAMHUB_CACHE", Path.home() / ".cache" / "beamhub"))
PACKAGE = "github.com/dexidp/dex/cmd/dex"

PASSWORD = "password"
"""Every test user's password: its bcrypt hash below is the one of Dex's own
``config.dev.yaml`` (Dex needs a bcrypt hash; none is computed here)."""
PASSWORD_HASH = "$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W"


def binary_path() -> Path:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "api-v2/go.mod", "api-v2/api.pb.go", "api-v2/api_grpc.pb.go"):
        digest.update((SOURCE / name).read_bytes())
    return CACHE / "bin" / f"dex-{digest.hexdigest()[:12]}"


def build() -> Path:
    """Build Dex if this pin is not cached yet; return the binary. Raises with Go's
    own message if it cannot be built."""
    target = binary_path()
    if target.exists():
        return target
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        raise RuntimeError("Go is not installed, so Dex cannot be built")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    result = subprocess.run([go, "build", "-trimpath", "-o", str(partial), PACKAGE], cwd=SOURCE,
                            env={**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"},
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"building Dex ({PACKAGE}) failed:\n{result.stderr[-4000:]}")
    partial.rename(target)
    return target


@dataclass
class DexUser:
    name: str
    groups: list[str] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.name}@facility.test"


@dataclass
class DexClient:
    id: str
    secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)


class Dex:
    """A running Dex; ``issuer`` is its issuer URL (``http://127.0.0.1:PORT/dex``)."""

    def __init__(self, users: list[DexUser], clients: list[DexClient], binary: Path | None = None,
                 storage: dict | None = None, sessions: bool = True, token_expiry: str = ""):
        """``storage``: Dex's storage section; default in memory (tokens end with a restart).
        The binary is built without cgo, so not sqlite3: a PostgreSQL one keeps refresh
        tokens across restarts. ``sessions``: Dex's login sessions (single sign-on, logout).
        ``token_expiry``: lifetime of ID and access tokens (Dex's ``expiry.idTokens``, 24h
        by default; a client refreshes with its refresh token once they expire)."""
        self.binary = binary or build()
        self.storage = storage or {"type": "memory"}
        self.sessions = sessions
        self.token_expiry = token_expiry
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/dex"
        self.users = list(users)
        self.clients = list(clients)
        self._dir = tempfile.TemporaryDirectory(prefix="beamhub-dex-")
        self.config_path = Path(self._dir.name) / "config.yaml"
        self.log_path = Path(self._dir.name) / "dex.log"
        self.process: subprocess.Popen | None = None

    # -- the endpoints a relying party is configured with -----------------------------
    @property
    def authorize_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def userinfo_url(self) -> str:
        return self.issuer + "/userinfo"

    @property
    def end_session_url(self) -> str:
        return self.issuer + "/logout"

    def config(self) -> dict:
        return {
            "issuer": self.issuer,
            "storage": self.storage,
            "web": {"http": f"127.0.0.1:{self.port}"},
            "logger": {"level": "debug"},
            "oauth2": {"skipApprovalScreen": True, "responseTypes": ["code"]},
            **({"sessions": {"absoluteLifetime": "1h", "validIfNotUsedFor": "1h",
                             "rememberMeCheckedByDefault": True}} if self.sessions else {}),
            **({"expiry": {"idTokens": self.token_expiry}} if self.token_expiry else {}),
            "enablePasswordDB": True,
            "staticPasswords": [
                {"email": user.email, "hash": PASSWORD_HASH, "username": user.name,
                 "preferredUsername": user.name, "userID": f"user-{user.name}", "groups": list(user.groups)}
                for user in self.users],
            "staticClients": [
                {"id": client.id, "secret": client.secret, "name": client.id,
                 "redirectURIs": client.redirect_uris,
                 "postLogoutRedirectURIs": client.post_logout_redirect_uris}
                for client in self.clients],
        }

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> "Dex":
        self.config_path.write_text(yaml.safe_dump(self.config()))
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([str(self.binary), "serve", str(self.config_path)],
                                        stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "DEX_SESSIONS_ENABLED": "true" if self.sessions else "false"})
        try:
            wait_for_port(self.port, process=self.process, timeout=30)
            self._wait_discovery()
        except Exception as exc:
            self.stop()
            raise RuntimeError(f"Dex did not start: {exc}\n--- dex.log (tail) ---\n{self.log_tail()}") from None
        return self

    def _wait_discovery(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError("discovery did not answer")

    def set_users(self, users: list[DexUser]) -> None:
        """Change the users (their groups) at the provider: Dex reads static users at
        start, so it restarts on the same port."""
        self.users = list(users)
        self.stop()
        self.start()

    def stop(self) -> None:
        terminate(self.process, timeout=10)

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def __enter__(self) -> "Dex":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
