"""The template notebooks in ``notebooks/`` and what the demo data says their answers must be."""

from __future__ import annotations

import json
from pathlib import Path

from beamhub.demo.data import PROFILES, scans

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
DATASETS_TAG = "parameters"
"""The papermill parameters cell, which "Open in notebook" fills (``beamhub-datasets`` before)."""
TEMPLATES = sorted(NOTEBOOKS.glob("*/*.ipynb"))

OWNERS = {"mx": "alice", "saxs": "alice", "xas": "erin", "tomography": "frank", "processing": "alice"}
"""A demo user whose proposals hold each technique's data (see beamhub.demo.data)."""

DEMO_SCANS = {scan.name: scan for scan in scans(PROFILES["small"])}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def template_id(path: Path) -> str:
    return path.relative_to(NOTEBOOKS).as_posix()


def techniques(notebook: dict) -> list[str]:
    return notebook["metadata"]["beamhub"]["techniques"]


def kind(notebook: dict) -> str:
    """The dataset kind a template reads (its first ``accepts``): ``raw`` or ``derived:<step>``."""
    return notebook["metadata"]["beamhub"].get("accepts", ["raw"])[0]


def scan_of(dataset_name: str):
    """The demo scan a dataset came from ("micelles_0001 reduced" -> micelles_0001)."""
    return DEMO_SCANS[dataset_name.split()[0]]


def check_summary(folder: str, summary: dict[str, dict]) -> None:
    """The summary table's values (``{dataset name: {column: value}}``) against the physics
    the demo data was made with."""
    for name, row in summary.items():
        scan = scan_of(name)
        if folder == "mx":
            assert row["frames"] == scan.params["frames"], row
            assert row["median strong pixels"] > 50 and row["weak frames"] == 0, row  # no bad frames in the demo
        elif folder == "saxs":
            radius = scan.params["radius_nm"][1]  # the last frame's particles
            assert abs(row["sphere R (nm)"] - radius) < 0.15 * radius, (name, row, radius)
        elif folder == "xas":
            assert abs(row["E0 (eV)"] - (8979.0 + scan.params["shift_ev"])) < 1.5, (name, row)
            assert 0.9 < row["post-edge mean (normalised)"] < 1.1, row
        elif folder == "tomography":
            rows, columns = scan.params["shape"]
            assert row["projections"] == scan.params["projections"], row
            assert abs(row["rotation axis (x)"] - columns / 2) <= 1, row  # the phantom turns about the centre
        elif folder == "processing":  # frame-score outputs: one row per input stack
            assert row["frames"] == scan.params["frames"], (name, row)
            assert 0 <= row["mean score"] <= 1 and 0 <= row["good frames"] <= row["frames"], (name, row)
            if scan.kind == "mx":  # Bragg spots on every frame: the best frame scores 1, most are good
                assert row["mean score"] > 0.3 and row["good frames"] >= 1, (name, row)
            assert 0 <= row["best frame"] < row["frames"] and 0 <= row["weakest frame"] < row["frames"], row
        else:
            raise AssertionError(f"no expected values for templates in {folder}/")
