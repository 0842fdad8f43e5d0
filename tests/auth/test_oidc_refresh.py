"""Group membership refreshed while the user stays logged in, where the provider allows:
Dex keeps its refresh tokens in a real PostgreSQL here (so they outlive the restart that
changes a user's groups) and runs without login sessions, and its password connector then
answers a refresh with the user's current groups once the access token has expired (Dex's ID/access token lifetime, 5 s
here; Keycloak's default is 5 min). The hub asks once the user's groups are older than
refresh_seconds (1 s):
the user is not sent to log in again, and has the new groups, in the hub and in the
catalogue."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.services.ports import free_port
from tests.services.require import missing

from .conftest import catalogue_proposals, groups_at_dex, hub_groups, logged_in

PG = Path("/usr/lib/postgresql/15/bin")
TOKEN_SECONDS = 5
"""Dex's access tokens last this long here: until then the hub's refresh reads the
userinfo with the access token, whose claims are those of the login; after it, the hub
uses the refresh token, and Dex answers with the user's current groups."""


def _as_postgres(*argv: str) -> None:
    done = subprocess.run(["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


@pytest.fixture(scope="module")
def dex_options():
    """Dex without login sessions (with them, a refresh repeats the last login's claims),
    its tokens in a PostgreSQL 15 cluster on 127.0.0.1 (trust, loopback only)."""
    if not (PG / "initdb").exists():
        missing("PostgreSQL 15", "not installed (hub/scripts/install --test installs it for DocumentDB)")
    folder = Path(tempfile.mkdtemp(prefix="beamhub-dex-pg-"))
    folder.chmod(0o755)
    shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    _as_postgres(str(PG / "initdb"), "-D", str(folder / "pg"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    _as_postgres(str(PG / "pg_ctl"), "-D", str(folder / "pg"), "-l", str(folder / "postgresql.log"), "-w",
                 "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
    try:
        _as_postgres("psql", "-h", str(folder), "-p", str(port), "-U", "postgres", "-Xq", "-c", "CREATE DATABASE dex")
        yield {"sessions": False, "token_expiry": f"{TOKEN_SECONDS}s",
               "storage": {"type": "postgres", "config": {"host": "127.0.0.1", "port": port, "database": "dex",
                                                          "user": "postgres", "ssl": {"mode": "disable"}}}}
    finally:
        _as_postgres(str(PG / "pg_ctl"), "-D", str(folder / "pg"), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_a_group_changed_at_the_provider_reaches_the_logged_in_user_at_the_next_refresh(oidc_site, chromium):
    hub, dex = oidc_site.hub, oidc_site.dex
    with logged_in(chromium, hub, "alice") as (context, page):
        assert hub_groups(hub, "alice") == ["p1001", "p1002"]
        assert catalogue_proposals(context, page, hub) == {"p1001", "p1002"}
        with groups_at_dex(dex, "alice", ["p1002"]):
            time.sleep(TOKEN_SECONDS + 1)  # the access token has expired (not a timed assertion)
            response = page.goto(f"{hub.url}/hub/home")
            assert response.status == 200 and page.url == f"{hub.url}/hub/home", (page.url, dex.log_tail(20))
            assert hub_groups(hub, "alice") == ["p1002"]
            assert catalogue_proposals(context, page, hub) == {"p1002"}
