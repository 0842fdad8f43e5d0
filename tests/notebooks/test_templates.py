"""The templates follow the extension's convention, are clean, and are installed where it looks."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_core.paths import jupyter_path

from .templates import DATASETS_TAG, NOTEBOOKS, OWNERS, TEMPLATES, load, techniques, template_id


def test_every_technique_of_the_demo_data_has_a_template(service_store_url):
    from beamhub.catalogue import Identity, SearchQuery, open_store

    with open_store(service_store_url) as store:
        facets = store.search(Identity.for_operator(), SearchQuery(limit=1)).facets
    demo = {count.value.lower() for count in facets["technique"]}
    covered = {t.lower() for path in TEMPLATES for t in techniques(load(path))}
    assert len(demo) >= 4 and demo <= covered, demo - covered
    assert {path.parent.name for path in TEMPLATES} == set(OWNERS)


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_a_template_is_valid_tagged_and_clean(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    meta = notebook.metadata["beamhub"]
    assert meta["title"].strip() and meta["techniques"] and all(isinstance(t, str) for t in meta["techniques"])
    assert notebook.metadata["kernelspec"]["name"] == "beamhub"
    tagged = [c for c in notebook.cells if DATASETS_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert "data =" in tagged[0].source
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"outputs left in {path.name}"
    assert "widgets" not in notebook.metadata


def test_the_install_put_the_templates_where_the_extension_looks():
    installed = Path(sys.prefix) / "share" / "jupyter" / "beamhub" / "templates"
    assert str(installed) in jupyter_path("beamhub", "templates")
    for path in TEMPLATES:
        copy = installed / path.relative_to(NOTEBOOKS)
        assert copy.is_file(), f"{copy} is missing: run hub/scripts/install"
        assert copy.read_bytes() == path.read_bytes(), f"{copy} is stale: run hub/scripts/install"


def test_the_extension_lists_them_with_their_techniques(monkeypatch):
    from jupyterlab_beamhub.templates import BeamhubTemplates

    monkeypatch.delenv("BEAMHUB_TEMPLATES", raising=False)
    listed = {t["name"]: t for t in BeamhubTemplates().list()}
    for path in TEMPLATES:
        name = template_id(path)
        assert name in listed, f"the extension does not list {name}: run hub/scripts/install"
        assert listed[name]["techniques"] == techniques(load(path))
        assert BeamhubTemplates().get(name) == load(path)


def test_every_steps_output_has_a_template_or_deliberately_a_plain_notebook():
    from beamhub.jobs.steps import STEPS
    from beamhub.templates.shipped import PLAIN_NOTEBOOK

    accepted = {k for path in TEMPLATES for k in load(path)["metadata"]["beamhub"].get("accepts", ["raw"])}
    kinds = {f"derived:{name}" for name in STEPS}
    assert "derived:frame-score" in accepted
    assert kinds <= accepted | set(PLAIN_NOTEBOOK), kinds - accepted - set(PLAIN_NOTEBOOK)
    assert not accepted & set(PLAIN_NOTEBOOK), "a kind with a template is not a plain notebook's"
    assert set(PLAIN_NOTEBOOK) <= kinds, "a plain-notebook kind no step makes"
