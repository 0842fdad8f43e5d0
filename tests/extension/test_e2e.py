"""End to end, as users work: two browsers, a real JupyterHub with its proxy, the
catalogue service over the demo data, JupyterLab servers with this extension.

Each step saves a screenshot under test-artifacts/test_extension_e2e/.
"""

from __future__ import annotations

import re

import pytest
import requests

from beamhub.catalogue import Identity, SearchQuery, open_store
from tests.services.browser import browser, screenshot

from .e2e_hub import lab_with_results, open_catalogue, open_lab

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

SHOTS = "test_extension_e2e"
SHARED = "p1002"   # alice and bob
PRIVATE = "p1001"  # alice only


def datasets_of(store_url: str, proposal: str) -> list:
    with open_store(store_url) as store:
        result = store.search(Identity("probe", groups=frozenset({proposal})),
                              SearchQuery(proposal=[proposal], type=["raw"], sort="datasetName", limit=50))
    return result.items


def row(page, pid: str):
    return page.locator(f'.jp-Beamhub-result[data-pid="{pid}"]')


def search(page, text: str) -> None:
    box = page.locator(".jp-Beamhub-searchInput")
    box.fill("")
    box.type(text, delay=30)
    page.wait_for_function(
        "() => !document.querySelector('.jp-Beamhub-status')?.textContent.includes('searching')")
    page.wait_for_timeout(400)


