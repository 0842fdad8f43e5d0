"""Tomography (NXtomo): projections, flats, darks, rotation angles and image keys; the
projections are line integrals through a phantom of spheres (Beer-Lambert, Poisson noise)."""

from __future__ import annotations

import math

import h5py
import numpy as np

from .facility import Scan
from .nexus import nx_data, nx_entry, nx_field, nx_group, nx_instrument


def write(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    projections, (rows, columns) = scan.params["projections"], scan.params["shape"]
    darks, flats = 10, 10
    total = darks + flats + projections + flats
    pixel = 3.25e-6
    entry = nx_entry(f, scan, "NXtomo", f"{scan.sample} micro-CT, {projections} projections", total * 0.1 + 30)
    instrument = nx_instrument(entry, scan)
    mono = nx_group(instrument, "monochromator", "NXmonochromator")
    nx_field(mono, "energy", 22.0, "keV")
    detector = nx_group(instrument, "detector", "NXdetector")
    nx_field(detector, "description", "pco.edge 5.5 with 4x objective (simulated)")
    nx_field(detector, "count_time", 0.08, "s")
    nx_field(detector, "distance", 0.05, "m")
    nx_field(detector, "x_pixel_size", pixel, "m")
    nx_field(detector, "y_pixel_size", pixel, "m")
    stack = detector.create_dataset("data", shape=(total, rows, columns), dtype="uint16",
                                    chunks=(1, rows, columns), compression="gzip", compression_opts=2)
    keys = np.array([2] * darks + [1] * flats + [0] * projections + [1] * flats, dtype=np.int32)
    nx_field(detector, "image_key", keys)
    angles = np.concatenate([np.zeros(darks + flats), np.linspace(0, 180, projections), np.full(flats, 180.0)])
    sample = nx_group(entry, "sample", "NXsample")
    nx_field(sample, "name", scan.sample)
    nx_field(sample, "rotation_angle", angles, "deg")
    nx_field(sample, "x_translation", np.zeros(total), "mm")
    nx_field(sample, "temperature", 294.0, "K")
    control = nx_group(entry, "control", "NXmonitor")
    nx_field(control, "data", np.full(total, 1.0e6), "counts")
    nx_data(entry, "data", ["rotation_angle", ".", "."], data=stack, rotation_angle=sample["rotation_angle"],
            image_key=detector["image_key"])

    spheres = _phantom(scan.params["spheres"], rng)
    v, u = np.mgrid[0:rows, 0:columns].astype(np.float64)
    u = (u - columns / 2) / (columns / 2)
    v = (v - rows / 2) / (columns / 2)
    beam = 30000 * np.exp(-0.5 * (v / 0.9) ** 2)
    for index in range(total):
        if keys[index] == 2:
            frame = rng.poisson(100, (rows, columns))
        elif keys[index] == 1:
            frame = rng.poisson(beam) + 100
        else:
            theta = math.radians(angles[index])
            attenuation = np.zeros((rows, columns))
            for x0, y0, z0, radius, mu in spheres:
                centre = x0 * math.cos(theta) + y0 * math.sin(theta)
                inside = radius**2 - (u - centre) ** 2 - (v - z0) ** 2
                attenuation += mu * 2 * np.sqrt(np.clip(inside, 0, None))
            frame = rng.poisson(beam * np.exp(-attenuation)) + 100
        stack[index] = np.clip(frame, 0, 65535).astype(np.uint16)


def _phantom(count: int, rng: np.random.Generator) -> list[tuple[float, ...]]:
    """A big cylinder-like body with smaller denser and lighter inclusions:
    (x, y, z, radius, attenuation) in units of half the detector width."""
    spheres = [(0.0, 0.0, z, 0.55, 1.2) for z in np.linspace(-0.5, 0.5, 6)]
    for _ in range(count):
        radius = rng.uniform(0.04, 0.14)
        spheres.append((rng.uniform(-0.35, 0.35), rng.uniform(-0.35, 0.35), rng.uniform(-0.45, 0.45),
                        radius, rng.choice([-0.8, 2.5, 4.0])))
    return spheres

