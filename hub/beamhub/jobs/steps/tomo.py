"""``tomo-reconstruction``: slices of an NXtomo scan by filtered back-projection.

From the scan's NXdata: the frames, their ``image_key`` (0 projection, 1 flat field,
2 dark field; NXtomo's convention) and the ``rotation_angle`` axis (degrees). For the
detector rows asked for (``slices`` rows evenly spaced, or ``rows``) the step

1. reads the stack ``frames_per_read`` frames at a time, keeping only those rows
   (memory: rows × projections × columns, whatever the scan's size),
2. corrects each projection with the mean dark and flat fields and takes
   -ln((P - D) / (F - D)) (Beer-Lambert), clipped away from zero transmission,
3. reconstructs each row's sinogram with scikit-image's ``iradon`` (filtered
   back-projection, ``filter`` chosen), the rotation axis at ``rotation_center``
   (default: the detector's middle column).

The result is a NeXus file per dataset: ``reconstruction`` (slice, y, x), the linear
attenuation per pixel, with the ``row`` each slice was taken from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..spec import JobInput, OutputFile
from .base import Step
from .io import axis_of, groups_of_class, entry_of, open_signal, write_result

MAX_SLICE_VALUES = 64 * 4096 * 4096
"""Bound on rows x projections x columns kept in memory (float32: 4 bytes each)."""


class TomoParameters(BaseModel):
    """Parameters of ``tomo-reconstruction``."""

    model_config = ConfigDict(extra="forbid", title="tomo-reconstruction parameters")

    slices: Annotated[int, Field(ge=1, le=64)] = Field(
        4, description="How many detector rows to reconstruct, evenly spaced (ignored when rows is given).")
    rows: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=64)] | None = Field(
        None, description="Detector rows to reconstruct (0 = top).")
    filter: Literal["ramp", "shepp-logan", "cosine", "hamming", "hann"] = Field(
        "ramp", description="Filter of the filtered back-projection.")
    rotation_center: float | None = Field(
        None, description="Column of the rotation axis in pixels; default: the middle column.")
    frames_per_read: Annotated[int, Field(ge=1, le=256)] = Field(
        16, description="Frames read at once (memory use is this times one frame).")


def _image_keys(node) -> np.ndarray:
    parent = node.parent
    if "image_key" in parent:
        return np.asarray(parent["image_key"][()]).astype(int)
    for detector in groups_of_class(entry_of(node), "NXdetector"):
        if "image_key" in detector:
            return np.asarray(detector["image_key"][()]).astype(int)
    return np.zeros(node.shape[0], dtype=int)  # no keys: every frame is a projection


def sinograms(node, rows: list[int], frames_per_read: int) -> tuple[np.ndarray, np.ndarray]:
    """(sinograms (rows, projections, columns) as attenuation, angles in degrees)."""
    keys = _image_keys(node)
    if len(keys) != node.shape[0]:
        raise ValueError(f"image_key has {len(keys)} values for {node.shape[0]} frames")
    axis = axis_of(node, 0)
    if axis is None or axis.shape != (node.shape[0],):
        raise ValueError("the scan has no rotation_angle axis of its length (@axes of its NXdata)")
    angles = np.asarray(axis[()], dtype=np.float64)
    projections = np.flatnonzero(keys == 0)
    if len(projections) < 2:
        raise ValueError(f"the scan has {len(projections)} projections (image_key 0); at least 2 are needed")
    columns = node.shape[2]
    sino = np.empty((len(rows), len(projections), columns), dtype=np.float32)
    dark = np.zeros((len(rows), columns))
    flat = np.zeros((len(rows), columns))
    n_dark = n_flat = 0
    position = {frame: i for i, frame in enumerate(projections)}
    for start in range(0, node.shape[0], frames_per_read):
        block = np.asarray(node[start:start + frames_per_read], dtype=np.float64)[:, rows, :]
        for offset, frame in enumerate(block):
            key = keys[start + offset]
            if key == 2:
                dark += frame
                n_dark += 1
            elif key == 1:
                flat += frame
                n_flat += 1
            elif key == 0:
                sino[:, position[start + offset], :] = frame
    dark = dark / n_dark if n_dark else dark
    if n_flat:
        flat = flat / n_flat
    else:  # no flat field: the brightest value of each row stands for the open beam
        flat = sino.max(axis=1)
    open_beam = np.maximum(flat - dark, 1e-6)[:, None, :]
    transmission = np.clip((sino - dark[:, None, :]) / open_beam, 1e-6, None)
    return -np.log(transmission).astype(np.float32), angles[projections]


def reconstruct(sino: np.ndarray, angles: np.ndarray, params: TomoParameters) -> np.ndarray:
    """(slices, columns, columns) from (slices, projections, columns) sinograms."""
    from scipy.ndimage import shift
    from skimage.transform import iradon

    columns = sino.shape[2]
    offset = columns / 2 - params.rotation_center if params.rotation_center is not None else 0.0
    slices = []
    for row in sino:
        if offset:
            row = shift(row, (0, offset), order=1, mode="nearest")
        slices.append(iradon(row.T, theta=angles, filter_name=params.filter, circle=True))
    return np.asarray(slices, dtype=np.float32)


def chosen_rows(params: TomoParameters, n_rows: int) -> list[int]:
    if params.rows:
        bad = [r for r in params.rows if r >= n_rows]
        if bad:
            raise ValueError(f"rows {bad} are past the detector's {n_rows} rows")
        return sorted(set(params.rows))
    count = min(params.slices, n_rows)
    return sorted({int(round(r)) for r in np.linspace(0, n_rows - 1, count + 2)[1:-1]})


def process(item: JobInput, params: TomoParameters, output_dir: Path, index: int) -> OutputFile:
    with open_signal(item) as node:
        STEP.check_signal(node.ndim, node.shape)
        frames, n_rows, columns = node.shape
        rows = chosen_rows(params, n_rows)
        if len(rows) * frames * columns > MAX_SLICE_VALUES:
            raise ValueError("too many rows asked for this scan's size: ask for fewer slices")
        sino, angles = sinograms(node, rows, params.frames_per_read)
    volume = reconstruct(sino, angles, params)
    summary = {"slices": len(rows), "projections": len(angles), "size": int(volume.shape[1]),
               "mean_attenuation": float(volume.mean()), "max_attenuation": float(volume.max())}
    return write_result(output_dir, index, item, "tomo_recon.nxs", program="tomo-reconstruction", params=params,
                        signal="reconstruction", axes=["row", "y", "x"], summary=summary,
                        fields={"reconstruction": volume, "row": np.asarray(rows), "y": np.arange(volume.shape[1]),
                                "x": np.arange(volume.shape[2]), "rotation_angle": angles},
                        units={"reconstruction": "1/pixel", "rotation_angle": "deg"},
                        long_names={"reconstruction": "linear attenuation coefficient"})


STEP = Step(
    name="tomo-reconstruction",
    title="Tomographic reconstruction",
    description="Dark/flat-field correction and filtered back-projection (scikit-image) of chosen detector "
                "rows of an NXtomo scan; the slices as one NeXus file per dataset.",
    techniques=("tomography",),
    parameters=TomoParameters,
    process=process,
    dimensions=(3,),
    needs="3-D stacks of projections with rotation angles",
)
