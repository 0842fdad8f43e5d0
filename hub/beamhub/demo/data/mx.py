"""MX rotation sweeps (NXmx): Eiger frame stacks, chunked per frame, bitshuffle/LZ4; the
spots are where a lysozyme-like reciprocal lattice crosses the Ewald sphere."""

from __future__ import annotations

import math

import h5py
import hdf5plugin
import numpy as np

from .facility import Scan
from .nexus import nx_data, nx_entry, nx_field, nx_group, nx_instrument


def write(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    frames, (rows, columns) = scan.params["frames"], scan.params["shape"]
    wavelength, distance, width = 0.9763, 0.200, 0.1555  # angstrom, m, m (an Eiger2 9M)
    pixel = width / columns
    exposure, increment = 0.01, 0.1
    entry = nx_entry(f, scan, "NXmx", f"{scan.sample} rotation {frames * increment:g} deg", frames * exposure + 2)
    instrument = nx_instrument(entry, scan)
    beam = nx_group(instrument, "beam", "NXbeam")
    nx_field(beam, "incident_wavelength", wavelength, "angstrom")
    nx_field(beam, "total_flux", 2.1e12, "Hz")
    attenuator = nx_group(instrument, "attenuator", "NXattenuator")
    nx_field(attenuator, "attenuator_transmission", 0.25)
    detector = nx_group(instrument, "detector", "NXdetector")
    nx_field(detector, "description", "Eiger2 XE 9M (simulated)")
    nx_field(detector, "type", "Pixel")
    nx_field(detector, "sensor_material", "Silicon")
    nx_field(detector, "sensor_thickness", 0.00045, "m")
    nx_field(detector, "count_time", exposure, "s")
    nx_field(detector, "frame_time", exposure, "s")
    nx_field(detector, "distance", distance, "m")
    nx_field(detector, "beam_center_x", columns / 2 + 3.5, "pixels")
    nx_field(detector, "beam_center_y", rows / 2 - 2.5, "pixels")
    nx_field(detector, "x_pixel_size", pixel, "m")
    nx_field(detector, "y_pixel_size", pixel, "m")
    nx_field(detector, "saturation_value", 2**20)
    stack = detector.create_dataset("data", shape=(frames, rows, columns), dtype="uint32",
                                    chunks=(1, rows, columns), **hdf5plugin.Bitshuffle(cname="lz4"))
    sample = nx_group(entry, "sample", "NXsample")
    nx_field(sample, "name", scan.sample)
    nx_field(sample, "temperature", 100.0, "K")
    nx_field(sample, "depends_on", "/entry/sample/transformations/omega")
    transformations = nx_group(sample, "transformations", "NXtransformations")
    omega = np.arange(frames) * increment
    nx_field(transformations, "omega", omega, "deg", transformation_type="rotation", vector=[-1.0, 0, 0],
             depends_on=".")
    nx_field(transformations, "omega_increment_set", increment, "deg")
    nx_field(transformations, "omega_end", omega + increment, "deg")
    nx_data(entry, "data", ["omega", ".", "."], data=stack, omega=transformations["omega"])

    lattice = _reciprocal_lattice(scan.params["cell"], d_min=wavelength / (2 * math.sin(
        0.5 * math.atan(0.5 * width * math.sqrt(2) / distance))), rng=rng)
    # hidden quality (beamhub.demo.data.quality): known to the generator, never written
    quality = scan.params.get("quality")
    if quality is not None:
        lattice[:, 3] *= quality.diffraction
    background = _mx_background((rows, columns), pixel, distance, wavelength, rng, quality=quality)
    for index in range(frames):
        frame = background[index % len(background)].copy()
        if quality is None or not quality.beam_lost(index, frames):
            _add_spots(frame, lattice, math.radians(omega[index]), math.radians(increment), wavelength,
                       distance, pixel, rng)
        stack[index] = frame
        if report:
            report(index + 1, frames)


def _reciprocal_lattice(cell, d_min: float, rng: np.random.Generator, limit: int = 60_000) -> np.ndarray:
    """Reciprocal lattice points (1/angstrom) of an orthogonal cell within ``d_min``,
    with Wilson-distributed intensities: rows (gx, gy, gz, intensity)."""
    a, b, c = cell
    g_max = 1 / d_min
    h = np.arange(-int(a * g_max), int(a * g_max) + 1)
    k = np.arange(-int(b * g_max), int(b * g_max) + 1)
    l_ = np.arange(-int(c * g_max), int(c * g_max) + 1)
    hh, kk, ll = np.meshgrid(h, k, l_, indexing="ij")
    g = np.stack([hh.ravel() / a, kk.ravel() / b, ll.ravel() / c], axis=1)
    length = np.linalg.norm(g, axis=1)
    g, length = g[(length > 0) & (length <= g_max)], length[(length > 0) & (length <= g_max)]
    if len(g) > limit:
        keep = rng.choice(len(g), limit, replace=False)
        g, length = g[keep], length[keep]
    intensity = rng.exponential(1.0, len(g)) * np.exp(-20.0 * length**2 / 4) * 4000
    return np.column_stack([g, intensity])


def _mx_background(shape, pixel, distance, wavelength, rng, pool: int = 6, quality=None) -> list[np.ndarray]:
    """A few Poisson background frames (air and water scattering: a diffuse ring at
    3.7 angstrom); frames reuse them, so a big sweep costs no Poisson draws per frame."""
    rows, columns = shape
    y, x = np.indices(shape, dtype=np.float32)
    radius = np.hypot((x - columns / 2) * pixel, (y - rows / 2) * pixel)
    d = wavelength / (2 * np.sin(0.5 * np.arctan(radius / distance) + 1e-9))
    mean = 0.4 + 1.6 * np.exp(-((d - 3.7) / 0.5) ** 2) + 3.0 * np.exp(-radius / (0.01))
    if quality is not None:
        mean = quality.background(mean, d)
    mean = mean.astype(np.float32)
    frames = []
    for _ in range(pool):
        frame = rng.poisson(mean).astype(np.uint32)
        frames.append(frame)
    # the module gaps of a hybrid pixel detector, as the masked value 2**32 - 1
    for frame in frames:
        for gap in range(rows // 8, rows, rows // 4):
            frame[gap:gap + max(1, rows // 200), :] = np.iinfo(np.uint32).max
    return frames


def _add_spots(frame, lattice, omega, width, wavelength, distance, pixel, rng) -> None:
    """Add the reflections crossing the Ewald sphere between omega and omega + width."""
    rows, columns = frame.shape
    g, intensity = lattice[:, :3], lattice[:, 3]
    k = 1 / wavelength
    middle = omega + width / 2
    cos, sin = math.cos(middle), math.sin(middle)
    # rotation about the x axis (the goniometer axis, perpendicular to the beam z)
    gx = g[:, 0]
    gy = cos * g[:, 1] - sin * g[:, 2]
    gz = sin * g[:, 1] + cos * g[:, 2]
    excitation = np.sqrt(gx**2 + gy**2 + (gz + k) ** 2) - k
    tolerance = np.hypot(gy, gz) * width / 2 + 2e-4
    hit = np.abs(excitation) < tolerance
    sx, sy, sz = gx[hit], gy[hit], gz[hit] + k
    forward = sz > 0
    sx, sy, sz, counts = sx[forward], sy[forward], sz[forward], intensity[hit][forward]
    column = columns / 2 + distance * sx / sz / pixel
    row = rows / 2 + distance * sy / sz / pixel
    inside = (column >= 2) & (column < columns - 2) & (row >= 2) & (row < rows - 2)
    column, row, counts = column[inside].astype(int), row[inside].astype(int), counts[inside]
    profile = np.array([[0.05, 0.25, 0.05], [0.25, 1.0, 0.25], [0.05, 0.25, 0.05]]) / 2.2
    masked = np.iinfo(np.uint32).max
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            add = rng.poisson(counts * profile[dy + 1, dx + 1]).astype(np.uint32)
            target = frame[row + dy, column + dx]
            frame[row + dy, column + dx] = np.where(target == masked, masked, target + add)


