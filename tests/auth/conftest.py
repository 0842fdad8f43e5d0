"""A hub logging users in through Dex, a real OpenID Connect provider, for the login tests.

``oidc_site`` starts Dex (built by ``hub/scripts/install --test``, see
``tests/services/dex.py``) with static users whose ``groups`` claim holds proposal
groups (p1001 ...) and staff groups (staff-i03), then a real JupyterHub with its proxy
configured from a beamhub site file with ``auth: {kind: oidc}`` pointing at Dex, over
the demo catalogue (SQLite). Both run for the module and are stopped after it.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import yaml

from tests.api.conftest import demo_data, service_store_url  # noqa: F401 (session fixtures)
from tests.services.browser import browser
from tests.services.dex import PASSWORD, Dex, DexClient, DexUser, build
from tests.services.jupyterhub import Hub
from tests.services.require import missing

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = "/services/catalogue/api/v1"
USERS = [
    DexUser("alice", ["p1001", "p1002"]),
    DexUser("carol", ["staff-i03"]),
    DexUser("dave", ["facility-users"]),  # a facility account in no proposal
]
DEX_LOGIN_FORM = re.compile(r"/dex/auth/local")


@dataclass
class OIDCSite:
    dex: Dex
    hub: Hub
    site_file: Path


@pytest.fixture(scope="module")
def dex_options():
    """Further arguments of Dex (tests.services.dex.Dex); a test module may override it."""
    return {}


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory, service_store_url, dex_options):  # noqa: F811
    try:
        binary = build()
    except Exception as exc:  # no Go, no module proxy: say so
        missing("Dex", f"could not build it ({exc})")
    workdir = tmp_path_factory.mktemp("oidc-hub")
    os.chmod(workdir, 0o755)
    secret = secrets.token_hex(16)
    (workdir / "client-secret").write_text(secret + "\n")
    hub = Hub("", workdir=workdir / "hub", env={"PYTHONPATH": str(REPO / "hub") + os.pathsep + str(REPO)})
    client = DexClient("beamhub", secret, [f"{hub.url}/hub/oauth_callback"], [f"{hub.url}/hub/login"])
    with Dex(USERS, [client], binary=binary, **dex_options) as dex:
        site = {
            "hub": {"state_dir": str(workdir / "state")},
            "auth": {
                "kind": "oidc", "client_id": "beamhub", "client_secret_file": str(workdir / "client-secret"),
                "authorize_url": dex.authorize_url, "token_url": dex.token_url, "userdata_url": dex.userinfo_url,
                "callback_url": f"{hub.url}/hub/oauth_callback", "end_session_url": dex.end_session_url,
                "post_logout_redirect_url": f"{hub.url}/hub/login",
                "scope": ["openid", "profile", "email", "groups", "offline_access"],
                "username_claim": "preferred_username", "groups_claim": "groups", "allow_all": True,
                "proposal_group_pattern": "^p[0-9]+$", "refresh_seconds": 1,
            },
            "catalogue": {"store": service_store_url},
            "jobs": {"runner": "local", "work_root": str(workdir / "jobs")},
            "culler": {"enabled": False},
        }
        site_file = workdir / "site.yaml"
        site_file.write_text(yaml.safe_dump(site))
        hub.config_text += (f"from beamhub.config import configure_hub, load_site_config\n"
                            f"configure_hub(c, load_site_config({str(site_file)!r}))\n")
        with hub:
            wait_for_catalogue(hub)
            yield OIDCSite(dex, hub, site_file)


def wait_for_catalogue(hub: Hub, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(hub.url + CATALOGUE + "/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the catalogue service did not answer\n{hub.log_tail()}")


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def user(name: str) -> DexUser:
    return next(u for u in USERS if u.name == name)


def login(page, hub, who: DexUser) -> None:
    """Click the hub's login button, then log in on Dex's own page."""
    page.goto(f"{hub.url}/hub/login?next={quote('/hub/home')}")
    page.click("text=Sign in with facility account")
    page.wait_for_url(DEX_LOGIN_FORM)
    page.fill("#login", who.email)
    page.fill("#password", PASSWORD)
    page.click("#submit-login")
    page.wait_for_load_state()


@contextmanager
def logged_in(chromium, hub: Hub, name: str) -> Iterator[tuple]:
    """``(context, page)`` of a fresh browser context in which ``name`` has just logged in
    through Dex (:func:`login`); the context is closed afterwards."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        login(page, hub, user(name))
        yield context, page
    finally:
        context.close()


@contextmanager
def groups_at_dex(dex: Dex, name: str, groups: list[str]) -> Iterator[None]:
    """Dex restarted with ``name`` in ``groups`` instead (the others as in USERS); back to
    USERS afterwards."""
    try:
        dex.set_users([DexUser(name, groups) if u.name == name else u for u in USERS])
        yield
    finally:
        dex.set_users(USERS)


def hub_groups(hub: Hub, name: str) -> list[str]:
    return sorted(hub.api("GET", f"/users/{name}").json()["groups"])


def catalogue_proposals(context, page, hub: Hub) -> set[str]:
    """The proposals the catalogue lists to the browser's user (logged in to the service
    through the hub, as the JupyterLab extension's user would be)."""
    page.goto(hub.url + "/services/catalogue/")
    response = context.request.get(hub.url + CATALOGUE + "/me/proposals")
    assert response.status == 200, response.text()
    return {p["proposalId"] for p in response.json()}
