"""The frame-score step on stacks whose answer is known, and the job entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest

from beamhub.jobs.spec import JobInput, JobSpec, read_manifest
from beamhub.jobs.steps import get_step
from beamhub.jobs.steps.frame_score import FrameScoreParameters, frame_statistics, score_stack

REPO = Path(__file__).resolve().parents[2]


def stack_with_spots(spots_per_frame: list[int], shape=(32, 32), background=10.0) -> np.ndarray:
    frames = np.full((len(spots_per_frame), *shape), background)
    for index, count in enumerate(spots_per_frame):
        frames[index].flat[:count] = 1000.0
    return frames


def test_spot_pixels_total_and_maximum_per_frame():
    frames = stack_with_spots([0, 5, 20])
    stats = frame_statistics(frames, FrameScoreParameters(threshold=500))
    assert stats["spot_pixels"].tolist() == [0, 5, 20]
    assert stats["total"].tolist() == [10.0 * 1024, 10.0 * 1019 + 5000, 10.0 * 1004 + 20000]
    assert stats["maximum"].tolist() == [10.0, 1000.0, 1000.0]


def test_saturated_negative_and_nan_pixels_are_ignored():
    frames = stack_with_spots([10])
    frames[0, 5, :3] = -1          # detector gap
    frames[0, 6, :2] = np.nan
    frames[0, 7, :4] = 65535       # saturated
    stats = frame_statistics(frames, FrameScoreParameters(threshold=500, saturation=60000))
    assert stats["spot_pixels"].tolist() == [10]
    assert stats["maximum"].tolist() == [1000.0]


def test_automatic_threshold_finds_spots_above_the_background():
    rng = np.random.default_rng(0)
    frames = rng.poisson(10, size=(3, 64, 64)).astype(float)
    frames[1].flat[:30] = 500
    stats = frame_statistics(frames, FrameScoreParameters(sigma=5))
    assert stats["spot_pixels"][1] >= 30
    assert stats["spot_pixels"][0] < 5 and stats["spot_pixels"][2] < 5


def test_a_stack_is_read_block_by_block_with_the_same_answer(tmp_path):
    frames = stack_with_spots([3, 0, 7, 1, 12, 4, 4, 9, 0, 2])
    with h5py.File(tmp_path / "stack.h5", "w") as f:
        f.create_dataset("data", data=frames, chunks=(1, 32, 32))
    with h5py.File(tmp_path / "stack.h5", "r") as f:
        blocked = score_stack(f["data"], FrameScoreParameters(threshold=500, frames_per_read=3))
        whole = score_stack(f["data"], FrameScoreParameters(threshold=500, frames_per_read=100))
    for name in ("total", "maximum", "spot_pixels", "score"):
        assert np.array_equal(blocked[name], whole[name])
    assert blocked["score"].tolist() == pytest.approx([3 / 12, 0, 7 / 12, 1 / 12, 1, 4 / 12, 4 / 12, 9 / 12, 0, 2 / 12])


def test_an_image_is_one_frame_and_a_curve_or_a_scalar_is_refused(tmp_path):
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f["image"] = stack_with_spots([6])[0]
        f["curve"] = np.linspace(0, 1, 50)
        f["scalar"] = 3.0
    with h5py.File(tmp_path / "f.h5", "r") as f:
        assert score_stack(f["image"], FrameScoreParameters(threshold=500))["spot_pixels"].tolist() == [6]
        with pytest.raises(ValueError, match="takes 2-D images or stacks of frames.*this signal is 1-D [(]50[)]"):
            score_stack(f["curve"], FrameScoreParameters())
        with pytest.raises(ValueError, match="this signal is 0-D [(]a scalar[)]"):
            score_stack(f["scalar"], FrameScoreParameters())


def test_parameters_are_validated_with_the_field_named():
    step = get_step("frame-score")
    assert step.check_parameters({}).sigma == 3.0
    for bad, field in (({"sigma": 0}, "sigma"), ({"min_score": 2}, "min_score"), ({"colour": "red"}, "colour")):
        with pytest.raises(Exception) as raised:
            step.check_parameters(bad)
        assert raised.value.details[0]["field"] == field


def _job(tmp_path: Path, inputs: list[JobInput], parameters: dict) -> Path:
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    spec = JobSpec(selection_id="sel-" + "0" * 32, selection_name="test", owner="alice", step="frame-score",
                   parameters=parameters, inputs=inputs, created=datetime.now(timezone.utc))
    (job_dir / "job.json").write_text(spec.model_dump_json())
    return job_dir


def _run(job_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beamhub.jobs.run", str(job_dir)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO / "hub"), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_the_job_writes_nexus_outputs_and_a_manifest(tmp_path):
    with h5py.File(tmp_path / "sweep.nxs", "w") as f:
        f.create_dataset("entry/data/data", data=stack_with_spots([1, 4, 2]), chunks=(1, 32, 32))
    job_dir = _job(tmp_path, [JobInput(pid="t/1", name="sweep 1", file=str(tmp_path / "sweep.nxs"),
                                       path="/entry/data/data")], {"threshold": 500})
    done = _run(job_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = read_manifest(job_dir)
    assert manifest.status == "ok" and manifest.failures == []
    [output] = manifest.outputs
    assert output.input_pid == "t/1" and output.shape == [3] and output.summary["best_frame"] == 1
    with h5py.File(job_dir / "outputs" / output.path, "r") as f:
        assert f["entry"].attrs["default"] == "data"
        assert f["entry/data"].attrs["signal"] == "score"
        assert f["entry/data/score"][()].tolist() == pytest.approx([0.25, 1.0, 0.5])
        assert json.loads(f["entry/parameters"][()])["threshold"] == 500


def test_one_bad_input_fails_the_job_but_the_others_are_processed(tmp_path):
    with h5py.File(tmp_path / "good.nxs", "w") as f:
        f["data"] = stack_with_spots([1, 2])
    job_dir = _job(tmp_path, [
        JobInput(pid="t/good", name="good", file=str(tmp_path / "good.nxs"), path="/data"),
        JobInput(pid="t/missing", name="missing", file=str(tmp_path / "missing.nxs"), path="/data"),
    ], {})
    done = _run(job_dir)
    assert done.returncode == 1
    manifest = read_manifest(job_dir)
    assert manifest.status == "failed"
    assert [o.input_pid for o in manifest.outputs] == ["t/good"]
    assert [f.pid for f in manifest.failures] == ["t/missing"] and "t/missing" in manifest.message


def test_a_bad_spec_still_leaves_a_failed_manifest(tmp_path):
    job_dir = _job(tmp_path, [], {"sigma": -3})
    assert _run(job_dir).returncode == 1
    manifest = read_manifest(job_dir)
    assert manifest.status == "failed" and "sigma" in manifest.message