def test_alice_and_bob_search_vote_select_and_process(hub, demo_store):
    store_url, _ = demo_store
    shared = datasets_of(store_url, SHARED)
    private = datasets_of(store_url, PRIVATE)
    assert len(shared) >= 3 and private, "the demo data has three raw datasets in p1002 and some in p1001"
    target = shared[0]

    with browser() as chromium:
        alice_context, alice = open_lab(chromium, hub, "alice")
        open_catalogue(alice)
        alice.wait_for_timeout(3000)
        screenshot(alice, SHOTS, "01-alice-catalogue")
        alice.wait_for_selector(".jp-Beamhub-result")
        visible = hub.get("alice", "/datasets", params={"limit": 1}).json()["total"]
        assert alice.locator(".jp-Beamhub-status").inner_text() == f"{visible} datasets"
        assert 0 < alice.locator(".jp-Beamhub-result").count() <= visible  # a window of the results

        # search: the panel shows what matches as she types
        word = re.split(r"[_\s]", target.datasetName)[0]
        search(alice, word)
        matching = hub.get("alice", "/datasets", params={"text": word, "limit": 1}).json()["total"]
        assert 0 < matching < visible
        assert alice.locator(".jp-Beamhub-status").inner_text().startswith(f"{matching} dataset")
        assert row(alice, target.pid).count() == 1
        screenshot(alice, SHOTS, "02-alice-search")

        # facet: only the chosen beamline's datasets remain, counts are shown
        search(alice, "")
        facet = alice.locator(f'.jp-Beamhub-facet[data-facet="beamline"] label:has-text("{target.creationLocation}")')
        count_text = facet.locator(".jp-Beamhub-facetCount").inner_text()
        facet.locator("input").check()
        alice.wait_for_selector(".jp-Beamhub-chip")
        alice.wait_for_timeout(500)
        metas = alice.locator(".jp-Beamhub-result .jp-Beamhub-resultMeta span[title=Beamline]").all_inner_texts()
        assert metas and set(metas) == {target.creationLocation}
        assert alice.locator(".jp-Beamhub-status").inner_text().startswith(count_text.replace(",", ""))
        screenshot(alice, SHOTS, "03-alice-facet")

        # detail view: every field, scientific metadata as a table, lineage
        row(alice, target.pid).locator(".jp-Beamhub-resultName").click()
        detail = alice.locator(".jp-Beamhub-detail:visible")
        detail.locator(".jp-Beamhub-detailTitle").wait_for()
        assert detail.locator(".jp-Beamhub-detailTitle").inner_text() == target.datasetName
        assert target.pid in detail.locator(".jp-Beamhub-fields").inner_text()
        assert target.scientificMetadata, "the demo's SAXS datasets carry scientific metadata"
        assert detail.locator(".jp-Beamhub-scientific tbody tr").count() == len(target.scientificMetadata)
        first_name = sorted(target.scientificMetadata)[0]
        assert first_name in detail.locator(".jp-Beamhub-scientific").inner_text()
        preview = detail.locator(".jp-Beamhub-preview img")
        alice.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
        assert detail.locator(".jp-Beamhub-files tbody tr").count() >= 1
        assert "Raw data: no inputs." in detail.locator(".jp-Beamhub-lineage").inner_text()
        screenshot(alice, SHOTS, "04-alice-detail")

        # like: the count goes up at once and stays (the service confirmed it)
        like = detail.locator(".jp-Beamhub-like")
        before = int(like.locator(".jp-Beamhub-voteCount").inner_text())
        like.click()
        alice.wait_for_function(
            "() => !document.querySelector('.jp-Beamhub-detail:not(.lm-mod-hidden) .jp-Beamhub-votes.jp-mod-pending')")
        assert int(like.locator(".jp-Beamhub-voteCount").inner_text()) == before + 1
        assert like.get_attribute("aria-pressed") == "true"
        answer = hub.get("alice", "/datasets/" + requests.utils.quote(target.pid, safe=""))
        assert answer.json()["likes"] == before + 1 and answer.json()["myVote"] == "like"
        screenshot(alice, SHOTS, "05-alice-liked")

        # a vote the catalogue cannot store is taken back, and a notification says why
        # (the failure is injected in the browser: a stand-in answer for this one request)
        failure = '{"code": "store_unavailable", "message": "the catalogue database cannot be reached"}'
        alice.route("**/beamhub/api/v1/datasets/*/vote",
                    lambda route: route.fulfill(status=503, body=failure, content_type="application/json"))
        dislike = detail.locator(".jp-Beamhub-dislike")
        dislikes_before = int(dislike.locator(".jp-Beamhub-voteCount").inner_text())
        dislike.click()
        toast = alice.locator(".Toastify__toast", has_text="was not saved")
        toast.wait_for()
        assert "the catalogue database cannot be reached" in toast.inner_text()
        assert int(dislike.locator(".jp-Beamhub-voteCount").inner_text()) == dislikes_before
        assert int(like.locator(".jp-Beamhub-voteCount").inner_text()) == before + 1
        assert like.get_attribute("aria-pressed") == "true"
        alice.wait_for_timeout(800)  # the notification slides in
        screenshot(alice, SHOTS, "05b-alice-vote-not-saved")
        alice.unroute("**/beamhub/api/v1/datasets/*/vote")
        assert hub.get("alice", "/datasets/" + requests.utils.quote(target.pid, safe="")).json()["myVote"] == "like"

        # bob, in his own browser, sees the same count and not alice's private proposal
        bob_context, bob = lab_with_results(chromium, hub, "bob")
        search(bob, target.datasetName)
        bob_row = row(bob, target.pid)
        assert bob_row.locator(".jp-Beamhub-like .jp-Beamhub-voteCount").inner_text() == str(before + 1)
        assert bob_row.locator(".jp-Beamhub-like").get_attribute("aria-pressed") == "false"
        screenshot(bob, SHOTS, "06-bob-sees-the-like")

        search(bob, private[0].datasetName)
        assert row(bob, private[0].pid).count() == 0
        search(bob, "")
        proposals = bob.locator('.jp-Beamhub-facet[data-facet="proposal"]')
        proposals.locator("summary").click()
        assert PRIVATE not in proposals.inner_text()
        assert SHARED in proposals.inner_text()
        bob_search = hub.get("bob", "/datasets", params={"proposal": PRIVATE}).json()
        assert bob_search["total"] == 0
        screenshot(bob, SHOTS, "07-bob-cannot-find-p1001")
        bob_context.close()

        # alice picks three datasets, reviews them side by side, names and submits them
        alice.click('.jp-Beamhub-panel .jp-Beamhub-clearAll')
        search(alice, "")
        chosen = shared[:3]
        for dataset in chosen:
            search(alice, dataset.datasetName)
            row(alice, dataset.pid).locator(".jp-Beamhub-addToBasket").click()
        assert alice.locator(".jp-Beamhub-openBasket").inner_text() == "Selection (3)"
        alice.click(".jp-Beamhub-openBasket")
        basket = alice.locator(".jp-Beamhub-basket:visible")
        basket.locator(".jp-Beamhub-card").first.wait_for()
        assert sorted(basket.locator(".jp-Beamhub-card").evaluate_all("cards => cards.map(c => c.dataset.pid)")) == \
            sorted(d.pid for d in chosen)
        basket.locator(".jp-Beamhub-selectionName").fill("e2e: three SAXS runs")
        basket.locator(".jp-Beamhub-processing").wait_for()
        alice.wait_for_function("() => document.querySelector('.jp-Beamhub-processing')?.value !== ''")
        screenshot(alice, SHOTS, "08-alice-selection")
        basket.locator(".jp-Beamhub-submit").click()
        job = basket.locator(".jp-Beamhub-job")
        job.wait_for()
        alice.wait_for_selector('.jp-Beamhub-job[data-status="done"], .jp-Beamhub-job[data-status="failed"]',
                                timeout=300_000)
        screenshot(alice, SHOTS, "09-alice-job-finished")
        assert job.get_attribute("data-status") == "done", job.inner_text()

        # the derived dataset opens, and its lineage leads back to the three inputs
        derived_link = job.locator(".jp-Beamhub-pidLink").first
        derived_pid = derived_link.get_attribute("data-pid")
        derived_link.click()
        page_of_derived = alice.locator(f".jp-Beamhub-detail:visible")
        page_of_derived.locator(".jp-Beamhub-lineage li").first.wait_for()
        inputs = page_of_derived.locator(".jp-Beamhub-lineage .jp-Beamhub-pidLink").evaluate_all(
            "links => links.map(a => a.dataset.pid)")
        assert set(d.pid for d in chosen) <= set(inputs)
        assert derived_pid in page_of_derived.locator(".jp-Beamhub-fields").inner_text()
        screenshot(alice, SHOTS, "10-alice-derived-dataset")

        # "Open in notebook": the frame-score template (the one for this output's kind) whose
        # loading cell opens the dataset
        page_of_derived.locator(".jp-Beamhub-openNotebook").click()
        notebook = alice.locator(".jp-NotebookPanel:visible")
        notebook.locator(".jp-CodeCell .cm-content").first.wait_for()
        alice.wait_for_function("pid => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .cm-content')]"
                                ".some(c => c.textContent.includes(pid))", arg=derived_pid)
        loader = notebook.locator(".jp-CodeCell", has_text=derived_pid).first
        assert "from beamhub.client import Catalogue" in loader.locator(".cm-content").text_content()
        # ... and running it loads every output file: one per input stack
        alice.wait_for_function(
            "() => /Idle/.test(document.querySelector('.jp-StatusBar-Widget .jp-StatusBar-TextItem[title*=\"kernel\" i], "
            ".jp-KernelStatus')?.textContent ?? document.body.querySelector('#jp-main-statusbar')?.textContent ?? '')",
            timeout=120_000)
        loader.locator(".cm-content").click()
        alice.keyboard.press("Shift+Enter")
        output = loader.locator(".jp-OutputArea-output").first
        try:
            output.wait_for(timeout=120_000)
            alice.wait_for_function(
                "() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')]"
                ".some(o => /files loaded|Traceback|Error/.test(o.textContent))", timeout=120_000)
            loader.scroll_into_view_if_needed()
        finally:
            screenshot(alice, SHOTS, "11-alice-notebook")
        assert f"{len(chosen)} of {len(chosen)} files loaded" in output.text_content(), output.text_content()[:2000]

        # a reload loses nothing: the finished selection is listed with its derived data
        alice.reload()
        notebook.wait_for()
        # JupyterLab restores the notebook and activates it once its kernel is back
        alice.wait_for_function("() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent ?? '')",
                                timeout=120_000)
        open_catalogue(alice)
        alice.click(".jp-Beamhub-openBasket")
        earlier = alice.locator('.jp-Beamhub-basket .jp-Beamhub-job[data-status="done"]', has_text="e2e: three SAXS runs")
        earlier.wait_for(state="attached")
        earlier.locator(f'.jp-Beamhub-pidLink[data-pid="{derived_pid}"]').wait_for(state="attached")
        alice.click('.lm-DockPanel-tabBar .lm-TabBar-tab:has-text("Selection")')
        alice.wait_for_timeout(300)
        screenshot(alice, SHOTS, "11b-alice-after-reload")
        alice_context.close()


