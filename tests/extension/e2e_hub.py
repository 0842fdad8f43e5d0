"""The whole beamhub stack for the extension's end-to-end tests and benchmark.

JupyterHub with its proxy and the catalogue service (``tests/api/hubsetup.py``'s
``CatalogueHub``, configured from a beamhub site file), single-user JupyterLab servers
spawned locally from this environment (so they carry the installed extension), and a
browser user who logs in through the hub's login form.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.services.require import missing

VENV_BIN = Path(sys.executable).parent
LAB_READY = ".jp-Launcher"


def start_hub(store_url: str, users: dict[str, list[str]], workdir: Path, **options):
    """A started ``CatalogueHub`` whose servers are JupyterLab with this extension
    (``options``: ``CatalogueHub``'s, e.g. ``jobs=`` for Slurm)."""
    try:
        from tests.api.hubsetup import API, CatalogueHub
    except ImportError as exc:
        missing("the demo hub", f"tests/api/hubsetup.py cannot be imported ({exc})")
    (workdir / "homes").mkdir(parents=True, exist_ok=True)
    hub = CatalogueHub(store_url, users, workdir, state_dir=workdir / "state", **options)
    # The servers reach the catalogue through this hub's proxy (its port is known only now).
    site = yaml.safe_load(hub.site_file.read_text())
    site["catalogue"]["url_for_servers"] = hub.hub.url + API
    hub.site_file.write_text(yaml.safe_dump(site))
    # Whatever spawner the site configures (a local one here): JupyterLab, started as
    # this (root) process's user, with a home of its own per test run.
    hub.hub.config_text += (
        "\n# --- tests/extension/e2e_hub.py ---\n"
        "c.Spawner.args = ['--allow-root']\n"
        "c.Spawner.default_url = '/lab'\n"
        "c.Spawner.start_timeout = 120\n"
        "c.Spawner.http_timeout = 120\n"
        "# a loaded machine can take a minute to import the catalogue service (JupyterHub waits 30 s)\n"
        "for _service in c.JupyterHub.services:\n"
        "    _service.setdefault('timeout', 180)\n"
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(workdir / 'homes' / '{username}')!r}\n"
    )
    return hub.start()


@contextmanager
def demo_hub(tmp_path_factory, name: str, demo: tuple[str, Path] | None = None) -> Iterator:
    """A started hub (:func:`start_hub`) with the demo's users over the demo catalogue
    ``demo`` (``(store url, data folder)``; a fresh copy when None), in pytest's folder
    ``name``. Afterwards the users' servers are stopped through the hub first, so they shut
    their kernels down (closing the hub alone left servers and kernels running), then the
    hub is closed."""
    from tests.api.hubsetup import demo_users
    from tests.demo.catalogue import demo_catalogue

    url, data = demo or demo_catalogue(tmp_path_factory.mktemp("demo"))
    workdir = tmp_path_factory.mktemp(name)
    os.chmod(workdir, 0o755)
    hub = start_hub(url, demo_users(data / "proposals.yaml"), workdir)
    try:
        yield hub
    finally:
        for user in hub.users:
            try:
                if hub.hub.server(user):
                    hub.hub.api("DELETE", f"/users/{user}/server")
                    hub.hub.wait_stopped(user)
            except Exception:  # noqa: BLE001 - the hub is closed below regardless
                pass
        hub.close()


def password(user: str) -> str:
    from tests.api.hubsetup import PASSWORD

    return PASSWORD.format(name=user)


def hub_login(browser, hub, user: str):
    """A new browser context and page with ``user`` logging in on the hub (the login form
    submitted; the page then goes where the hub sends it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(hub.hub.url + "/hub/login")
    page.fill("input#username_input", user)
    page.fill("input#password_input", password(user))
    page.click("#login_submit")
    return context, page


def open_lab(browser, hub, user: str, timeout: float = 120):
    """A new browser context logged in as ``user``, on its JupyterLab (started if needed)."""
    context, page = hub_login(browser, hub, user)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if "/lab" in page.url and page.query_selector(LAB_READY):
                break
            if "/hub/home" in page.url:
                page.goto(hub.hub.url + f"/hub/spawn/{user}")
            elif "/hub/spawn" in page.url and page.query_selector("form#spawn_form"):
                page.click("form#spawn_form [type=submit]")  # the profile form: take the default
        except Exception:  # the page navigated while we looked: look again
            pass
        page.wait_for_timeout(500)
    try:
        page.wait_for_selector(LAB_READY, timeout=max(1.0, deadline - time.monotonic()) * 1000)
    except Exception:
        from tests.services.browser import screenshot

        shot = screenshot(page, "extension_login_failed", user)
        raise RuntimeError(f"{user}'s JupyterLab did not open (at {page.url}; screenshot {shot})\n"
                           f"--- hub log (tail) ---\n{hub.hub.log_tail(40)}") from None
    dismiss_news(page)
    return context, page


def dismiss_news(page) -> None:
    """JupyterLab asks whether to fetch news; say no so it stays out of screenshots."""
    try:
        page.click(".jp-Notification-Toast-Close, .jp-toast-button:has-text('No')", timeout=3000)
    except Exception:
        pass


def lab_with_results(browser, hub, user: str):
    """:func:`open_lab` for ``user`` with the Catalogue panel open (:func:`open_catalogue`)
    and its first results shown."""
    context, page = open_lab(browser, hub, user)
    open_catalogue(page)
    page.wait_for_selector(".jp-Beamhub-result")
    return context, page


def open_catalogue(page) -> None:
    """Show the Catalogue panel (JupyterLab may have restored it open: its tab toggles)."""
    tab = page.locator('.jp-SideBar [data-id="beamhub-catalogue"]')
    tab.wait_for()
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
    page.wait_for_selector(".jp-Beamhub-panel .jp-Beamhub-status")
