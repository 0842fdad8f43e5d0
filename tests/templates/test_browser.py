"""Beamline templates in a real browser: a real JupyterHub with its proxy, the catalogue
service over the demo data, JupyterLab servers with this extension, Chromium.

carol (staff of i03) publishes a template for i03 (the service records versions; the
JupyterLab dialog sends the same request), alice (p1001, at i03) finds it in the
Launcher's "Beamline templates" and opens it, and "Open in notebook" on an i03 dataset
opens it with the dataset filled into its parameters cell; bob (not at i03) does not see
it; version 2 and a rollback reach alice; alice cannot publish (the service's answer).
bob comments on his vote in the dataset view; grace (staff of i22) opens the "Beamline"
panel and sees the votes alice and bob cast on
i22's datasets, with their comments; alice has no such panel and the service refuses her
its data. Screenshots go to test-artifacts/test_templates_browser/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.extension.e2e_hub import demo_hub, open_catalogue, open_lab
from tests.services.browser import browser, screenshot

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
SHOTS = "test_templates_browser"
TITLE = "i03 MX screening"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with demo_hub(tmp_path_factory, "templates-hub") as hub:
        yield hub


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


def palette_items(page, text: str) -> list[str]:
    """The command palette's items matching ``text`` (the palette is closed again)."""
    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette-input:visible").fill(text)
    page.wait_for_timeout(500)
    items = page.locator(".lm-CommandPalette-item:visible .lm-CommandPalette-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    return items


def test_grace_sees_the_votes_alice_and_bob_cast_in_the_beamline_panel(hub):
    # runs first: it leaves alice's JupyterLab on its Launcher, where the next test expects it
    i22 = hub.get("bob", "/datasets", params={"beamline": "i22", "type": "raw", "limit": 2}).json()["items"]
    cast = {("alice", i22[0]["pid"]): ("like", "nice growth series"),
            ("bob", i22[0]["pid"]): ("dislike", "beam dumped mid-run"),
            ("bob", i22[1]["pid"]): ("like", "commented in JupyterLab")}
    for (user, pid), (value, comment) in cast.items():
        answer = hub.request(user, "PUT", f"/datasets/{pid.replace('/', '%2F')}/vote",
                             json={"value": value, "comment": "" if user == "bob" and pid == i22[1]["pid"] else comment})
        assert answer.status_code == 200, answer.text
    refused = hub.get("alice", "/beamlines/i22/overview")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"

    with browser() as chromium:
        # bob comments on his like from the dataset's page (then closes it: the next test wants his Launcher)
        _, bob = open_lab(chromium, hub, "bob")
        open_catalogue(bob)
        bob.locator(".jp-Beamhub-searchInput").fill(i22[1]["datasetName"])
        bob.locator(f'.jp-Beamhub-result[data-pid="{i22[1]["pid"]}"] .jp-Beamhub-resultName').click()
        form = bob.locator(".jp-Beamhub-detail:visible .jp-Beamhub-voteComment")
        form.locator("input").fill("commented in JupyterLab")
        form.locator("button:has-text('Save comment')").click()
        form.locator(".jp-Beamhub-voteCommentSaved").wait_for()
        screenshot(bob, SHOTS, "06a-bob-comments-his-vote")
        bob.keyboard.press("Alt+W")
        bob.wait_for_selector(".jp-Beamhub-detail", state="detached")
        for dataset, comment in ((i22[0], "beam dumped mid-run"), (i22[1], "commented in JupyterLab")):
            # the box starts with what he saved before (from the API, or just now), not empty
            bob.locator(".jp-Beamhub-searchInput").fill(dataset["datasetName"])
            bob.locator(f'.jp-Beamhub-result[data-pid="{dataset["pid"]}"] .jp-Beamhub-resultName').click()
            box = bob.locator(".jp-Beamhub-detail:visible .jp-Beamhub-voteComment input")
            box.wait_for()
            bob.wait_for_function("([el, text]) => el.value === text", arg=[box.element_handle(), comment],
                                  timeout=10_000)
            bob.keyboard.press("Alt+W")
            bob.wait_for_selector(".jp-Beamhub-detail", state="detached")
        mine = {v["pid"]: v for v in hub.get("bob", "/me/votes").json()}
        assert mine[i22[1]["pid"]]["comment"] == "commented in JupyterLab" and mine[i22[1]["pid"]]["value"] == "like"

        _, grace = open_lab(chromium, hub, "grace")
        grace.wait_for_function("() => document.body.innerText.includes('Beamline panel')", timeout=30_000)
        assert "Beamline panel" in palette_items(grace, "Beamline")
        open_launcher(grace)
        card = grace.locator(".jp-LauncherCard:visible",
                             has=grace.locator(".jp-LauncherCard-label", has_text="Beamline panel")).first
        try:
            card.wait_for(timeout=30_000)
        except Exception:
            screenshot(grace, SHOTS, "06-grace-launcher")
            raise AssertionError(f"no Beamline panel card among {launcher_labels(grace)}") from None
        card.click()
        panel = grace.locator(".jp-Beamhub-beamline:visible")
        for (user, pid), (value, comment) in cast.items():
            voter = panel.locator(f'tr[data-pid="{pid}"] li[data-user="{user}"]')
            voter.wait_for(timeout=30_000)
            text = voter.inner_text()
            assert value in text and comment in text, (user, pid, text)
        row = panel.locator(f'tr[data-pid="{i22[0]["pid"]}"]').inner_text()
        assert i22[0]["datasetName"] in row and "p1002" in row
        assert "p1002" in panel.locator(".jp-Beamhub-beamlineRatios").first.inner_text()
        screenshot(grace, SHOTS, "06-grace-beamline-panel")
        panel.locator("button:has-text('Interactive plots')").click()  # the hvplot notebook
        grace.wait_for_function("() => [...document.querySelectorAll('.jp-NotebookPanel')].some("
                                "p => p.innerText.includes('BEAMLINE = \"i22\"'))", timeout=60_000)
        screenshot(grace, SHOTS, "07-grace-hvplot-notebook")

        _, alice = open_lab(chromium, hub, "alice")
        open_launcher(alice)
        alice.locator('.jp-Launcher-sectionTitle:text-is("Beamline templates")').wait_for()
        alice.wait_for_timeout(2000)
        assert "Beamline panel" not in launcher_labels(alice)
        assert "Beamline panel" not in palette_items(alice, "Beamline")
        assert alice.locator(".jp-Beamhub-beamline").count() == 0
        screenshot(alice, SHOTS, "08-alice-no-beamline-panel")


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

