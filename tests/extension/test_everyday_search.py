"""Everyday search in a real browser (issue 15, "Search answers truthfully"): words in
any script, answers that say why they are empty, condition autocomplete, counts that
stay fresh, the search shortcut from a notebook, dave without a proposal, the facet
setting, derived data and the selection form.

A real JupyterHub with its proxy, the catalogue service over the demo data, JupyterLab
servers with this extension, Debian's chromium. Screenshots under
test-artifacts/test_everyday_search/.
"""

from __future__ import annotations

import time

import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.units import normalize
from tests.services.browser import browser, screenshot

from .e2e_hub import lab_with_results, open_catalogue, open_lab

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

SHOTS = "test_everyday_search"


def status(page) -> str:
    return page.locator(".jp-Beamhub-status").first.inner_text()


def search(page, text: str) -> None:
    box = page.locator(".jp-Beamhub-searchInput")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "text => document.querySelector('.jp-Beamhub-panelBody')?.dataset.shownQuery === text"
        " && document.querySelector('.jp-Beamhub-panelBody')?.dataset.state === 'ready'", arg=text)


def hint_terms(page) -> list[str]:
    return page.locator(".jp-Beamhub-hints li").evaluate_all("els => els.map(e => e.dataset.term)")


def open_conditions(page):
    """The conditions section's input (the section closes when the last condition goes)."""
    if not page.locator(".jp-Beamhub-conditions").evaluate("e => e.open"):
        page.locator(".jp-Beamhub-conditions summary").click()
    return page.locator(".jp-Beamhub-conditionInput")


