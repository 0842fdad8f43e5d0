"""``azimuthal-integration``: I(q) of each frame of SAXS/WAXS/powder data, with pyFAI.

The geometry comes from the input file's NeXus metadata, each value overridable by a
parameter: the NXdetector's ``distance``, ``beam_center_x``/``beam_center_y`` (pixels),
``x_pixel_size``/``y_pixel_size`` and the wavelength (an NXmonochromator's or
NXbeam's ``wavelength``, else its ``energy``). A value that is neither in the file nor
given fails that dataset with a message naming the parameter to give.

Pixels that are negative (detector gaps, often -1), not finite or at or above
``saturation`` are masked. Frames are read ``frames_per_read`` at a time (bounded
memory); each is integrated with pyFAI's ``integrate1d`` (Poisson errors). The result
is a NeXus file per dataset: ``I`` over (``frame``, ``q``) for a stack, over ``q`` for
one image, with ``I_errors``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..spec import JobInput, OutputFile
from .base import Step
from .io import entry_of, field_value, groups_of_class, open_signal, write_result

UNITS = {"q_nm^-1": ("q", "1/nm"), "q_A^-1": ("q", "1/angstrom"), "2th_deg": ("two_theta", "deg")}


class AzimuthalParameters(BaseModel):
    """Parameters of ``azimuthal-integration``."""

    model_config = ConfigDict(extra="forbid", title="azimuthal-integration parameters")

    points: Annotated[int, Field(ge=10, le=10_000)] = Field(
        500, description="Number of points of the integrated curve.")
    unit: Literal["q_nm^-1", "q_A^-1", "2th_deg"] = Field(
        "q_nm^-1", description="Radial unit of the result: q in 1/nm or 1/Å, or the scattering angle 2θ.")
    distance_m: Annotated[float, Field(gt=0, le=100)] | None = Field(
        None, description="Sample-detector distance in metres (default: the detector's 'distance').")
    beam_center_x: float | None = Field(
        None, description="Beam centre, fast axis, in pixels (default: the detector's 'beam_center_x').")
    beam_center_y: float | None = Field(
        None, description="Beam centre, slow axis, in pixels (default: the detector's 'beam_center_y').")
    pixel_size_m: Annotated[float, Field(gt=0, le=0.01)] | None = Field(
        None, description="Pixel size in metres (default: the detector's 'x_pixel_size'/'y_pixel_size').")
    wavelength_angstrom: Annotated[float, Field(gt=0, le=100)] | None = Field(
        None, description="X-ray wavelength in Å (default: the file's wavelength or energy).")
    saturation: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Pixels at or above this value are masked.")
    frames_per_read: Annotated[int, Field(ge=1, le=256)] = Field(
        8, description="Frames read at once (memory use is this times one frame).")


def geometry(node, params: AzimuthalParameters) -> dict[str, float]:
    """Distance (m), beam centre (pixels), pixel sizes (m) and wavelength (m) for ``node``."""
    entry = entry_of(node)
    detectors = groups_of_class(entry, "NXdetector")
    detector = next((d for d in detectors if "distance" in d), detectors[0] if detectors else None)
    found = {
        "distance": params.distance_m or field_value(detector, "distance", "m"),
        "center_x": params.beam_center_x if params.beam_center_x is not None
        else field_value(detector, "beam_center_x"),
        "center_y": params.beam_center_y if params.beam_center_y is not None
        else field_value(detector, "beam_center_y"),
        "pixel_x": params.pixel_size_m or field_value(detector, "x_pixel_size", "m"),
        "pixel_y": params.pixel_size_m or field_value(detector, "y_pixel_size", "m"),
    }
    wavelength = params.wavelength_angstrom * 1e-10 if params.wavelength_angstrom else None
    if wavelength is None:
        for group in groups_of_class(entry, "NXmonochromator") + groups_of_class(entry, "NXbeam"):
            wavelength = field_value(group, "wavelength", "m") or field_value(group, "incident_wavelength", "m")
            if wavelength is None:
                energy = field_value(group, "energy", "keV") or field_value(group, "incident_energy", "keV")
                wavelength = 12.398419843320026 / energy * 1e-10 if energy else None
            if wavelength:
                break
    found["wavelength"] = wavelength
    missing = {"distance": "distance_m", "center_x": "beam_center_x", "center_y": "beam_center_y",
               "pixel_x": "pixel_size_m", "pixel_y": "pixel_size_m", "wavelength": "wavelength_angstrom"}
    absent = sorted({missing[k] for k, v in found.items() if v is None})
    if absent:
        raise ValueError(f"the file does not record the geometry ({', '.join(absent)}): give "
                         f"{' and '.join(absent)} as parameters")
    return found


def integrator(geo: dict[str, float]):
    from pyFAI.integrator.azimuthal import AzimuthalIntegrator

    return AzimuthalIntegrator(dist=geo["distance"], poni1=geo["center_y"] * geo["pixel_y"],
                               poni2=geo["center_x"] * geo["pixel_x"], pixel1=geo["pixel_y"],
                               pixel2=geo["pixel_x"], wavelength=geo["wavelength"])


def integrate_stack(node, params: AzimuthalParameters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(radial axis, intensities (frames, points), errors): frames read block by block."""
    STEP.check_signal(node.ndim, node.shape)
    ai = integrator(geometry(node, params))
    n_frames = node.shape[0] if node.ndim == 3 else 1
    radial, curves, errors = None, [], []
    for start in range(0, n_frames, params.frames_per_read):
        block = node[start:start + params.frames_per_read] if node.ndim == 3 else node[()][np.newaxis]
        for frame in np.asarray(block, dtype=np.float64):
            mask = ~np.isfinite(frame) | (frame < 0)
            if params.saturation is not None:
                mask |= frame >= params.saturation
            result = ai.integrate1d(np.where(mask, 0.0, frame), params.points, unit=params.unit, mask=mask,
                                    error_model="poisson")
            radial = result.radial
            curves.append(result.intensity)
            errors.append(result.sigma if result.sigma is not None else np.zeros_like(result.intensity))
    return np.asarray(radial), np.asarray(curves), np.asarray(errors)


