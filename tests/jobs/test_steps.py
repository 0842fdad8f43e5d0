"""The fog filter's processing steps on the demo's real NeXus scans, with answers known
from how the scans were made, and what each step refuses.

Each step runs through the job's entry point (``python -m beamhub.jobs.run``) as a job
would; the Slurm runs of each step are in ``test_steps_slurm.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import nbformat
import numpy as np
import pytest

from beamhub.catalogue.errors import InvalidInput
from beamhub.catalogue.model import Dataset
from beamhub.demo.data import write_demo_data
from beamhub.demo.data.tomo import _phantom
from beamhub.jobs.spec import JobInput, JobSpec, read_manifest
from beamhub.jobs.steps import STEPS, get_step
from beamhub.jobs.steps.azimuthal import AzimuthalParameters, integrate_stack
from beamhub.jobs.steps.xas import XasParameters, normalise

REPO = Path(__file__).resolve().parents[2]
CU_K_EDGE = 8979.0  # eV; the demo's spectra are shifted from it by their 'shift_ev'


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    write_demo_data(directory)
    return directory


def run_job(tmp_path: Path, step: str, inputs: list[JobInput], parameters: dict):
    job_dir = tmp_path / f"job-{step}"
    job_dir.mkdir()
    spec = JobSpec(selection_id="sel-" + "0" * 32, selection_name="test", owner="alice", step=step,
                   parameters=parameters, inputs=inputs, created=datetime.now(timezone.utc))
    (job_dir / "job.json").write_text(spec.model_dump_json())
    done = subprocess.run([sys.executable, "-m", "beamhub.jobs.run", str(job_dir)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO / "hub"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          timeout=300)
    return done, read_manifest(job_dir), job_dir / "outputs"


def item(demo: Path, relative: str, path: str = "/entry/data/data") -> JobInput:
    return JobInput(pid=f"t/{Path(relative).stem}", name=Path(relative).stem, file=str(demo / relative), path=path)


# -- what each step accepts -----------------------------------------------------------
def dataset(name: str, technique: str, shape: list[int]) -> Dataset:
    return Dataset.model_validate({
        "pid": f"t/{name}", "datasetName": name, "type": "raw", "owner": "a", "ownerGroup": "p1",
        "creationLocation": "b", "sourceFolder": "/data", "creationTime": "2026-01-01T00:00:00Z",
        "techniques": [{"name": technique}],
        "signal": {"file": "x.nxs", "path": "/entry/data/data", "shape": shape, "dtype": "float64"}})


@pytest.mark.parametrize(("step", "refused", "why"), [
    ("frame-score", dataset("cu_foil_0001", "XAS", [600]), "is XAS"),
    ("frame-score", dataset("reduced", "SAXS", [120]), "has a 1-D signal (120)"),
    ("azimuthal-integration", dataset("bone_0001", "tomography", [111, 96, 128]), "is tomography"),
    ("xas-normalisation", dataset("silica", "SAXS", [8, 195, 243]), "is SAXS"),
    ("xas-normalisation", dataset("map", "XAS", [10, 600]), "has a 2-D signal (10 x 600)"),
    ("tomo-reconstruction", dataset("radiograph", "tomography", [96, 128]), "has a 2-D signal"),
])
def test_each_step_refuses_what_it_cannot_process_naming_the_dataset_and_why(step, refused, why):
    accepted = dataset("fine", STEPS[step].techniques[0], [8, 64, 64] if step != "xas-normalisation" else [600])
    STEPS[step].check_inputs([accepted])
    with pytest.raises(InvalidInput) as raised:
        STEPS[step].check_inputs([accepted, refused])
    message = raised.value.message
    assert f"{refused.datasetName} ({refused.pid}) {why}" in message
    assert message.startswith(f"{STEPS[step].title} takes ") and "choose another step" in message
    assert raised.value.details == {"pids": [refused.pid]}


def test_the_notebook_step_takes_any_technique_and_shape():
    STEPS["notebook"].check_inputs([dataset("a", "XAS", [600]), dataset("b", "MX", [10, 64, 64])])


def test_frame_score_refuses_a_curve_in_the_job_too(tmp_path, demo):
    """The catalogue's record may be stale: the job checks the file's shape itself."""
    done, manifest, _ = run_job(tmp_path, "frame-score", [item(demo, "b18/p2001/cu_foil/cu_foil_0001.nxs",
                                                               "/entry/data/mu")], {})
    assert done.returncode == 1 and manifest.status == "failed"
    assert "Frame score takes 2-D images or stacks of frames" in manifest.message
    assert "this signal is 1-D (600)" in manifest.message


# -- azimuthal integration (pyFAI) -------------------------------------------------------
def test_a_ring_at_a_known_angle_is_found_there(tmp_path):
    """A synthetic image with a ring at 2θ = 10°: the integrated curve peaks at 10°."""
    distance, pixel, centre = 0.05, 100e-6, (150.0, 120.0)
    rows, columns = np.indices((300, 260))
    radius = np.hypot((rows + 0.5 - centre[0]) * pixel, (columns + 0.5 - centre[1]) * pixel)
    two_theta = np.degrees(np.arctan(radius / distance))
    image = 10 + 1000 * np.exp(-0.5 * ((two_theta - 10.0) / 0.1) ** 2)
    with h5py.File(tmp_path / "ring.h5", "w") as f:
        detector = f.create_group("entry/instrument/detector")
        detector.attrs["NX_class"] = "NXdetector"
        f["entry"].attrs["NX_class"] = "NXentry"
        f["entry/data"] = image
    with h5py.File(tmp_path / "ring.h5", "r") as f:
        with pytest.raises(ValueError, match="distance_m.*give"):
            integrate_stack(f["entry/data"], AzimuthalParameters())
        params = AzimuthalParameters(unit="2th_deg", points=400, distance_m=distance, pixel_size_m=pixel,
                                     beam_center_x=centre[1], beam_center_y=centre[0], wavelength_angstrom=1.0)
        angle, curves, _ = integrate_stack(f["entry/data"], params)
    assert curves.shape == (1, 400)
    assert angle[np.argmax(curves[0])] == pytest.approx(10.0, abs=0.1)


def test_saxs_frames_integrate_to_the_reduced_curve_the_beamline_wrote(tmp_path, demo):
    """The demo SAXS scan carries its last frame's I(q) reduced at the beamline
    (``/reduced``): pyFAI, from the geometry in the file, gives the same curve."""
    scan = "i22/p1002/silica/silica_growth_0001.nxs"
    done, manifest, outputs = run_job(tmp_path, "azimuthal-integration", [item(demo, scan)],
                                      {"unit": "q_A^-1", "points": 200, "frames_per_read": 3})
    assert done.returncode == 0, done.stdout + done.stderr
    [output] = manifest.outputs
    assert output.shape == [8, 200] and output.signal == "/entry/data/I"
    with h5py.File(outputs / output.path, "r") as result, h5py.File(demo / scan, "r") as source:
        assert result["entry/data"].attrs["signal"] == "I"
        assert list(result["entry/data"].attrs["axes"]) == ["frame", "q"]
        assert result["entry/data/q"].attrs["units"] == "1/angstrom"
        q, last = result["entry/data/q"][()], result["entry/data/I"][-1]
        reference_q, reference = source["reduced/sasdata/Q"][()], source["reduced/sasdata/I"][()]
        assert json.loads(result["entry/parameters"][()])["points"] == 200
    inside = (reference_q > q[5]) & (reference_q < q[-5])
    ours = np.interp(reference_q[inside], q, last)
    assert np.median(np.abs(ours / reference[inside] - 1)) < 0.05


# -- XAS normalisation -----------------------------------------------------------------
@pytest.mark.parametrize(("sample", "shift"), [("cu_foil", 0.0), ("cu2o", 1.8), ("cuo", 4.0)])
def test_xas_spectra_are_normalised_at_their_edge(tmp_path, demo, sample, shift):
    done, manifest, outputs = run_job(tmp_path, "xas-normalisation",
                                      [item(demo, f"b18/p2001/{sample}/{sample}_0001.nxs", "/entry/data/mu")], {})
    assert done.returncode == 0, done.stdout + done.stderr
    [output] = manifest.outputs
    assert output.summary["e0"] == pytest.approx(CU_K_EDGE + shift, abs=2.0)
    assert output.summary["edge_step"] == pytest.approx(1.0, abs=0.05)  # the demo's step is 1
    with h5py.File(outputs / output.path, "r") as f:
        energy, norm, flat = f["entry/data/energy"][()], f["entry/data/norm"][()], f["entry/data/flat"][()]
        assert f["entry/data"].attrs["signal"] == "norm" and f["entry/data/energy"].attrs["units"] == "eV"
    e0 = output.summary["e0"]
    assert np.abs(norm[energy < e0 - 50]).mean() < 0.02          # 0 before the edge
    assert flat[energy > e0 + 150].mean() == pytest.approx(1.0, abs=0.03)  # 1 after it


def test_xas_ranges_outside_the_data_are_refused_clearly():
    energy = np.linspace(8950, 9100, 200)
    mu = 0.5 + np.arctan((energy - 8979) / 2) / np.pi
    with pytest.raises(ValueError, match="pre-edge range.*data start at 8950 eV[)]: change pre1/pre2"):
        normalise(energy, mu, XasParameters(pre1=-300, pre2=-200))
    with pytest.raises(Exception, match="pre1 must be below pre2"):
        get_step("xas-normalisation").check_parameters({"pre1": -10, "pre2": -20})


# -- tomography ------------------------------------------------------------------------
def test_the_demo_scan_reconstructs_to_its_phantom(tmp_path, demo):
    """The demo's phantom is a body of overlapping spheres (attenuation 1.2 per half
    detector width, 64 pixels) with small random inclusions: each reconstructed slice
    matches the body's cross-section at its row, and is empty outside it."""
    done, manifest, outputs = run_job(tmp_path, "tomo-reconstruction",
                                      [item(demo, "i13/p3001/bone/bone_0001.nxs")], {"slices": 3, "frames_per_read": 7})
    assert done.returncode == 0, done.stdout + done.stderr
    [output] = manifest.outputs
    assert output.shape == [3, 128, 128] and output.summary["projections"] == 91
    with h5py.File(outputs / output.path, "r") as f:
        volume, rows = f["entry/data/reconstruction"][()], f["entry/data/row"][()]
        assert f["entry/data"].attrs["signal"] == "reconstruction"
    assert rows.tolist() == [24, 48, 71]
    body = _phantom(0, np.random.default_rng(0))  # the body alone, without inclusions
    y, x = (np.indices(volume.shape[1:]) - 64) / 64
    inside = np.hypot(x, y) < 0.9
    unit = 1.2 / 64
    for image, row in zip(volume, rows, strict=True):
        v = (row - 48) / 64
        expected = sum(mu * (x**2 + y**2 < radius**2 - (v - z) ** 2) for _, _, z, radius, mu in body) / 64
        assert np.corrcoef(image[inside], expected[inside])[0, 1] > 0.9
        assert np.median(np.abs(image - expected)[inside]) < 0.35 * unit