def test_non_latin_words_and_empty_answers_say_why(hub):
    with browser() as chromium:
        context, alice = lab_with_results(chromium, hub, "alice")
        visible = hub.get("alice", "/datasets", params={"limit": 1}).json()["total"]
        assert visible > 0
        for text, terms in [("лизоцим", ["лизоцим"]), ("溶菌酶", ["溶菌酶"]), ("🧪", ["🧪"]),
                            ("\\", ["\\"]), ("*", ["*"])]:
            search(alice, text)
            assert alice.locator(".jp-Beamhub-result").count() == 0, text   # never everything
            assert status(alice).startswith("No datasets match"), text
            assert hint_terms(alice) == terms, text
        search(alice, "thaumatin лизоцим")
        assert alice.locator(".jp-Beamhub-result").count() == 0
        assert "лизоцим" in hint_terms(alice)
        assert "no dataset you may see has the word 'лизоцим'" in alice.locator(".jp-Beamhub-hints").inner_text()
        screenshot(alice, SHOTS, "01-alice-non-latin-hint")

        # proposal titles: "nanoparticle" is in p1002's title ("Silica nanoparticle growth in situ")
        search(alice, "nanoparticle")
        offer = alice.locator('.jp-Beamhub-proposalMatches [data-proposal="p1002"]')
        offer.wait_for()
        assert "nanoparticle" in offer.inner_text().lower()
        # ... and its datasets are the answer, though none of them says "nanoparticle"
        in_p1002 = hub.get("alice", "/datasets", params={"proposal": "p1002", "limit": 1}).json()["total"]
        assert in_p1002 > 0 and status(alice).startswith(f"{in_p1002} dataset")
        shown = alice.locator(".jp-Beamhub-result").evaluate_all("rs => rs.map(r => r.dataset.pid)")
        p1002 = {d["pid"] for d in hub.get("alice", "/datasets", params={"proposal": "p1002", "limit": 100}).json()["items"]}
        assert shown and set(shown) <= p1002
        offer.click()
        alice.wait_for_selector('.jp-Beamhub-chip:has-text("Proposal: p1002")')
        alice.wait_for_function("() => document.querySelector('.jp-Beamhub-panelBody')?.dataset.state === 'ready'")
        assert status(alice).startswith(f"{in_p1002} dataset")
        screenshot(alice, SHOTS, "01b-alice-proposal-title")
        alice.locator(".jp-Beamhub-clearAll").click()

        # conditions: the fields of alice's datasets as autocomplete, and hints for unknown ones
        search(alice, "")
        fields = hub.get("alice", "/fields").json()
        assert fields["fields"], "the demo datasets have scientific metadata"
        condition = open_conditions(alice)
        condition.focus()
        alice.wait_for_function("() => document.querySelectorAll('#jp-Beamhub-fieldNames option').length > 0")
        offered = alice.locator("#jp-Beamhub-fieldNames option").evaluate_all("els => els.map(e => e.value.trim())")
        assert offered == [f["name"] for f in fields["fields"]]
        numeric = next(f for f in fields["fields"] if f["units"] and f["units"][0]["unit"])
        condition.fill(numeric["name"])
        help_text = alice.locator(".jp-Beamhub-fieldHelp").inner_text()
        assert help_text.startswith(f"{numeric['name']}: {numeric['count']} dataset")
        assert numeric["units"][0]["unit"] in help_text
        screenshot(alice, SHOTS, "02-alice-condition-autocomplete")
        condition.fill("foo > 1")
        assert "No dataset you may see has a field 'foo'" in alice.locator(".jp-Beamhub-fieldHelp").inner_text()
        condition.press("Enter")
        alice.wait_for_selector('.jp-Beamhub-hints li[data-kind="field"][data-term="foo"]')
        assert "no dataset you may see has a field 'foo'" in alice.locator(".jp-Beamhub-hints").inner_text()
        alice.locator(".jp-Beamhub-chip:has-text('foo > 1')").click()
        # a name that is the end of a real one (energy -> incident_energy) is named with it
        names = {f["name"] for f in fields["fields"]}
        compound = sorted((n for n in names if "_" in n and n.rsplit("_", 1)[1] not in names),
                          key=lambda n: not n.endswith("energy"))   # incident_energy -> energy if there
        long = compound[0] if compound else None
        assert long, f"a field with a compound name among {sorted(names)}"
        short = long.rsplit("_", 1)[1]
        condition = open_conditions(alice)
        condition.fill(f"{short} > 1")
        condition.press("Enter")
        hint = alice.locator(f'.jp-Beamhub-hints li[data-kind="field"][data-term="{short}"]')
        hint.wait_for()
        assert long in hint.inner_text()
        alice.locator(f".jp-Beamhub-chip:has-text('{short} > 1')").click()
        # a unit of another kind than the field's is named
        condition = open_conditions(alice)
        kinds = {normalize(1.0, u["unit"])[1] for u in numeric["units"]}
        other = next(u for u in ("K", "kg", "A", "mol") if normalize(1.0, u)[1] not in kinds)
        condition.fill(f"{numeric['name']} > 1 {other}")
        condition.press("Enter")
        alice.locator(f'.jp-Beamhub-hints li[data-kind="unit"][data-term="{other}"]').wait_for()
        assert "cannot be converted" in alice.locator(".jp-Beamhub-hints").inner_text()
        screenshot(alice, SHOTS, "03-alice-unit-hint")
        context.close()


def test_counts_stay_fresh_and_refresh_on_demand(hub):
    with browser() as chromium:
        context, alice = lab_with_results(chromium, hub, "alice")
        # a dataset bob can vote on too (a shared proposal)
        bobs = hub.get("bob", "/datasets", params={"limit": 200}).json()["items"]
        alices = {d["pid"] for d in hub.get("alice", "/datasets", params={"limit": 200}).json()["items"]}
        shared = next(d for d in bobs if d["pid"] in alices)
        search(alice, shared["datasetName"])
        row = alice.locator(f'.jp-Beamhub-result[data-pid="{shared["pid"]}"]')
        row.wait_for()
        before = row.inner_text()
        asked = alice.evaluate("() => document.querySelector('.jp-Beamhub-panelBody').dataset.shownQuery")
        from tests.api.hubsetup import quote_pid
        path = f"/datasets/{quote_pid(shared['pid'])}/vote"
        assert hub.request("bob", "PUT", path, json={"value": "like"}).status_code == 200
        likes = hub.get("alice", f"/datasets/{quote_pid(shared['pid'])}").json()["likes"]
        # no typing, no click: the panel's own poll brings bob's like (refreshSeconds, 30 s)
        deadline = time.monotonic() + 75
        while time.monotonic() < deadline and row.inner_text() == before:
            alice.wait_for_timeout(1000)
        assert row.inner_text() != before, "bob's like did not show up by itself"
        assert str(likes) in row.inner_text()
        assert alice.evaluate("() => document.querySelector('.jp-Beamhub-panelBody').dataset.shownQuery") == asked
        screenshot(alice, SHOTS, "04-alice-count-refreshed")
        # the refresh button brings the next change at once
        after = row.inner_text()
        assert hub.request("bob", "DELETE", path).status_code == 200
        alice.locator(".jp-Beamhub-refresh").click()
        alice.wait_for_function(
            "([pid, text]) => document.querySelector(`.jp-Beamhub-result[data-pid=\"${pid}\"]`)?.innerText !== text",
            arg=[shared["pid"], after], timeout=10_000)
        context.close()


