"""Each processing step end to end from the JupyterLab panel (issue 15, "More real
processing"): alice picks suitable demo datasets in the Catalogue panel, the Selection
first refuses them for a step that cannot take them (its words, Submit disabled, before
anything is submitted), she chooses the step, sets its parameters and submits; the job
runs as alice on the real Slurm cluster, and the derived dataset opens from the job with
type derived and its inputs, and is found by the panel's search.

One hub (with Slurm jobs), one browser and one JupyterLab for the four steps. In this
module alice is a member of the four demo proposals whose data the steps take (SAXS
p1002, MX p1001, XAS p2001, tomography p3001), so one lab serves them all. The data,
the job folders and the notebook live under /tmp, outside pytest's private folder, so
that alice's jobs can read them. Screenshots under test-artifacts/test_processing_steps/.
(Here, not in tests/extension: the browser is module-scoped, and that folder's
pytest-jupyter fixtures want no event loop running, as Playwright's is.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from beamhub.catalogue import open_store
from beamhub.demo.data import write_demo_data
from tests.api.conftest import load_demo
from tests.api.hubsetup import demo_users, quote_pid, slurm_jobs
from .test_steps import write_notebook
from tests.services.browser import browser, screenshot

from tests.extension.e2e_hub import open_catalogue, open_lab, start_hub
from tests.extension.test_everyday_search import search

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.slurm, pytest.mark.timeout(900)]

SHOTS = "test_processing_steps"
PROPOSALS = ["p1001", "p1002", "p2001", "p3001"]
SUMS = ("import h5py\n"
        "with h5py.File(input_file) as f, h5py.File(output_file, 'w') as out:\n"
        "    out.attrs['default'] = 'entry'; e = out.create_group('entry'); e.attrs['default'] = 'd'\n"
        "    d = e.create_group('d'); d.attrs['NX_class'] = 'NXdata'; d.attrs['signal'] = 'total'\n"
        "    d['total'] = f[input_path][()].reshape(f[input_path].shape[0], -1).sum(axis=1) * scale\n")

# step: (proposal, technique, signal dimensions, how many, a step that refuses them, parameters typed)
CASES = {
    "azimuthal-integration": ("p1002", "SAXS", 3, 1, "xas-normalisation", {"points": "100"}),
    "xas-normalisation": ("p2001", "XAS", 1, 2, "frame-score", {}),
    "tomo-reconstruction": ("p3001", "tomography", 3, 1, "azimuthal-integration", {"slices": "2"}),
    "notebook": ("p1001", "MX", 3, 1, "tomo-reconstruction", {"notebook": "{shared}/sums.ipynb"}),
}


@pytest.fixture(scope="module")
def slurm_hub():
    from tests.services.slurm import shared_cluster
    from tests.services.unix_users import ensure_users

    slurm = shared_cluster()
    ensure_users(["alice"])  # her jobs run as her
    shared = Path(tempfile.mkdtemp(prefix="beamhub-browser-steps-", dir="/tmp"))
    hub = None
    try:
        os.chmod(shared, 0o755)
        data, work_root, state = shared / "data", shared / "jobs", shared / "state"
        write_demo_data(data)
        write_notebook(shared / "sums.ipynb", SUMS)
        for path in (data, *data.rglob("*"), shared / "sums.ipynb"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        work_root.mkdir(mode=0o755)
        state.mkdir(mode=0o700)
        store_url = f"sqlite:///{state / 'catalogue.sqlite'}"
        with open_store(store_url) as store:
            load_demo(store, data)
        users = demo_users(data / "proposals.yaml")
        users["alice"] = sorted(set(users["alice"]) | set(PROPOSALS))
        hub = start_hub(store_url, users, shared / "hub",
                        jobs=slurm_jobs(slurm, work_root, time_limit="00:10:00", memory="1G"))
        yield hub, shared
    finally:
        if hub is not None:
            hub.close()
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(slurm_hub):
    """alice's JupyterLab with the Catalogue panel and the Selection open."""
    hub, _ = slurm_hub
    with browser() as chromium:
        context, page = open_lab(chromium, hub, "alice")
        open_catalogue(page)
        page.wait_for_selector(".jp-Beamhub-result")
        page.click(".jp-Beamhub-openBasket")
        page.locator(".jp-Beamhub-basket:visible .jp-Beamhub-processing").wait_for()
        try:
            yield page
        finally:
            context.close()


def pick(hub, proposal: str, technique: str, ndim: int, count: int) -> list[dict]:
    found = hub.get("alice", "/datasets", params={"proposal": proposal, "technique": technique, "type": "raw",
                                                  "sort": "datasetName", "limit": 50})
    assert found.status_code == 200, found.text
    suitable = [d for d in found.json()["items"] if d.get("signal") and len(d["signal"]["shape"]) == ndim]
    assert len(suitable) >= count, f"the demo's {proposal} has {count} {ndim}-D {technique} datasets"
    return suitable[:count]