def process(item: JobInput, params: AzimuthalParameters, output_dir: Path, index: int) -> OutputFile:
    with open_signal(item) as node:
        radial, curves, errors = integrate_stack(node, params)
        stack = node.ndim == 3
    name, unit = UNITS[params.unit]
    fields = {name: radial, "I": curves if stack else curves[0], "I_errors": errors if stack else errors[0]}
    axes = [name]
    if stack:
        fields["frame"] = np.arange(len(curves))
        axes = ["frame", name]
    peak = int(np.nanargmax(curves[-1]))
    summary = {"frames": len(curves), "points": len(radial), f"{name}_min": float(radial[0]),
               f"{name}_max": float(radial[-1]), "mean_intensity": float(np.nanmean(curves)),
               f"{name}_of_maximum_last_frame": float(radial[peak])}
    return write_result(output_dir, index, item, "azimuthal.nxs", program="azimuthal-integration", params=params,
                        signal="I", fields=fields, axes=axes, units={name: unit}, summary=summary,
                        long_names={"I": "azimuthally averaged intensity"})


STEP = Step(
    name="azimuthal-integration",
    title="Azimuthal integration",
    description="I(q) (or I(2θ)) of each frame with pyFAI, from the detector geometry the file records "
                "(overridable); masked gaps and saturated pixels; one NeXus file per dataset.",
    techniques=("SAXS", "WAXS", "powder diffraction", "XRD"),
    parameters=AzimuthalParameters,
    process=process,
    dimensions=(2, 3),
    needs="2-D detector images or 3-D stacks of them",
)
