"""Every template runs, as a user runs it, on the demo data behind a real hub.

The hub (JupyterHub, its proxy and the catalogue service over the demo data) is the
client tests' one. Each template runs in the ``beamhub`` kernel with the environment of
its user's single-user server, spawned through the hub (so the catalogue is reached
with that user's own token, as from JupyterLab): once as shipped, and once as "Open in
notebook" makes it for two datasets of its technique (the extension's own TypeScript
builds that notebook). Every cell must run, every plotting cell must draw its figure,
and the summary must agree with the physics the demo data was made with.

A template for a processing step's output (``derived:frame-score``) runs on outputs a
real job made: alice processes an MX sweep (p1001) and a SAXS series (p1002) with the
step, which gives two derived datasets (one per proposal).
"""

from __future__ import annotations

import base64
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from beamhub.client import Catalogue
from tests.client.test_client import server_environment

from .extension_codegen import make_notebook, overview_notebook, pick_template
from .steady_kernel import SteadyKernelManager
from .templates import DATASETS_TAG, OWNERS, TEMPLATES, check_summary, kind, load, techniques, template_id

pytestmark = pytest.mark.hub

SUMMARY_PROBE = 'print(summary.to_json(orient="index"))'
"""Appended by the test: the summary table the notebook ends with, as JSON."""


@pytest.fixture(scope="module")
def server_env(client_hub):
    """``server_env(user)``: the environment of the user's server (started once)."""
    started: dict[str, dict] = {}

    def env(user: str) -> dict:
        if user not in started:
            started[user] = server_environment(client_hub, user)
        return started[user]

    yield env
    for user in started:
        client_hub.hub.api("DELETE", f"/users/{user}/server")


def execute(notebook: dict, env: dict, workdir) -> nbformat.NotebookNode:
    for index, cell in enumerate(notebook["cells"]):
        cell.setdefault("id", f"cell-{index}")  # the extension's new cell has none; JupyterLab adds one
    nb = nbformat.reads(json.dumps(notebook), as_version=4)  # as JupyterLab reads it: sources as text
    nb.cells.append(new_code_cell(SUMMARY_PROBE))
    NotebookClient(nb, kernel_name="beamhub", timeout=600, allow_errors=False,
                   kernel_manager_class=SteadyKernelManager,
                   resources={"metadata": {"path": str(workdir)}}).execute(env=env)
    return nb


def images(outputs) -> list[bytes]:
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs if "image/png" in o.get("data", {})]


def interactive(outputs) -> bool:
    """An hvplot/HoloViews plot was rendered (its Bokeh document), not an error or a repr."""
    return any("application/vnd.holoviews_exec.v0+json" in o.get("data", {})
               and "bokeh" in str(o.get("data", {}).get("text/html", "")).lower() for o in outputs)


def widget_images(nb) -> list[bytes]:
    """Figures drawn inside widgets (ipywidgets.interact), as kept in the notebook's widget state."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return [png for model in state.values() if model["model_name"] == "OutputModel"
            for png in images(model["state"].get("outputs", []))]


def check_ran(nb, dataset_names: list[str] | None = None) -> dict[str, dict]:
    """Every plotting cell drew its figure (and each of ``dataset_names`` was loaded and
    summarised); returns the summary table, as JSON."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    after = code[[i for i, c in enumerate(code) if DATASETS_TAG in c.metadata.get("tags", [])][0] + 1:]
    for cell in after:
        if "interact(" in cell.source:
            assert widget_images(nb), f"the widget drew no figure:\n{cell.source[:300]}"
        elif ".hvplot." in cell.source:
            assert interactive(cell.outputs), f"no interactive (Bokeh) plot from:\n{cell.source[:300]}"
        elif "plt.show()" in cell.source:
            pictures = images(cell.outputs)
            assert pictures and all(p.startswith(b"\x89PNG") for p in pictures), f"no figure from:\n{cell.source[:300]}"
    probe = "".join(o.get("text", "") for o in code[-1].outputs if o.get("name") == "stdout")
    summary = json.loads(probe)
    if dataset_names is not None:
        printed = "".join(o.get("text", "") for o in after[0].outputs if o.get("name") == "stdout")
        assert all(name in printed for name in dataset_names), printed
        assert sorted(summary) == sorted(dataset_names), summary
    return summary


@pytest.fixture(scope="module")
def processed(client_hub):
    """``processed(step)``: the derived datasets of one real job of ``step`` run by alice on
    her newest MX sweep and SAXS series (made once)."""
    made: dict[str, list] = {}

    def outputs(step: str) -> list:
        if step not in made:
            alice = Catalogue(client_hub.url, client_hub.token("alice"))
            stacks = [next(d for d in alice.iter_search(technique=t, type="raw")
                           if d.signal and len(d.signal.shape) >= 3) for t in ("MX", "SAXS")]
            selection = alice.create_selection(f"template test: {step}", stacks, processing=step)
            alice.submit(selection)
            done = alice.wait(selection, timeout=300, poll=0.5)
            assert done.status == "done" and len(done.derivedDatasets) == 2, done
            made[step] = [alice.dataset(pid) for pid in done.derivedDatasets]
        return made[step]

    return outputs