def test_search_shortcut_from_a_notebook_and_the_facet_setting(hub):
    with browser() as chromium:
        context, alice = open_lab(chromium, hub, "alice")
        # a notebook has the focus, the catalogue panel is closed
        alice.evaluate("() => window.jupyterapp?.commands.execute('notebook:create-new', {kernelName: 'python3'})")
        if not alice.locator(".jp-NotebookPanel").count():
            alice.locator('.jp-LauncherCard[data-category="Notebook"]').first.click()
        alice.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        alice.locator(".jp-NotebookPanel .jp-Cell").first.click()
        tab = alice.locator('.jp-SideBar [data-id="beamhub-catalogue"]')
        if tab.get_attribute("aria-selected") == "true":
            tab.click()
        alice.keyboard.press("Escape")   # command mode, as after running a cell
        alice.keyboard.press("Alt+Shift+C")
        alice.wait_for_function(
            "() => document.activeElement?.classList.contains('jp-Beamhub-searchInput')", timeout=10_000)
        assert alice.locator(".jp-Beamhub-panel").is_visible()
        screenshot(alice, SHOTS, "05-alice-shortcut-from-notebook")
        # the same keys typed in a cell's editor also search (they insert nothing)
        alice.locator(".jp-NotebookPanel .jp-Cell .cm-content").first.click()
        alice.keyboard.type("x = 1")
        alice.keyboard.press("Alt+Shift+C")
        alice.wait_for_function(
            "() => document.activeElement?.classList.contains('jp-Beamhub-searchInput')", timeout=10_000)
        assert alice.locator(".jp-NotebookPanel .jp-Cell .cm-content").first.inner_text().strip() == "x = 1"

        # the facet setting: five labelled checkboxes in the settings editor
        alice.keyboard.press("Control+Comma")
        editor = alice.locator(".jp-SettingsPanel, .jp-SettingsEditor").first
        editor.wait_for()
        alice.locator(".jp-PluginList-entry:has-text('Catalogue (beamhub)')").first.click()
        alice.get_by_text("Facets shown").first.wait_for()
        for key, label in (("beamline", "Beamline"), ("proposal", "Proposal"), ("technique", "Technique"),
                           ("type", "Type (raw, derived)"), ("year", "Year")):
            box = alice.locator(f"input[type=checkbox][id$='facets_{key}']")
            assert box.is_visible() and box.is_checked(), key
            shown = box.evaluate("e => ((e.labels && e.labels[0]) || e.closest('label'))?.textContent.trim()")
            assert shown == label, (key, shown)
        screenshot(alice, SHOTS, "06-alice-facet-setting")
        alice.locator("input[type=checkbox][id$='facets_year']").uncheck()
        open_catalogue(alice)
        alice.wait_for_function("() => !document.querySelector('.jp-Beamhub-facet[data-facet=\"year\"]')",
                                timeout=15_000)
        assert alice.locator('.jp-Beamhub-facet[data-facet="beamline"]').count() == 1
        context.close()


def test_dave_is_told_he_has_no_proposal(hub):
    assert hub.users.get("dave") == [], "the demo's dave is in no proposal"
    with browser() as chromium:
        context, dave = open_lab(chromium, hub, "dave")
        open_catalogue(dave)
        note = dave.locator(".jp-Beamhub-noAccess")
        note.wait_for()
        assert "no proposal" in note.inner_text() and "principal investigator" in note.inner_text()
        search(dave, "lysozyme")
        if dave.locator(".jp-Beamhub-result").count() == 0:
            assert "Try fewer words" not in status(dave)
        search(dave, "qqqqzzzz ")
        assert "Try fewer words" not in status(dave)
        screenshot(dave, SHOTS, "07-dave-no-proposal")
        context.close()


