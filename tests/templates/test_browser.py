"""Beamline templates in a real browser: a real JupyterHub with its proxy, the catalogue
service over the demo data, JupyterLab servers with this extension, Chromium.

carol (staff of i03) publishes a template for i03 (the service records versions; the
JupyterLab dialog sends the same request), alice (p1001, at i03) finds it in the
Launcher's "Beamline templates" and opens it, and "Open in notebook" on an i03 dataset
opens it with the dataset filled into its parameters cell; bob (not at i03) does not see
it; version 2 and a rollback reach alice; alice cannot publish (the service's answer).
Screenshots go to test-artifacts/test_templates_browser/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.demo.catalogue import demo_catalogue
from tests.extension.e2e_hub import open_catalogue, open_lab, start_hub
from tests.services.browser import browser, screenshot

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
SHOTS = "test_templates_browser"
TITLE = "i03 MX screening"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from tests.api.hubsetup import demo_users

    url, data = demo_catalogue(tmp_path_factory.mktemp("demo"))
    workdir = tmp_path_factory.mktemp("templates-hub")
    os.chmod(workdir, 0o755)
    hub = start_hub(url, demo_users(data / "proposals.yaml"), workdir)
    try:
        yield hub
    finally:
        hub.close()


def publish(hub, user: str, marker: str):
    template = json.loads((REPO / "notebooks" / "mx" / "rotation-frames.ipynb").read_text())
    template["cells"][0]["source"] = f"# {TITLE}\n\n{marker}"
    return hub.request(user, "POST", "/templates", json={
        "beamline": "i03", "name": "mx-screening", "title": TITLE, "techniques": ["MX"], "accepts": ["raw"],
        "change_note": marker, "notebook": template})


def launcher_card(page, title: str):
    return page.locator(".jp-LauncherCard", has=page.locator(".jp-LauncherCard-label", has_text=f"{title} (i03)"))


def launcher_labels(page) -> list[str]:
    return page.locator(".jp-LauncherCard-label").all_inner_texts()


def open_launcher(page) -> None:
    page.keyboard.press("Control+Shift+L") if not page.query_selector(".jp-Launcher:visible") else None
    page.wait_for_selector(".jp-Launcher:visible")


def notebook_text(page) -> str:
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell")
    page.wait_for_timeout(1500)
    return page.locator(".jp-NotebookPanel:visible").inner_text()


def test_carol_publishes_alice_opens_bob_does_not_see(hub):
    first = publish(hub, "carol", "version one")
    assert first.status_code == 201 and first.json()["version"] == 1, first.text
    refused = publish(hub, "alice", "alice's try")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied", refused.text

    with browser() as chromium:
        _, alice = open_lab(chromium, hub, "alice")
        open_launcher(alice)
        alice.locator('.jp-Launcher-sectionTitle:text-is("Beamline templates")').wait_for()
        card = launcher_card(alice, TITLE)
        screenshot(alice, SHOTS, "01-alice-launcher")
        try:
            card.first.wait_for(timeout=30_000)
        except Exception:
            raise AssertionError(f"no card for {TITLE} among {launcher_labels(alice)}") from None
        card = card.first
        card.click()
        assert "version one" in notebook_text(alice)
        screenshot(alice, SHOTS, "02-alice-opened-template")

        # "Open in notebook" on one of her i03 datasets: the i03 template, the dataset filled in
        i03 = hub.get("alice", "/datasets", params={"beamline": "i03", "type": "raw", "limit": 1}).json()["items"][0]
        open_catalogue(alice)
        alice.locator(".jp-Beamhub-searchInput").fill(i03["datasetName"])
        alice.locator(f'.jp-Beamhub-result[data-pid="{i03["pid"]}"] .jp-Beamhub-resultName').click()
        alice.locator(".jp-Beamhub-detail:visible .jp-Beamhub-openNotebook").click()
        alice.wait_for_function(
            "pid => [...document.querySelectorAll('.jp-NotebookPanel')].some(p => p.innerText.includes(pid))",
            arg=i03["pid"], timeout=60_000)
        text = notebook_text(alice)
        assert "version one" in text and i03["pid"] in text
        screenshot(alice, SHOTS, "03-alice-open-in-notebook")

        # the whole selection (two i03 datasets) in one notebook: both filled into the parameters cell
        two = hub.get("alice", "/datasets", params={"beamline": "i03", "type": "raw", "limit": 2}).json()["items"]
        assert len(two) == 2
        open_catalogue(alice)
        for dataset in two:
            alice.locator(".jp-Beamhub-searchInput").fill(dataset["datasetName"])
            alice.locator(f'.jp-Beamhub-result[data-pid="{dataset["pid"]}"] .jp-Beamhub-addToBasket').click()
        alice.click(".jp-Beamhub-openBasket")
        basket = alice.locator(".jp-Beamhub-basket:visible")
        basket.locator(".jp-Beamhub-openSelection").click()
        alice.wait_for_function(
            "pids => [...document.querySelectorAll('.jp-NotebookPanel')].some("
            "p => pids.every(pid => p.innerText.includes(pid)))", arg=[d["pid"] for d in two], timeout=60_000)
        screenshot(alice, SHOTS, "04-alice-selection-in-notebook")
        assert "version one" in notebook_text(alice)

        _, bob = open_lab(chromium, hub, "bob")
        open_launcher(bob)
        bob.locator('.jp-Launcher-sectionTitle:text-is("Beamline templates")').wait_for()
        bob.wait_for_timeout(2000)
        assert launcher_card(bob, TITLE).count() == 0
        assert bob.locator(".jp-LauncherCard-label:has-text('SAXS')").count() >= 1  # facility-wide ones
        screenshot(bob, SHOTS, "05-bob-launcher")

    # version 2, then a rollback: alice gets each in turn
    assert publish(hub, "carol", "version two").json()["version"] == 2
    assert "version two" in hub.get("alice", "/templates/i03/mx-screening").json()["notebook"]["cells"][0]["source"]
    rolled = hub.request("carol", "POST", "/templates/i03/mx-screening/rollback", json={"version": 1})
    assert rolled.status_code == 201 and rolled.json()["version"] == 3
    assert "version one" in hub.get("alice", "/templates/i03/mx-screening").json()["notebook"]["cells"][0]["source"]
    opens = hub.get("carol", "/beamlines/i03/overview").json()["template_opens"]
    assert opens.get("mx-screening", 0) >= 2  # the Launcher and "Open in notebook"
