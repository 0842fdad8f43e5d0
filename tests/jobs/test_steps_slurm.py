"""Each processing step end to end on the real Slurm cluster: alice selects demo datasets
of the step's technique, submits, the job runs as alice under Slurm, and the derived
dataset (NeXus, with its lineage) is registered and readable; a selection a step cannot
process is refused before any job starts.

The cluster, the users and the hub are ``tests/api/hubsetup.slurm_demo_hub``'s; the
data, the job folders and the notebook live outside pytest's private temporary folder
so that alice can reach them.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import h5py
import pytest

from tests.api.hubsetup import quote_pid, slurm_demo_hub
from tests.api.test_jobs_local import wait_finished

from .test_steps import write_notebook

pytestmark = [pytest.mark.hub, pytest.mark.slurm]


@pytest.fixture(scope="module")
def slurm_hub():
    # jobs run as the selection's owner
    with slurm_demo_hub(["alice", "erin", "frank"], "beamhub-slurm-steps-", time_limit="00:10:00",
                        memory="1G") as (hub, _, shared):
        notebook = shared / "sums.ipynb"
        write_notebook(notebook, "import h5py\n"
                       "with h5py.File(input_file) as f, h5py.File(output_file, 'w') as out:\n"
                       "    out.attrs['default'] = 'entry'; e = out.create_group('entry'); e.attrs['default'] = 'd'\n"
                       "    d = e.create_group('d'); d.attrs['NX_class'] = 'NXdata'; d.attrs['signal'] = 'total'\n"
                       "    d['total'] = f[input_path][()].reshape(f[input_path].shape[0], -1).sum(axis=1) * scale\n")
        os.chmod(notebook, 0o644)
        yield hub, shared


def raw(hub, user: str, proposal: str, technique: str) -> list[dict]:
    found = hub.get(user, "/datasets", params={"proposal": proposal, "technique": technique, "type": "raw"})
    assert found.status_code == 200, found.text
    return sorted(found.json()["items"], key=lambda d: d["datasetName"])


def run_selection(hub, user: str, step: str, datasets: list[dict], parameters: dict | None = None) -> dict:
    selection = hub.request(user, "POST", "/selections", json={
        "name": f"{step} on slurm", "datasets": [d["pid"] for d in datasets], "processing": step,
        "parameters": parameters or {}})
    assert selection.status_code == 201, selection.text
    selection = selection.json()
    submitted = hub.request(user, "POST", f"/selections/{selection['id']}/submit")
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["jobId"].isdigit()
    finished, _ = wait_finished(hub, user, selection["id"], timeout=300)
    assert finished["status"] == "done", f"{finished['message']}\n{Path(finished['logPath']).read_text()}"
    [derived_pid] = finished["derivedDatasets"]
    derived = hub.get(user, f"/datasets/{quote_pid(derived_pid)}").json()
    assert derived["type"] == "derived"
    assert derived["inputDatasets"] == [d["pid"] for d in datasets]
    assert derived["scientificMetadata"]["processing_step"]["value"] == step
    owner = pwd.getpwnam(user).pw_uid
    for output in derived["files"]:
        assert os.stat(Path(derived["sourceFolder"]) / output["path"]).st_uid == owner  # written by the user's job
    preview = hub.get(user, f"/datasets/{quote_pid(derived_pid)}/preview.png")
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    return derived


def signal_of(derived: dict):
    with h5py.File(derived["signal"]["file"], "r") as f:
        return f[derived["signal"]["path"]][()]


def test_azimuthal_integration_of_saxs_stacks(slurm_hub):
    hub, _ = slurm_hub
    stacks = [d for d in raw(hub, "alice", "p1002", "SAXS") if len(d["signal"]["shape"]) == 3]
    derived = run_selection(hub, "alice", "azimuthal-integration", stacks[:2], {"points": 100})
    assert derived["signal"]["shape"] == [8, 100] and derived["numberOfFiles"] == 2
    assert signal_of(derived).min() >= 0


def test_xas_normalisation_of_the_copper_spectra(slurm_hub):
    hub, _ = slurm_hub
    spectra = raw(hub, "erin", "p2001", "XAS")
    derived = run_selection(hub, "erin", "xas-normalisation", spectra)
    assert derived["signal"]["shape"] == [600] and derived["numberOfFiles"] == 3
    # the three spectra's edges are the Cu K edge shifted by 0, 1.8 and 4 eV: averaged
    assert derived["scientificMetadata"]["mean_e0"]["value"] == pytest.approx(8979 + (0 + 1.8 + 4) / 3, abs=2)
    assert derived["scientificMetadata"]["mean_edge_step"]["value"] == pytest.approx(1.0, abs=0.05)


def test_tomography_reconstruction_of_the_demo_scan(slurm_hub):
    hub, _ = slurm_hub
    scans = raw(hub, "frank", "p3001", "tomography")
    derived = run_selection(hub, "frank", "tomo-reconstruction", scans[:1], {"slices": 2})
    assert derived["signal"]["shape"] == [2, 128, 128]
    assert signal_of(derived).max() > 0.02  # the phantom's body: 1.2 per 64 pixels, more where spheres overlap


def test_a_notebook_over_a_selection(slurm_hub):
    hub, shared = slurm_hub
    sweeps = raw(hub, "alice", "p1001", "MX")[:2]
    derived = run_selection(hub, "alice", "notebook", sweeps,
                            {"notebook": str(shared / "sums.ipynb"), "parameters": {"scale": 0.5}})
    assert derived["signal"]["path"] == "/entry/d/total" and derived["signal"]["shape"] == [60]
    with h5py.File(sweeps[0]["signal"]["file"] if os.path.isabs(sweeps[0]["signal"]["file"])
                   else Path(sweeps[0]["sourceFolder"]) / sweeps[0]["signal"]["file"], "r") as f:
        frames = f[sweeps[0]["signal"]["path"]]
        expected = frames[()].reshape(frames.shape[0], -1).sum(axis=1) * 0.5
    assert signal_of(derived).tolist() == pytest.approx(expected.tolist())


def test_a_step_refuses_datasets_it_cannot_process_before_any_job(slurm_hub):
    hub, shared = slurm_hub
    found = hub.get("alice", "/datasets", params={"proposal": "p1002", "technique": "SAXS", "limit": 50})
    reduced = [d for d in found.json()["items"] if d.get("signal") and len(d["signal"]["shape"]) == 1]
    assert reduced, "the demo's reduced I(q) curves (1-D) are in p1002"
    selection = hub.request("alice", "POST", "/selections", json={
        "name": "curves", "datasets": [d["pid"] for d in reduced[:1]], "processing": "frame-score"}).json()
    answer = hub.request("alice", "POST", f"/selections/{selection['id']}/submit")
    assert answer.status_code == 400, answer.text
    message = answer.json()["message"]
    assert message.startswith("Frame score takes 2-D images or stacks of frames from MX, SAXS")
    assert f"({reduced[0]['pid']}) has a 1-D signal (120)" in message
    assert hub.get("alice", f"/selections/{selection['id']}").json()["status"] == "draft"
    assert not (shared / "jobs" / "alice" / selection["id"]).exists()  # no job folder, no job