def test_derived_data_and_the_selection_form(hub, demo_store):
    store_url, _ = demo_store
    with open_store(store_url) as store:
        derived = store.search(Identity.for_operator(), SearchQuery(type=["derived"], limit=50)).items
        bobs = {d["pid"] for d in hub.get("bob", "/datasets", params={"limit": 200}).json()["items"]}
        mine = [d for d in derived if d.pid in bobs]
        assert mine, "the demo's reduced I(q) entries are derived datasets bob may see"
        reduced = mine[0]
        assert reduced.inputDatasets, "made from the raw entry of its file"
        # a derived dataset whose preview cannot be drawn: its file is gone
        broken = reduced.model_dump(mode="json", exclude={"likes", "dislikes", "myVote", "createdAt", "updatedAt"})
        broken.update(pid=reduced.pid + "-moved", datasetName="moved away",
                      files=[{"path": "/nonexistent/moved.nxs", "size": 1}],
                      signal={**(broken.get("signal") or {}), "file": "/nonexistent/moved.nxs"} if broken.get("signal")
                      else None)
        store.upsert_datasets(Identity.for_operator(), [broken])
    with browser() as chromium:
        context, alice = open_lab(chromium, hub, "bob")  # alice's lab has tabs open from the test above
        open_catalogue(alice)
        search(alice, reduced.datasetName)
        alice.locator(f'.jp-Beamhub-result[data-pid="{reduced.pid}"] .jp-Beamhub-resultName').click()
        detail = alice.locator(".jp-Beamhub-detail:visible")
        detail.locator(".jp-Beamhub-detailTitle").wait_for()
        kind = detail.locator(".jp-Beamhub-fields tr:has(th:text-is('Type')) td").inner_text()
        assert kind == "derived"
        lineage = detail.locator(".jp-Beamhub-lineage").inner_text()
        assert "Raw data: no inputs" not in lineage and reduced.inputDatasets[0] in lineage
        screenshot(alice, SHOTS, "08-bob-derived")

        search(alice, "moved away")
        alice.locator(".jp-Beamhub-result .jp-Beamhub-resultName:has-text('moved away')").click()
        alert = alice.locator(".jp-Beamhub-detail:visible .jp-Beamhub-preview [role=alert]")
        alert.wait_for()
        alice.wait_for_function(
            "() => [...document.querySelectorAll('.jp-Beamhub-preview [role=alert]')]"
            ".some(e => e.textContent.includes('could not be drawn:'))", timeout=15_000)
        screenshot(alice, SHOTS, "09-bob-preview-says-why")

        # the selection: a 200-character name keeps the layout; bad parameters stop Submit
        # (a stack of frames, which frame-score takes: the newest dataset can be a curve)
        from tests.api.hubsetup import frame_stack

        stack = frame_stack(hub, "bob", "p1002")
        search(alice, stack["datasetName"])
        alice.locator(f'.jp-Beamhub-result[data-pid="{stack["pid"]}"] .jp-Beamhub-addToBasket').click()
        alice.locator(".jp-Beamhub-openBasket").click()
        body = alice.locator(".jp-Beamhub-basketBody")
        body.wait_for()
        alice.locator(".jp-Beamhub-selectionName").fill("x" * 200)
        submit = alice.locator(".jp-Beamhub-submit")
        processing = alice.locator(".jp-Beamhub-processing")
        processing.select_option("frame-score")
        sigma = alice.locator(".jp-Beamhub-parametersForm input[id$='sigma']")
        sigma.wait_for()
        assert submit.is_enabled()
        sigma.fill("500")   # the schema allows at most 100
        alice.wait_for_function("() => document.querySelector('.jp-Beamhub-submit').disabled", timeout=5000)
        assert "Fix the parameters first" in submit.get_attribute("title")
        sigma.fill("3")
        alice.wait_for_function("() => !document.querySelector('.jp-Beamhub-submit').disabled", timeout=5000)
        overflow = body.evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
        screenshot(alice, SHOTS, "10-bob-selection-form")
        context.close()
