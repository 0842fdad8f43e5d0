"""``frame-score``: per-frame intensity statistics and a quality score for a stack.

For each frame of a dataset's signal (frames along the first axis of a 3-D or larger
stack; a 2-D image is one frame) the step computes

- ``total``: the summed intensity of valid pixels,
- ``maximum``: the brightest valid pixel,
- ``spot_pixels``: how many valid pixels lie above the threshold (``threshold`` if
  given, else the frame's mean plus ``sigma`` standard deviations): a proxy for Bragg
  spots on an MX frame, or for features on an image,
- ``score``: ``spot_pixels`` relative to the best frame of the dataset (0 to 1).

Pixels that are not finite, negative (detector gaps are often -1) or at or above
``saturation`` are not valid. The stack is read ``frames_per_read`` frames at a time,
so memory stays bounded whatever the stack's size. A 1-D curve or a scalar has no
frames: it is refused (before submission from the catalogue's record, and by the job
from the file). The result is a NeXus file (an
``NXdata`` whose signal is ``score`` over ``frame``), one per input dataset.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..spec import JobInput, OutputFile
from .base import Step


class FrameScoreParameters(BaseModel):
    """Parameters of ``frame-score``."""

    model_config = ConfigDict(extra="forbid", title="frame-score parameters")

    threshold: Annotated[float, Field(ge=0)] | None = Field(
        None, description="Absolute intensity above which a pixel counts as a spot pixel; "
        "if not given, each frame's mean + sigma * standard deviation.")
    sigma: Annotated[float, Field(gt=0, le=100)] = Field(
        3.0, description="Standard deviations above the mean for the automatic threshold.")
    saturation: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Pixels at or above this value are ignored (saturated or masked).")
    min_score: Annotated[float, Field(ge=0, le=1)] = Field(
        0.5, description="Frames scoring at least this much count as good in the summary.")
    frames_per_read: Annotated[int, Field(ge=1, le=1024)] = Field(
        8, description="Frames read at once (memory use is this times one frame).")


def frame_statistics(frames: np.ndarray, params: FrameScoreParameters) -> dict[str, np.ndarray]:
    """Statistics of a block of frames shaped ``(n, ...)`` (pure; used by the step)."""
    data = frames.reshape(frames.shape[0], -1).astype(np.float64, copy=False)
    valid = np.isfinite(data) & (data >= 0)
    if params.saturation is not None:
        valid &= data < params.saturation
    values = np.where(valid, data, 0.0)
    counts = np.maximum(valid.sum(axis=1), 1)
    total = values.sum(axis=1)
    maximum = np.where(valid, data, -np.inf).max(axis=1)
    maximum = np.where(np.isfinite(maximum), maximum, 0.0)
    if params.threshold is not None:
        threshold = np.full(data.shape[0], params.threshold)
    else:
        mean = total / counts
        variance = (np.where(valid, (data - mean[:, None]) ** 2, 0.0)).sum(axis=1) / counts
        threshold = mean + params.sigma * np.sqrt(variance)
    spots = (valid & (data > threshold[:, None])).sum(axis=1)
    return {"total": total, "maximum": maximum, "spot_pixels": spots}


def score_stack(dataset, params: FrameScoreParameters) -> dict[str, np.ndarray]:
    """Read an h5py dataset block by block and return per-frame statistics and score."""
    STEP.check_signal(dataset.ndim, dataset.shape)
    n_frames = dataset.shape[0] if dataset.ndim >= 3 else 1
    parts: dict[str, list[np.ndarray]] = {"total": [], "maximum": [], "spot_pixels": []}
    for start in range(0, n_frames, params.frames_per_read):
        if dataset.ndim >= 3:
            block = dataset[start:start + params.frames_per_read]
        else:
            block = dataset[()][np.newaxis]
        for name, values in frame_statistics(np.asarray(block), params).items():
            parts[name].append(values)
    stats = {name: np.concatenate(values) for name, values in parts.items()}
    best = stats["spot_pixels"].max()
    stats["score"] = stats["spot_pixels"] / best if best > 0 else np.zeros(n_frames)
    return stats


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "dataset"


def process(item: JobInput, params: FrameScoreParameters, output_dir: Path, index: int) -> OutputFile:
    import h5py
    import hdf5plugin  # noqa: F401  (the compression filters detector data uses)

    with h5py.File(item.file, "r", locking=False) as source:
        if item.path not in source:
            raise ValueError(f"{item.path} is not in {item.file} (or its link dangles)")
        stats = score_stack(source[item.path], params)
    relative = f"{index:03d}_{_safe(item.name)}_frame_score.nxs"
    n_frames = len(stats["score"])
    with h5py.File(output_dir / relative, "w") as out:
        out.attrs["default"] = "entry"
        entry = out.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        entry["title"] = f"frame-score of {item.name}"
        entry["program_name"] = "beamhub frame-score"
        entry["input_pid"] = item.pid
        entry["parameters"] = json.dumps(params.model_dump(mode="json"))
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "score"
        data.attrs["axes"] = ["frame"]
        data["frame"] = np.arange(n_frames)
        for name, values in stats.items():
            data[name] = values
    score = stats["score"]
    summary = {
        "frames": n_frames,
        "mean_score": round(float(score.mean()), 6),
        "good_frames": int((score >= params.min_score).sum()),
        "best_frame": int(score.argmax()),
        "total_intensity": float(stats["total"].sum()),
    }
    return OutputFile(path=relative, input_pid=item.pid, signal="/entry/data/score", shape=[n_frames],
                      dtype="float64", axes=["/entry/data/frame"], summary=summary)


STEP = Step(
    name="frame-score",
    title="Frame score",
    description="Per-frame intensity, brightest pixel, spot pixels and a 0-1 quality score for each "
                "selected dataset's stack (or image); one NeXus file per dataset.",
    techniques=("MX", "SAXS", "WAXS", "tomography", "XRD", "powder diffraction", "single-crystal diffraction"),
    parameters=FrameScoreParameters,
    process=process,
    dimensions=(2, 3, 4),
    needs="2-D images or stacks of frames",
)
