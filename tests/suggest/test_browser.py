"""In a real browser: alice sorts her catalogue by "Suggested", lets the fog filter select
the suggestions, reviews them, takes the suggested parameters and submits; the job runs.

A real JupyterHub with its proxy and the catalogue service, alice's JupyterLab server
with this extension, Debian's chromium through Playwright; the catalogue is 36 MX sweeps
of hidden quality in p5001-p5003, voted on by their members (``voted.py``); alice is in
p5001 only. Screenshots: test-artifacts/test_suggest_browser/.
"""

from __future__ import annotations

import os

import pytest

from beamhub.catalogue import Identity
from beamhub.suggest.suggester import all_visible
from tests.extension.e2e_hub import open_catalogue, open_lab, start_hub
from tests.services.browser import browser, screenshot

from .voted import STAFF, derived, voted_catalogue

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

SHOTS = "test_suggest_browser"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    work = tmp_path_factory.mktemp("suggest-browser")
    os.chmod(work, 0o755)
    store, by_proposal = voted_catalogue(work)
    staff_view = {d.pid: d for d in all_visible(store, STAFF)}
    liked = sorted(pid for pid in by_proposal["p5001"] if staff_view[pid].likes > staff_view[pid].dislikes)
    # one liked sweep of p5001 was processed before with sigma 4: the parameters to suggest
    store.upsert_datasets(Identity.for_operator(), [derived(1, staff_view[liked[0]], 4.0)])
    store.close()
    running = start_hub(store.url, {"alice": ["p5001"]}, work / "hub")
    try:
        yield running, by_proposal, liked[0]
    finally:
        running.close()


def test_alice_selects_the_suggestions_and_the_job_runs(hub):
    running, by_proposal, processed = hub
    ranking = running.get("alice", "/suggestions", params={"type": "raw", "limit": 200}).json()
    assert ranking["total"] == 12 and ranking["scored"] == 12  # p5001's sweeps, all scored
    worth = running.get("alice", "/suggestions", params={"min_score": 0.5, "limit": 10}).json()
    assert 0 < worth["total"] < 13, "some of alice's datasets are worth processing, not all"
    expected = [item["pid"] for item in worth["items"]]

    with browser() as chromium:
        context, alice = open_lab(chromium, running, "alice")
        open_catalogue(alice)
        alice.wait_for_selector(".jp-Beamhub-result")

        # the "Suggested" sort: the best suggestion first, each with its score and why
        alice.select_option(".jp-Beamhub-panel .jp-Beamhub-sort", "suggested")
        rows = alice.locator(".jp-Beamhub-suggestion")
        alice.wait_for_selector('.jp-Beamhub-suggested[data-state="ready"] .jp-Beamhub-suggestion')
        shown = rows.evaluate_all("rows => rows.map(r => [r.dataset.pid, r.dataset.score])")
        assert len(shown) == 13  # 12 sweeps and the derived dataset, which has no frames
        scores = [float(score) for _, score in shown if score != ""]
        assert scores == sorted(scores, reverse=True) and len(scores) >= 12
        assert {pid for pid, _ in shown} <= by_proposal["p5001"] | {"beamhub/derived-1"}
        best = rows.first
        assert best.locator(".jp-Beamhub-score").inner_text().startswith("suggested 0.")
        best.locator(".jp-Beamhub-why summary").click()
        why = best.locator(".jp-Beamhub-why").inner_text()
        assert "Most similar voted datasets" in why and "Features that weighed most" in why
        assert "votes on" in why and "datasets you can see" in why
        screenshot(alice, SHOTS, "01-suggested-sort")

        # the "worth processing" filter
        alice.locator(".jp-Beamhub-worth input").check()
        alice.wait_for_function(
            "n => document.querySelectorAll('.jp-Beamhub-suggested[data-state=\"ready\"] .jp-Beamhub-suggestion')"
            ".length === n", arg=min(worth["total"], 50))
        screenshot(alice, SHOTS, "02-worth-processing")

        # "Select suggested" fills the basket with the top suggestions, for her to review
        alice.click(".jp-Beamhub-openBasket")
        basket = alice.locator(".jp-Beamhub-basket:visible")
        basket.locator(".jp-Beamhub-selectSuggestedButton").click()
        basket.locator(".jp-Beamhub-card").first.wait_for()
        cards = basket.locator(".jp-Beamhub-card").evaluate_all("cards => cards.map(c => c.dataset.pid)")
        assert cards == expected
        assert "review before submitting" in basket.locator(".jp-Beamhub-selectSuggested").inner_text()
        screenshot(alice, SHOTS, "03-selected-suggestions")
        # she removes one: the sweep processed before if it was suggested, else the last
        assert len(cards) > 1, "at least two of p5001's sweeps are worth processing"
        removed = processed if processed in cards else cards[-1]
        basket.locator(f'.jp-Beamhub-card[data-pid="{removed}"] .jp-Beamhub-remove').click()
        alice.wait_for_function("n => document.querySelectorAll('.jp-Beamhub-basket .jp-Beamhub-card').length === n",
                                arg=len(cards) - 1)
        cards = [pid for pid in cards if pid != removed]

        # the parameters chosen for a similar liked dataset, with where they came from
        basket.locator(".jp-Beamhub-selectionName").fill("suggested sweeps")
        alice.wait_for_function("() => document.querySelector('.jp-Beamhub-processing')?.value === 'frame-score'")
        basket.locator(".jp-Beamhub-suggestParameters").click()
        sigma = basket.locator('.jp-Beamhub-provenance li[data-parameter="sigma"]')
        sigma.wait_for()
        assert "sigma = 4" in sigma.inner_text() and processed in sigma.inner_text()
        alice.wait_for_function("() => document.querySelector('.jp-Beamhub-parametersForm input#root_sigma')?.value === '4'")
        screenshot(alice, SHOTS, "04-suggested-parameters")

        # submit: the job runs and registers its result
        basket.locator(".jp-Beamhub-submit").click()
        job = basket.locator(".jp-Beamhub-job").first
        job.wait_for()
        alice.wait_for_selector('.jp-Beamhub-job[data-status="done"], .jp-Beamhub-job[data-status="failed"]',
                                timeout=300_000)
        screenshot(alice, SHOTS, "05-job-finished")
        assert job.get_attribute("data-status") == "done", job.inner_text()
        context.close()

    selections = [s for s in running.get("alice", "/selections").json() if s["name"] == "suggested sweeps"]
    assert len(selections) == 1 and selections[0]["status"] == "done"
    assert sorted(selections[0]["datasets"]) == sorted(cards)
    assert selections[0]["processing"] == "frame-score" and selections[0]["parameters"]["sigma"] == 4