def datasets_for(template: dict, user: str, client_hub, processed) -> list:
    """Datasets of the template's kind and technique that ``user`` sees, newest first."""
    accepted = kind(template)
    catalogue = Catalogue(client_hub.url, client_hub.token(user))
    if accepted == "raw":
        return catalogue.search(technique=techniques(template)[0], type="raw", limit=2).items
    step = accepted.split(":", 1)[1]
    processed(step)
    return catalogue.search(type="derived", keyword=step, limit=2).items


def input_names(client_hub, user: str, derived) -> list[str]:
    catalogue = Catalogue(client_hub.url, client_hub.token(user))
    return [catalogue.dataset(pid).datasetName for d in derived for pid in d.inputDatasets]


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_template_as_shipped(path, server_env, client_hub, processed, tmp_path):
    folder, template = path.parent.name, load(path)
    user = OWNERS[folder]
    newest = datasets_for(template, user, client_hub, processed)[:1]
    nb = execute(template, server_env(user), tmp_path)
    summary = check_ran(nb)
    if kind(template) == "raw":
        visible = {d.datasetName for d in Catalogue(client_hub.url, client_hub.token(user)).iter_search(
            technique=techniques(template)[0], type="raw")}
        assert len(summary) == 1 and set(summary) <= visible, summary
    else:  # the newest output, every one of its files
        assert sorted(summary) == sorted(input_names(client_hub, user, newest)), summary
    check_summary(folder, summary)


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_template_opened_with_two_datasets(path, server_env, client_hub, processed, tmp_path):
    folder, template = path.parent.name, load(path)
    user = OWNERS[folder]
    chosen = datasets_for(template, user, client_hub, processed)
    assert len(chosen) == 2
    # "Open in notebook" picks a template for the datasets' kind (the extension's own choice
    # among the templates the service offers this user): the frame-score outputs this one
    offered = Catalogue(client_hub.url, client_hub.token(user))._json("GET", "/templates")
    picked = pick_template(offered, [d.model_dump(mode="json") for d in chosen])
    assert picked is not None and kind(template) in picked["accepts"], picked
    if kind(template) != "raw":
        assert (picked["beamline"], picked["name"]) == ("facility", f"{folder}-{path.stem}"), picked
    notebook = make_notebook([d.model_dump(mode="json") for d in chosen], template)
    loader = [c for c in notebook["cells"] if DATASETS_TAG in c["metadata"].get("tags", [])]
    assert len(loader) == 1 and all(d.pid in loader[0]["source"] for d in chosen)
    nb = execute(notebook, server_env(user), tmp_path)
    names = [d.datasetName for d in chosen] if kind(template) == "raw" else input_names(client_hub, user, chosen)
    summary = check_ran(nb, names)
    check_summary(folder, summary)


def test_the_staff_overview_notebook_runs_and_plots(server_env, client_hub, tmp_path):
    """The hvplot notebook the "Beamline" panel opens, built by the extension's own code and
    run headless as grace (staff of i22) after alice and bob voted on i22's data."""
    catalogue = {user: Catalogue(client_hub.url, client_hub.token(user)) for user in ("alice", "bob", "grace")}
    i22 = catalogue["bob"].search(beamline="i22", type="raw", limit=2).items
    catalogue["alice"].like(i22[0], comment="alice likes the growth")
    catalogue["bob"].dislike(i22[0], comment="bob saw a bubble")
    catalogue["bob"].like(i22[1])
    template = load(TEMPLATES[0])
    published = catalogue["grace"]._json("POST", "/templates", json={
        "beamline": "i22", "name": "i22-check", "title": "i22 check", "techniques": ["SAXS"],
        "change_note": "for the overview test", "notebook": template})
    catalogue["grace"]._request("POST", f"/templates/i22/{published['name']}/opened", json={})

    notebook = overview_notebook("i22")
    for index, cell in enumerate(notebook["cells"]):
        cell.setdefault("id", f"cell-{index}")
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    NotebookClient(nb, kernel_name="beamhub", timeout=300, allow_errors=False,
                   kernel_manager_class=SteadyKernelManager,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=server_env("grace"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    plots = [c for c in code if ".hvplot." in c.source]
    assert len(plots) == 3 and all(interactive(c.outputs) for c in plots), [c.source[:60] for c in plots]
    printed = "".join(o.get("text", "") for o in code[0].outputs)
    assert " datasets of i22" in printed, printed
    tables = "".join(str(o.get("data", {}).get("text/html", "")) for c in code for o in c.outputs
                     if "<table" in str(o.get("data", {}).get("text/html", "")))
    for user, value, comment in (("alice", "like", "alice likes the growth"), ("bob", "dislike", "bob saw a bubble")):
        row = rf"<td>{user}</td>\s*<td>{value}</td>\s*<td>{comment}</td>"
        assert re.search(row, tables), (row, tables[:3000])
    assert re.search(rf"<td>{re.escape(i22[0].datasetName)}</td>\s*<td>p1002</td>\s*<td>\d+</td>\s*<td>\d+</td>"
                     r"\s*<td>[^<]*alice[^<]*bob[^<]*</td>", tables), tables[:3000]