def colours(locator) -> dict:
    """An element's text against the background it sits on: the WCAG contrast ratio and
    the background's relative luminance (0 black, 1 white)."""
    return locator.evaluate("""element => {
        const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const luminance = ([r, g, b]) => {
            const [R, G, B] = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * R + 0.7152 * G + 0.0722 * B;
        };
        let node = element, background = 'rgba(0, 0, 0, 0)';
        while (node && /rgba\\(.*, 0\\)$|transparent/.test(background)) {
            background = getComputedStyle(node).backgroundColor;
            node = node.parentElement;
        }
        const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(rgb(background))];
        return {contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), background: b};
    }""")


def test_bob_votes_from_the_keyboard_in_the_dark_theme_in_a_narrow_sidebar(hub):
    with browser() as chromium:
        context, bob = lab_with_results(chromium, hub, "bob")
        search(bob, "")
        bob.locator('.jp-Beamhub-facet[data-facet="proposal"] summary').click()
        bob.locator(f'.jp-Beamhub-facet[data-facet="proposal"] label:has-text("{SHARED}") input').check()
        bob.wait_for_selector(".jp-Beamhub-chip")
        bob.wait_for_timeout(500)

        # the first result is current after a search; J steps to the second, L, D and C vote on it
        results = bob.locator(".jp-Beamhub-results")
        results.focus()
        bob.keyboard.press("j")
        current = bob.locator(".jp-Beamhub-result.jp-mod-selected")
        second = bob.locator(".jp-Beamhub-result").nth(1).get_attribute("data-pid")
        assert current.get_attribute("data-pid") == second
        assert results.get_attribute("aria-activedescendant")  # screen readers follow the focus

        def bobs_vote():
            return hub.get("bob", "/datasets/" + requests.utils.quote(second, safe="")).json()["myVote"]

        for key, vote in (("l", "like"), ("d", "dislike"), ("c", None)):
            bob.keyboard.press(key)
            bob.wait_for_function(
                "() => !document.querySelector('.jp-Beamhub-result.jp-mod-selected .jp-Beamhub-votes.jp-mod-pending')")
            for _ in range(20):  # the optimistic state shows first; the service's answer follows
                if bobs_vote() == vote:
                    break
                bob.wait_for_timeout(100)
            assert bobs_vote() == vote, key
            pressed = {name: current.locator(f".jp-Beamhub-{name}").get_attribute("aria-pressed")
                       for name in ("like", "dislike")}
            assert pressed == {"like": str(vote == "like").lower(), "dislike": str(vote == "dislike").lower()}
        bob.keyboard.press("k")
        assert bob.locator(".jp-Beamhub-result.jp-mod-selected").get_attribute("data-pid") != second
        screenshot(bob, SHOTS, "12-bob-keyboard-votes")

        # the dark theme: the panel follows JupyterLab's theme and stays readable
        light = colours(bob.locator(".jp-Beamhub-result:not(.jp-mod-selected) .jp-Beamhub-resultName").first)
        bob.click('.lm-MenuBar-itemLabel:text-is("Settings")')
        bob.click('.lm-Menu-itemLabel:text-is("Theme")')
        bob.click('.lm-Menu-itemLabel:text-is("JupyterLab Dark")')
        bob.wait_for_selector('body[data-jp-theme-light="false"]', state="attached", timeout=60_000)
        bob.wait_for_timeout(1000)
        dark = colours(bob.locator(".jp-Beamhub-result:not(.jp-mod-selected) .jp-Beamhub-resultName").first)
        assert light["background"] > 0.8 and dark["background"] < 0.1, (light, dark)
        assert light["contrast"] >= 4.5 and dark["contrast"] >= 4.5, (light, dark)
        screenshot(bob, SHOTS, "13-bob-dark-theme")

        # a narrow sidebar: nothing spills out sideways, the search box and buttons stay whole
        handle = bob.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
        box = handle.bounding_box()
        bob.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        bob.mouse.down()
        bob.mouse.move(300, box["y"] + box["height"] / 2, steps=5)
        bob.mouse.up()
        bob.wait_for_timeout(500)
        panel = bob.locator(".jp-Beamhub-panel")
        width = panel.bounding_box()["width"]
        assert width <= 300, width
        overflowing = panel.evaluate("""panel => {
            const edge = panel.getBoundingClientRect().right + 1;
            return [...panel.querySelectorAll('input, button, .jp-Beamhub-result, .jp-Beamhub-status')]
                .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > edge)
                .map(e => e.className || e.tagName);
        }""")
        assert overflowing == [], overflowing
        assert panel.evaluate("p => p.scrollWidth <= p.clientWidth + 1")
        screenshot(bob, SHOTS, "14-bob-narrow-sidebar")
        context.close()