@pytest.mark.parametrize("step", list(CASES))
def test_a_step_from_the_panel_to_its_derived_dataset(slurm_hub, lab, step):
    hub, shared = slurm_hub
    proposal, technique, ndim, count, refusing, typed = CASES[step]
    steps = {s["name"]: s for s in hub.get("alice", "/processing").json()}
    chosen = pick(hub, proposal, technique, ndim, count)
    page = lab
    page.click(".jp-Beamhub-openBasket")  # the Selection in front again (a dataset's page was)
    basket = page.locator(".jp-Beamhub-basket:visible")
    basket.locator(".jp-Beamhub-processing").wait_for()
    while basket.locator(".jp-Beamhub-remove").count():  # what a failed case left
        basket.locator(".jp-Beamhub-remove").first.click()
    processing = basket.locator(".jp-Beamhub-processing")
    submit = basket.locator(".jp-Beamhub-submit")

    # a step that cannot take these datasets, chosen first, refuses them before submission
    processing.select_option(refusing)
    for dataset in chosen:
        search(page, dataset["datasetName"])
        page.locator(f'.jp-Beamhub-result[data-pid="{dataset["pid"]}"] .jp-Beamhub-addToBasket').click()
    assert basket.locator(".jp-Beamhub-card").count() == count
    refusal = basket.locator(".jp-Beamhub-stepRefusal")
    refusal.wait_for()
    message = refusal.inner_text()
    assert message.startswith(steps[refusing]["accepts"] + ": "), message
    assert all(f"({d['pid']})" in message for d in chosen), message
    assert submit.is_disabled()
    refused = [tuple(o) for o in processing.locator("option[data-refused]").evaluate_all(
        "os => os.map(o => [o.value, o.disabled])")]
    assert (refusing, False) in refused and step not in [name for name, _ in refused]
    assert all(disabled for name, disabled in refused if name != refusing), refused  # greyed out, with why
    # the service refuses the same selection in the same words
    draft = hub.request("alice", "POST", "/selections", json={
        "name": "refused", "datasets": [d["pid"] for d in chosen], "processing": refusing}).json()
    answer = hub.request("alice", "POST", f"/selections/{draft['id']}/submit")
    assert answer.status_code == 400 and answer.json()["message"] == message, answer.text
    hub.request("alice", "DELETE", f"/selections/{draft['id']}")
    screenshot(page, SHOTS, f"{step}-1-refused")

    # the step that takes them, its parameters, submitted
    processing.select_option(step)
    refusal.wait_for(state="detached")
    for name, value in typed.items():
        basket.locator(f".jp-Beamhub-parametersForm input[id$='_{name}']").fill(value.format(shared=shared))
    name = f"browser {step}"
    basket.locator(".jp-Beamhub-selectionName").fill(name)
    page.wait_for_function("() => !document.querySelector('.jp-Beamhub-basket .jp-Beamhub-submit').disabled",
                           timeout=10_000)
    submit.click()
    job = basket.locator(".jp-Beamhub-job", has_text=name).first
    job.wait_for()
    page.wait_for_function(
        "name => [...document.querySelectorAll('.jp-Beamhub-job')].some(j => j.textContent.includes(name)"
        " && ['done', 'failed'].includes(j.dataset.status))", arg=name, timeout=300_000)
    screenshot(page, SHOTS, f"{step}-2-finished")
    assert job.get_attribute("data-status") == "done", job.inner_text()
    assert basket.locator(".jp-Beamhub-card").count() == 0  # the basket empties on submission

    # the derived dataset: its page from the job, type derived, its inputs
    link = job.locator(".jp-Beamhub-pidLink").first
    derived_pid = link.get_attribute("data-pid")
    link.click()
    detail = page.locator(".jp-Beamhub-detail:visible")
    detail.locator(".jp-Beamhub-lineage .jp-Beamhub-pidLink").first.wait_for()
    assert detail.locator(".jp-Beamhub-fields tr:has(th:text-is('Type')) td").inner_text() == "derived"
    inputs = detail.locator(".jp-Beamhub-lineage .jp-Beamhub-pidLink").evaluate_all("ls => ls.map(a => a.dataset.pid)")
    assert sorted(inputs) == sorted(d["pid"] for d in chosen)
    screenshot(page, SHOTS, f"{step}-3-derived")
    derived = hub.get("alice", f"/datasets/{quote_pid(derived_pid)}").json()
    assert derived["type"] == "derived" and derived["inputDatasets"] == [d["pid"] for d in chosen]
    assert derived["scientificMetadata"]["processing_step"]["value"] == step
    assert derived["numberOfFiles"] == count

    # ... and the panel's search finds it
    search(page, derived["datasetName"])
    page.locator(f'.jp-Beamhub-result[data-pid="{derived_pid}"]').wait_for()
