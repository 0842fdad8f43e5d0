"""``xas-normalisation``: edge-step normalisation of an XAS spectrum μ(E).

The definitions are the field's usual ones (Athena's and Larch's ``pre_edge``):

- E0: the energy of the largest derivative dμ/dE (of the lightly smoothed spectrum),
  unless given;
- pre-edge line: a straight line fitted to μ over [E0 + ``pre1``, E0 + ``pre2``];
- post-edge curve: a quadratic (``post_order``) fitted to μ over
  [E0 + ``norm1``, E0 + ``norm2``] (``norm2`` past the data: to the last point);
- edge step: post-edge minus pre-edge at E0;
- ``norm`` = (μ - pre-edge) / edge step, and ``flat``: ``norm`` with the post-edge
  curve's shape taken out above E0 (1 on average past the edge).

xraylarch itself was not taken: installed from the registry it brings about a hundred
packages (MKL, pymatgen, pyarrow, an old boto3) into the analysis environment. The fits
are numpy's least squares (``numpy.polynomial``).

The energy axis is the signal's NXdata axis (eV or keV, converted to eV). Only 1-D
spectra are accepted; the result is a NeXus file per dataset with ``norm`` over
``energy`` and ``flat``, ``mu``, ``pre_edge`` and ``post_edge`` beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
from numpy.polynomial import polynomial as P
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..spec import JobInput, OutputFile
from .base import Step
from .io import axis_of, open_signal, write_result


class XasParameters(BaseModel):
    """Parameters of ``xas-normalisation`` (energies in eV, relative to E0)."""

    model_config = ConfigDict(extra="forbid", title="xas-normalisation parameters")

    e0: Annotated[float, Field(gt=0, le=200_000)] | None = Field(
        None, description="Edge energy in eV; default: where dμ/dE is largest.")
    pre1: Annotated[float, Field(ge=-5000, le=0)] = Field(-150.0, description="Pre-edge range start (eV from E0).")
    pre2: Annotated[float, Field(ge=-5000, le=0)] = Field(-30.0, description="Pre-edge range end (eV from E0).")
    norm1: Annotated[float, Field(ge=0, le=5000)] = Field(50.0, description="Post-edge range start (eV from E0).")
    norm2: Annotated[float, Field(ge=0, le=50_000)] = Field(
        2000.0, description="Post-edge range end (eV from E0; past the data means the last point).")
    post_order: Annotated[int, Field(ge=0, le=3)] = Field(2, description="Degree of the post-edge polynomial.")

    @model_validator(mode="after")
    def _ranges(self):
        if self.pre1 >= self.pre2:
            raise ValueError("pre1 must be below pre2")
        if self.norm1 >= self.norm2:
            raise ValueError("norm1 must be below norm2")
        return self


def find_e0(energy: np.ndarray, mu: np.ndarray) -> float:
    """The energy of the steepest rise of μ (3-point smoothed derivative)."""
    smooth = np.convolve(mu, np.ones(3) / 3, mode="same")
    derivative = np.gradient(smooth, energy)
    derivative[[0, -1]] = -np.inf  # edges of the smoothing window
    return float(energy[int(np.argmax(derivative))])


def normalise(energy: np.ndarray, mu: np.ndarray, params: XasParameters) -> dict[str, np.ndarray | float]:
    """E0, edge step, pre/post-edge curves, norm and flat (pure)."""
    order = np.argsort(energy)
    energy, mu = np.asarray(energy, dtype=np.float64)[order], np.asarray(mu, dtype=np.float64)[order]
    good = np.isfinite(energy) & np.isfinite(mu)
    energy, mu = energy[good], mu[good]
    if len(energy) < 10:
        raise ValueError(f"the spectrum has {len(energy)} finite points; at least 10 are needed")
    e0 = params.e0 if params.e0 is not None else find_e0(energy, mu)
    pre = (energy >= e0 + params.pre1) & (energy <= e0 + params.pre2)
    post = (energy >= e0 + params.norm1) & (energy <= e0 + params.norm2)
    if pre.sum() < 2:
        raise ValueError(f"fewer than 2 points in the pre-edge range [{e0 + params.pre1:g}, {e0 + params.pre2:g}] eV "
                         f"(the data start at {energy[0]:g} eV): change pre1/pre2")
    if post.sum() < params.post_order + 1:
        raise ValueError(f"too few points in the post-edge range from {e0 + params.norm1:g} eV "
                         f"(the data end at {energy[-1]:g} eV): change norm1/norm2")
    pre_line = P.polyval(energy, P.polyfit(energy[pre], mu[pre], 1))
    post_coefficients = P.polyfit(energy[post] - e0, mu[post], params.post_order)
    post_curve = P.polyval(energy - e0, post_coefficients)
    pre_at_e0 = float(np.interp(e0, energy, pre_line))
    step = float(P.polyval(0.0, post_coefficients)) - pre_at_e0
    if not np.isfinite(step) or step == 0:
        raise ValueError("the edge step is zero: is this an absorption spectrum?")
    norm = (mu - pre_line) / step
    flat = norm.copy()
    above = energy >= e0
    flat[above] = (mu[above] - post_curve[above]) / step + 1.0
    return {"energy": energy, "mu": mu, "norm": norm, "flat": flat, "pre_edge": pre_line, "post_edge": post_curve,
            "e0": e0, "edge_step": step}


def _energy_ev(axis) -> np.ndarray:
    values = np.asarray(axis[()], dtype=np.float64)
    unit = axis.attrs.get("units", b"")
    unit = (unit.decode() if isinstance(unit, bytes) else str(unit)).strip()
    if unit in ("", "eV", "electron_volt"):
        return values
    from .io import _units

    return np.asarray(_units().Quantity(values, unit).to("eV").magnitude)


def process(item: JobInput, params: XasParameters, output_dir: Path, index: int) -> OutputFile:
    with open_signal(item) as node:
        STEP.check_signal(node.ndim, node.shape)
        axis = axis_of(node, 0)
        if axis is None or axis.shape != node.shape:
            raise ValueError(f"{item.path} has no energy axis (@axes of its NXdata) of its length")
        result = normalise(_energy_ev(axis), node[()], params)
    energy = result["energy"]
    beyond = energy >= result["e0"] + params.norm1
    summary = {"e0": round(result["e0"], 3), "edge_step": round(result["edge_step"], 6), "points": len(energy),
               "mean_flat_post_edge": round(float(result["flat"][beyond].mean()), 6) if beyond.any() else 0.0}
    return write_result(output_dir, index, item, "xas_norm.nxs", program="xas-normalisation", params=params,
                        signal="norm", fields={k: v for k, v in result.items() if isinstance(v, np.ndarray)},
                        axes=["energy"], units={"energy": "eV"}, summary=summary,
                        long_names={"norm": "normalised μ(E)", "flat": "flattened μ(E)"})


STEP = Step(
    name="xas-normalisation",
    title="XAS normalisation",
    description="E0, pre-edge line, post-edge curve and edge step of each spectrum; the normalised and "
                "flattened μ(E) as one NeXus file per dataset.",
    techniques=("XAS",),
    parameters=XasParameters,
    process=process,
    dimensions=(1,),
    needs="1-D spectra μ(E) with an energy axis",
)
