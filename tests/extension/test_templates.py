"""Template notebooks for "Open in notebook", served by the server extension."""

from __future__ import annotations

import json

import pytest


def notebook(techniques, tagged=True):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# template"}]
    if tagged:
        cells.append({"cell_type": "code", "metadata": {"tags": ["beamhub-datasets"]}, "source": "pids = []",
                      "outputs": [], "execution_count": None})
    return {"cells": cells, "metadata": {"beamhub": {"techniques": techniques, "title": "SAXS reduction"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def templates(tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    (folder / "saxs").mkdir(parents=True)
    (folder / "saxs" / "reduce.ipynb").write_text(json.dumps(notebook(["SAXS"])))
    (folder / "broken.ipynb").write_text("{not json")
    (tmp_path / "secret.ipynb").write_text(json.dumps(notebook(["MX"])))
    monkeypatch.setenv("BEAMHUB_TEMPLATES", str(folder))
    return folder


async def test_templates_are_listed_with_their_techniques(templates, fetch):
    status, response = await fetch("beamhub/templates")
    assert status == 200
    listed = json.loads(response.body)
    assert {"name": "saxs/reduce.ipynb", "title": "SAXS reduction", "techniques": ["SAXS"]} in listed
    assert all(t["name"] != "broken.ipynb" for t in listed)


async def test_a_template_is_served_whole(templates, fetch):
    status, response = await fetch("beamhub/templates/saxs/reduce.ipynb")
    assert status == 200
    assert json.loads(response.body)["cells"][1]["metadata"]["tags"] == ["beamhub-datasets"]


@pytest.mark.parametrize("name", ["..%2Fsecret.ipynb", "saxs/../../secret.ipynb", "missing.ipynb", "saxs"])
async def test_nothing_outside_the_template_folders_is_served(templates, fetch, name):
    status, _ = await fetch("beamhub/templates/" + name)
    assert status == 404
