"""SAXS (NXsas): 2-D pattern time series of polydisperse spheres, and the reduced I(q)
as a second entry (NXcanSAS)."""

from __future__ import annotations

import h5py
import numpy as np

from .facility import INSTRUMENTS, Scan
from .nexus import nx_data, nx_entry, nx_field, nx_group, nx_instrument


def _sphere_intensity(q: np.ndarray, radius: float) -> np.ndarray:
    """Polydisperse (10 %) sphere form factor, q in 1/nm, radius in nm."""
    radii = radius * (1 + 0.1 * np.linspace(-2, 2, 15))
    weights = np.exp(-0.5 * np.linspace(-2, 2, 15) ** 2)
    total = np.zeros_like(q, dtype=np.float64)
    for r, w in zip(radii, weights, strict=True):
        qr = np.maximum(q * r, 1e-6)
        amplitude = 3 * (np.sin(qr) - qr * np.cos(qr)) / qr**3
        total += w * (r**3) ** 2 * amplitude**2
    return total / weights.sum()


def write(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    frames, (rows, columns) = scan.params["frames"], scan.params["shape"]
    wavelength_nm, distance, pixel = 0.1, 2.5, 172e-6
    exposure = 1.0
    entry = nx_entry(f, scan, "NXsas", f"{scan.sample} SAXS time series", frames * (exposure + 29))
    instrument = nx_instrument(entry, scan)
    mono = nx_group(instrument, "monochromator", "NXmonochromator")
    nx_field(mono, "energy", 12.398, "keV")
    nx_field(mono, "wavelength", wavelength_nm * 10, "angstrom")
    detector = nx_group(instrument, "detector", "NXdetector")
    nx_field(detector, "description", "Pilatus P3-2M (simulated)")
    nx_field(detector, "count_time", exposure, "s")
    nx_field(detector, "distance", distance, "m")
    center = (rows * 0.55, columns * 0.5)
    nx_field(detector, "beam_center_x", center[1], "pixels")
    nx_field(detector, "beam_center_y", center[0], "pixels")
    nx_field(detector, "x_pixel_size", pixel, "m")
    nx_field(detector, "y_pixel_size", pixel, "m")
    stack = detector.create_dataset("data", shape=(frames, rows, columns), dtype="int32",
                                    chunks=(1, rows, columns), compression="gzip", compression_opts=4)
    sample = nx_group(entry, "sample", "NXsample")
    nx_field(sample, "name", scan.sample)
    nx_field(sample, "temperature", scan.params["temperature"], "K")
    nx_field(sample, "thickness", 1.0, "mm")
    times = np.arange(frames) * (exposure + 29.0)
    nx_field(entry, "time", times, "s")
    nx_data(entry, "data", ["time", ".", "."], data=stack, time=entry["time"])

    y, x = np.indices((rows, columns))
    radius = np.hypot((y - center[0]) * pixel, (x - center[1]) * pixel)
    q = 4 * np.pi * np.sin(0.5 * np.arctan(radius / distance)) / wavelength_nm
    beamstop = radius < 6 * pixel
    gaps = np.zeros((rows, columns), dtype=bool)
    gaps[:, columns // 2 - 3: columns // 2 + 4] = True
    first, last = scan.params["radius_nm"]
    for index in range(frames):
        particle = first + (last - first) * index / max(1, frames - 1)
        form = _sphere_intensity(q, particle) / _sphere_intensity(np.array([1e-6]), particle)
        counts = rng.poisson((3000 * form + 1.0) * exposure).astype(np.int32)
        counts[beamstop] = 0
        counts[gaps] = -1
        stack[index] = counts

    # the reduced I(q) of the last frame, as a canSAS entry (a second NXentry)
    valid = ~beamstop & ~gaps
    edges = np.linspace(q[valid].min(), q[valid].max(), 121)
    which = np.clip(np.digitize(q[valid], edges) - 1, 0, len(edges) - 2)
    sums = np.bincount(which, weights=np.asarray(counts, dtype=np.float64)[valid], minlength=len(edges) - 1)
    numbers = np.bincount(which, minlength=len(edges) - 1)
    keep = numbers > 0
    centres = 0.5 * (edges[:-1] + edges[1:])[keep] / 10  # 1/angstrom
    intensity = sums[keep] / numbers[keep]
    errors = np.sqrt(np.maximum(sums[keep], 1)) / numbers[keep]
    reduced = nx_group(f, "reduced", "NXentry", default="sasdata", canSAS_class="SASentry", version="1.1")
    nx_field(reduced, "definition", "NXcanSAS")
    nx_field(reduced, "title", f"{scan.sample} reduced I(q), last frame")
    nx_field(reduced, "run", scan.name)
    nx_field(reduced, "start_time", scan.start.isoformat())
    sas_sample = nx_group(reduced, "sample", "NXsample", canSAS_class="SASsample")
    nx_field(sas_sample, "name", scan.sample)
    sas_instrument = nx_group(reduced, "instrument", "NXinstrument", canSAS_class="SASinstrument")
    nx_field(sas_instrument, "name", INSTRUMENTS[scan.beamline], short_name=scan.beamline)
    sasdata = nx_group(reduced, "sasdata", "NXdata", canSAS_class="SASdata", signal="I", I_axes="Q", axes="Q",
                       Q_indices=0)
    nx_field(sasdata, "Q", centres, "1/angstrom")
    nx_field(sasdata, "I", intensity, "1/cm", uncertainties="Idev")
    nx_field(sasdata, "Idev", errors, "1/cm")