def test_tomography_rows_past_the_detector_fail_that_dataset(tmp_path, demo):
    done, manifest, _ = run_job(tmp_path, "tomo-reconstruction", [item(demo, "i13/p3001/bone/bone_0001.nxs")],
                                {"rows": [5, 500]})
    assert done.returncode == 1 and "rows [500] are past the detector's 96 rows" in manifest.message


# -- a notebook over the selection (papermill) -----------------------------------------------
NOTEBOOK_CODE = '''\
import h5py, numpy as np
with h5py.File(input_file, "r") as f:
    frames = f[input_path][()]
profile = frames.reshape(frames.shape[0], -1).sum(axis=1) * scale
with h5py.File(output_file, "w") as out:
    out.attrs["default"] = "entry"
    entry = out.create_group("entry"); entry.attrs["NX_class"] = "NXentry"; entry.attrs["default"] = "sums"
    data = entry.create_group("sums"); data.attrs["NX_class"] = "NXdata"; data.attrs["signal"] = "total"
    data["total"] = profile
print("summed", input_pid)
'''


def write_notebook(path: Path, code: str = NOTEBOOK_CODE) -> Path:
    parameters = nbformat.v4.new_code_cell("scale = 1.0\ninput_file = None\ninput_path = None\n"
                                           "output_file = None\ninput_pid = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_a_users_notebook_runs_once_per_dataset_and_its_result_is_the_output(tmp_path, demo):
    notebook = write_notebook(tmp_path / "sums.ipynb")
    inputs = [item(demo, "i22/p1002/silica/silica_growth_0001.nxs"), item(demo, "i13/p3001/bone/bone_0001.nxs")]
    done, manifest, outputs = run_job(tmp_path, "notebook", inputs,
                                      {"notebook": str(notebook), "parameters": {"scale": 2.0}})
    assert done.returncode == 0, done.stdout + done.stderr
    assert [o.input_pid for o in manifest.outputs] == [i.pid for i in inputs]
    for output, source in zip(manifest.outputs, inputs, strict=True):
        assert output.signal == "/entry/sums/total"
        with h5py.File(outputs / output.path, "r") as f, h5py.File(source.file, "r") as s:
            expected = s[source.path][()].reshape(s[source.path].shape[0], -1).sum(axis=1) * 2.0
            assert np.allclose(f["entry/sums/total"][()], expected)
        executed = nbformat.read(outputs / output.summary["executed_notebook"], as_version=4)
        assert f"summed {source.pid}" in executed.cells[-1].outputs[0]["text"]


def test_a_failing_notebook_cell_fails_the_dataset_with_its_error(tmp_path, demo):
    notebook = write_notebook(tmp_path / "broken.ipynb", "raise RuntimeError('no calibration for ' + input_pid)")
    done, manifest, _ = run_job(tmp_path, "notebook", [item(demo, "i22/p1002/silica/silica_growth_0001.nxs")],
                                {"notebook": str(notebook)})
    assert done.returncode == 1
    assert "raised RuntimeError: no calibration for t/silica_growth_0001" in manifest.message


def test_notebook_parameters_are_checked_before_anything_runs():
    step = get_step("notebook")
    for bad, field in (({"notebook": "relative.ipynb"}, "notebook"), ({"notebook": "/x/a.py"}, "notebook"),
                       ({"notebook": "/x/a.ipynb", "parameters": {"output_file": 1}}, "parameters"),
                       ({"notebook": "/x/a.ipynb", "kernel": "py; rm"}, "kernel")):
        with pytest.raises(InvalidInput) as raised:
            step.check_parameters(bad)
        assert raised.value.details[0]["field"] == field
