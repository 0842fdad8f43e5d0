"""Realistic synthetic NeXus files for the demo, the tests and the benchmarks.

``write_demo_data(DIR)`` writes four proposals at four beamlines::

    DIR/<beamline>/<proposalId>/<sample>/<scan>.nxs
    DIR/mapping.yaml       the ingestion mapping (path -> beamline, proposal, group)
    DIR/proposals.yaml     the proposals and the demo users (who is in which group)

========  ========  ===========  ==========================================  =====================
beamline  proposal  technique    files                                       members
========  ========  ===========  ==========================================  =====================
i03       p1001     MX (NXmx)    rotation sweeps: Eiger frame stacks,        alice
                                 chunked per frame, bitshuffle/LZ4, omega
i22       p1002     SAXS         2-D pattern time series (NXsas) plus the    alice, bob
                                 reduced I(q) as a second entry (NXcanSAS)
b18       p2001     XAS          Cu K-edge spectra, energy vs mu (NXxas)     erin
i13       p3001     tomography   projections, flats, darks, rotation         frank
                                 angles and image keys (NXtomo)
========  ========  ===========  ==========================================  =====================

carol is staff of i03 (she sees p1001's data); dave is in no proposal. The physics is
simple but real: MX spots are where a lysozyme-like reciprocal lattice crosses the
Ewald sphere, SAXS patterns are polydisperse-sphere form factors, XAS spectra an
edge with a white line and EXAFS wiggles, tomography projections line integrals
through a phantom of spheres with Beer-Lambert attenuation and Poisson noise.

Sizes: ``small`` (default, about 12 MB, seconds), ``large`` (the first MX sweep is
1800 frames of 2048x2048, 2.3 GB, under a minute, for the preview benchmark), ``huge``
(3600 frames of 4096x4096, about 18 GB). Frames are written one chunk at a time, so memory
stays at a few frames whatever the size. The same ``seed`` gives the same data.
Each file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import h5py
import hdf5plugin
import numpy as np
import yaml

SIZES = ("small", "large", "huge")


@dataclass(frozen=True)
class Profile:
    """How big each kind of file is."""

    mx_frames: int = 60
    mx_shape: tuple[int, int] = (256, 256)
    big_mx_frames: int = 60
    big_mx_shape: tuple[int, int] = (256, 256)
    tomo_projections: int = 91
    tomo_shape: tuple[int, int] = (96, 128)
    saxs_frames: int = 8
    saxs_shape: tuple[int, int] = (195, 243)
    xas_points: int = 600


PROFILES = {
    "small": Profile(),
    "large": Profile(big_mx_frames=1800, big_mx_shape=(2048, 2048)),
    "huge": Profile(big_mx_frames=3600, big_mx_shape=(4096, 4096)),
}

UTC = timezone.utc


@dataclass(frozen=True)
class Scan:
    beamline: str
    proposal: str
    sample: str
    name: str
    kind: str
    start: datetime
    params: dict = field(default_factory=dict)


PROPOSALS = [
    {"proposalId": "p1001", "title": "Lysozyme and thaumatin ligand soaks", "beamline": "i03",
     "members": ["alice"], "start": datetime(2026, 3, 2, 8, tzinfo=UTC),
     "abstract": "Rotation data of soaked lysozyme and thaumatin crystals at 100 K."},
    {"proposalId": "p1002", "title": "Silica nanoparticle growth in situ", "beamline": "i22",
     "members": ["alice", "bob"], "start": datetime(2026, 4, 14, 8, tzinfo=UTC),
     "abstract": "Time-resolved SAXS of Stober silica particles growing in ethanol."},
    {"proposalId": "p2001", "title": "Copper catalyst oxidation states", "beamline": "b18",
     "members": ["erin"], "start": datetime(2026, 5, 5, 8, tzinfo=UTC),
     "abstract": "Cu K-edge XANES/EXAFS of copper foil and its oxides."},
    {"proposalId": "p3001", "title": "Trabecular bone microstructure", "beamline": "i13",
     "members": ["frank"], "start": datetime(2026, 6, 9, 8, tzinfo=UTC),
     "abstract": "Phase-contrast micro-tomography of bone biopsies."},
]

USERS = [
    {"name": "alice", "fullName": "Alice Archer", "groups": ["p1001", "p1002"], "staff_of": []},
    {"name": "bob", "fullName": "Bob Baker", "groups": ["p1002"], "staff_of": []},
    {"name": "carol", "fullName": "Carol Chen (i03 beamline scientist)", "groups": [], "staff_of": ["i03"]},
    {"name": "dave", "fullName": "Dave Dunn (no proposal)", "groups": [], "staff_of": []},
    {"name": "erin", "fullName": "Erin Evans", "groups": ["p2001"], "staff_of": []},
    {"name": "frank", "fullName": "Frank Fischer", "groups": ["p3001"], "staff_of": []},
]

INSTRUMENTS = {
    "i03": "DIAMOND BEAMLINE I03", "i22": "DIAMOND BEAMLINE I22",
    "b18": "DIAMOND BEAMLINE B18", "i13": "DIAMOND BEAMLINE I13-2",
}

MAPPING = """\
# beamhub ingestion mapping for the demo data (format: beamhub/catalogue/ingest/mapping.py)
version: 1
root: "."
path: "{beamline}/{proposalId}/{sample}/*.nxs"
fields:
  creationLocation: "{beamline}"
  proposalId: "{proposalId}"
  ownerGroup: "{proposalId}"
  sampleId: {from: "entry/sample/name", default: "{sample}"}
  owner: {from: "entry/user/name", default: ""}
  keywords: ["{sample}", "demo"]
scientificMetadata:
  scan: "{stem}"
"""


def scans(profile: Profile) -> list[Scan]:
    """Every scan of the demo, in writing order."""
    at = {p["proposalId"]: p["start"] for p in PROPOSALS}

    def t(proposal: str, hours: float) -> datetime:
        return at[proposal] + timedelta(hours=hours)

    saxs = {"frames": profile.saxs_frames, "shape": profile.saxs_shape}
    xas = {"points": profile.xas_points}
    tomo = {"projections": profile.tomo_projections, "shape": profile.tomo_shape}

    return [
        Scan("i03", "p1001", "lysozyme", "lysozyme_0001", "mx", t("p1001", 1.0),
             {"frames": profile.big_mx_frames, "shape": profile.big_mx_shape, "cell": (79.1, 79.1, 37.9)}),
        Scan("i03", "p1001", "lysozyme", "lysozyme_0002", "mx", t("p1001", 2.5),
             {"frames": profile.mx_frames, "shape": profile.mx_shape, "cell": (79.1, 79.1, 37.9)}),
        Scan("i03", "p1001", "thaumatin", "thaumatin_0001", "mx", t("p1001", 5.0),
             {"frames": profile.mx_frames, "shape": profile.mx_shape, "cell": (58.6, 58.6, 151.6)}),
        Scan("i22", "p1002", "silica", "silica_growth_0001", "saxs", t("p1002", 1.0),
             {**saxs, "radius_nm": (8.0, 14.0), "temperature": 298.15}),
        Scan("i22", "p1002", "silica", "silica_growth_0002", "saxs", t("p1002", 3.0),
             {**saxs, "radius_nm": (14.0, 19.0), "temperature": 308.15}),
        Scan("i22", "p1002", "micelles", "micelles_0001", "saxs", t("p1002", 6.0),
             {**saxs, "radius_nm": (3.0, 3.0), "temperature": 298.15}),
        Scan("b18", "p2001", "cu_foil", "cu_foil_0001", "xas", t("p2001", 1.0), {**xas, "shift_ev": 0.0, "white": 0.1}),
        Scan("b18", "p2001", "cu2o", "cu2o_0001", "xas", t("p2001", 2.0), {**xas, "shift_ev": 1.8, "white": 0.5}),
        Scan("b18", "p2001", "cuo", "cuo_0001", "xas", t("p2001", 3.0), {**xas, "shift_ev": 4.0, "white": 0.9}),
        Scan("i13", "p3001", "bone", "bone_0001", "tomo", t("p3001", 2.0), {**tomo, "spheres": 14}),
        Scan("i13", "p3001", "bone", "bone_0002", "tomo", t("p3001", 4.0), {**tomo, "spheres": 22}),
    ]


@dataclass
class DemoData:
    """What :func:`write_demo_data` wrote."""

    directory: Path
    files: list[Path]
    mapping: Path
    proposals: Path
    benchmark_stack: Path
    """The largest MX sweep (the multi-gigabyte one with ``size="large"``)."""

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def write_demo_data(directory: str | os.PathLike, size: str = "small", seed: int = 0,
                    progress: Callable[[str, int, int], None] | None = None) -> DemoData:
    """Write the demo data under ``directory`` (created if missing); return what was written.

    ``progress(file_name, done, total)`` is called after each frame of the big sweep.
    Existing files of the same names are replaced.
    """
    if size not in PROFILES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    profile = PROFILES[size]
    written = []
    for index, scan in enumerate(scans(profile)):
        path = root / scan.beamline / scan.proposal / scan.sample / f"{scan.name}.nxs"
        rng = np.random.default_rng([seed, index])
        report = (lambda done, total, name=path.name: progress(name, done, total)) if progress else None
        _write_atomically(path, lambda f, scan=scan, rng=rng, report=report: WRITERS[scan.kind](f, scan, rng, report))
        written.append(path)
    mapping = root / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    proposals = root / "proposals.yaml"
    proposals.write_text(proposals_document(), encoding="utf-8")
    return DemoData(directory=root, files=written, mapping=mapping, proposals=proposals,
                    benchmark_stack=written[0])


def proposals_document() -> str:
    items = []
    for p in PROPOSALS:
        items.append({
            "proposalId": p["proposalId"], "title": p["title"], "abstract": p["abstract"],
            "ownerGroup": p["proposalId"], "members": p["members"], "beamline": p["beamline"],
            "startTime": p["start"].isoformat(), "endTime": (p["start"] + timedelta(days=2)).isoformat(),
            "dataPath": f"{p['beamline']}/{p['proposalId']}",
        })
    header = ("# Demo proposals and users (format: beamhub/catalogue/ingest/proposals.py).\n"
              "# Load with: beamhub ingest DIR --mapping DIR/mapping.yaml --proposals DIR/proposals.yaml\n")
    return header + yaml.safe_dump({"proposals": items, "users": USERS}, sort_keys=False)


def _write_atomically(path: Path, write: Callable[[h5py.File], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with h5py.File(partial, "w") as f:
            f.attrs["creator"] = "beamhub demo-data"
            f.attrs["HDF5_Version"] = h5py.version.hdf5_version
            f.attrs["h5py_version"] = h5py.version.version
            f.attrs["default"] = "entry"
            write(f)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


# --- NeXus building blocks -------------------------------------------------------------


def _group(parent: h5py.Group, name: str, nx_class: str, **attrs) -> h5py.Group:
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        group.attrs[key] = value
    return group


def _field(parent: h5py.Group, name: str, value, units: str | None = None, **attrs) -> h5py.Dataset:
    node = parent.create_dataset(name, data=value)
    if units is not None:
        node.attrs["units"] = units
    for key, item in attrs.items():
        node.attrs[key] = item
    return node


def _entry(f: h5py.File, scan: Scan, definition: str, title: str, seconds: float, name: str = "entry") -> h5py.Group:
    entry = _group(f, name, "NXentry", default="data")
    _field(entry, "definition", definition)
    _field(entry, "title", title)
    _field(entry, "start_time", scan.start.isoformat())
    _field(entry, "end_time", (scan.start + timedelta(seconds=seconds)).isoformat())
    _field(entry, "experiment_identifier", scan.proposal)
    user = _group(entry, "user", "NXuser")
    owner = next(p["members"][0] for p in PROPOSALS if p["proposalId"] == scan.proposal)
    _field(user, "name", owner)
    _field(user, "role", "principal_investigator")
    return entry


def _instrument(entry: h5py.Group, scan: Scan) -> h5py.Group:
    instrument = _group(entry, "instrument", "NXinstrument")
    _field(instrument, "name", INSTRUMENTS[scan.beamline], short_name=scan.beamline)
    source = _group(instrument, "source", "NXsource")
    _field(source, "name", "Diamond Light Source", short_name="DLS")
    _field(source, "type", "Synchrotron X-ray Source")
    _field(source, "probe", "x-ray")
    _field(source, "current", 300.2, "mA")
    _field(source, "energy", 3.0, "GeV")
    return instrument


def _nxdata(entry: h5py.Group, signal: str, axes: list[str], name: str = "data", **links) -> h5py.Group:
    data = _group(entry, name, "NXdata", signal=signal, axes=axes)
    for index, axis in enumerate(axes):
        if axis != ".":
            data.attrs[f"{axis}_indices"] = index
    for link_name, target in links.items():
        data[link_name] = target  # hard links, as NeXus writers do
    return data


# --- MX rotation -------------------------------------------------------------------------


def _write_mx(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    frames, (rows, columns) = scan.params["frames"], scan.params["shape"]
    wavelength, distance, width = 0.9763, 0.200, 0.1555  # angstrom, m, m (an Eiger2 9M)
    pixel = width / columns
    exposure, increment = 0.01, 0.1
    entry = _entry(f, scan, "NXmx", f"{scan.sample} rotation {frames * increment:g} deg", frames * exposure + 2)
    instrument = _instrument(entry, scan)
    beam = _group(instrument, "beam", "NXbeam")
    _field(beam, "incident_wavelength", wavelength, "angstrom")
    _field(beam, "total_flux", 2.1e12, "Hz")
    attenuator = _group(instrument, "attenuator", "NXattenuator")
    _field(attenuator, "attenuator_transmission", 0.25)
    detector = _group(instrument, "detector", "NXdetector")
    _field(detector, "description", "Eiger2 XE 9M (simulated)")
    _field(detector, "type", "Pixel")
    _field(detector, "sensor_material", "Silicon")
    _field(detector, "sensor_thickness", 0.00045, "m")
    _field(detector, "count_time", exposure, "s")
    _field(detector, "frame_time", exposure, "s")
    _field(detector, "distance", distance, "m")
    _field(detector, "beam_center_x", columns / 2 + 3.5, "pixels")
    _field(detector, "beam_center_y", rows / 2 - 2.5, "pixels")
    _field(detector, "x_pixel_size", pixel, "m")
    _field(detector, "y_pixel_size", pixel, "m")
    _field(detector, "saturation_value", 2**20)
    stack = detector.create_dataset("data", shape=(frames, rows, columns), dtype="uint32",
                                    chunks=(1, rows, columns), **hdf5plugin.Bitshuffle(cname="lz4"))
    sample = _group(entry, "sample", "NXsample")
    _field(sample, "name", scan.sample)
    _field(sample, "temperature", 100.0, "K")
    _field(sample, "depends_on", "/entry/sample/transformations/omega")
    transformations = _group(sample, "transformations", "NXtransformations")
    omega = np.arange(frames) * increment
    _field(transformations, "omega", omega, "deg", transformation_type="rotation", vector=[-1.0, 0, 0],
           depends_on=".")
    _field(transformations, "omega_increment_set", increment, "deg")
    _field(transformations, "omega_end", omega + increment, "deg")
    _nxdata(entry, "data", ["omega", ".", "."], data=stack, omega=transformations["omega"])

    lattice = _reciprocal_lattice(scan.params["cell"], d_min=wavelength / (2 * math.sin(
        0.5 * math.atan(0.5 * width * math.sqrt(2) / distance))), rng=rng)
    background = _mx_background((rows, columns), pixel, distance, wavelength, rng)
    for index in range(frames):
        frame = background[index % len(background)].copy()
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


def _mx_background(shape, pixel, distance, wavelength, rng, pool: int = 6) -> list[np.ndarray]:
    """A few Poisson background frames (air and water scattering: a diffuse ring at
    3.7 angstrom); frames reuse them, so a big sweep costs no Poisson draws per frame."""
    rows, columns = shape
    y, x = np.indices(shape, dtype=np.float32)
    radius = np.hypot((x - columns / 2) * pixel, (y - rows / 2) * pixel)
    d = wavelength / (2 * np.sin(0.5 * np.arctan(radius / distance) + 1e-9))
    mean = 0.4 + 1.6 * np.exp(-((d - 3.7) / 0.5) ** 2) + 3.0 * np.exp(-radius / (0.01))
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


# --- SAXS ----------------------------------------------------------------------------------


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


def _write_saxs(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    frames, (rows, columns) = scan.params["frames"], scan.params["shape"]
    wavelength_nm, distance, pixel = 0.1, 2.5, 172e-6
    exposure = 1.0
    entry = _entry(f, scan, "NXsas", f"{scan.sample} SAXS time series", frames * (exposure + 29))
    instrument = _instrument(entry, scan)
    mono = _group(instrument, "monochromator", "NXmonochromator")
    _field(mono, "energy", 12.398, "keV")
    _field(mono, "wavelength", wavelength_nm * 10, "angstrom")
    detector = _group(instrument, "detector", "NXdetector")
    _field(detector, "description", "Pilatus P3-2M (simulated)")
    _field(detector, "count_time", exposure, "s")
    _field(detector, "distance", distance, "m")
    center = (rows * 0.55, columns * 0.5)
    _field(detector, "beam_center_x", center[1], "pixels")
    _field(detector, "beam_center_y", center[0], "pixels")
    _field(detector, "x_pixel_size", pixel, "m")
    _field(detector, "y_pixel_size", pixel, "m")
    stack = detector.create_dataset("data", shape=(frames, rows, columns), dtype="int32",
                                    chunks=(1, rows, columns), compression="gzip", compression_opts=4)
    sample = _group(entry, "sample", "NXsample")
    _field(sample, "name", scan.sample)
    _field(sample, "temperature", scan.params["temperature"], "K")
    _field(sample, "thickness", 1.0, "mm")
    times = np.arange(frames) * (exposure + 29.0)
    _field(entry, "time", times, "s")
    _nxdata(entry, "data", ["time", ".", "."], data=stack, time=entry["time"])

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
    reduced = _group(f, "reduced", "NXentry", default="sasdata", canSAS_class="SASentry", version="1.1")
    _field(reduced, "definition", "NXcanSAS")
    _field(reduced, "title", f"{scan.sample} reduced I(q), last frame")
    _field(reduced, "run", scan.name)
    _field(reduced, "start_time", scan.start.isoformat())
    sas_sample = _group(reduced, "sample", "NXsample", canSAS_class="SASsample")
    _field(sas_sample, "name", scan.sample)
    sas_instrument = _group(reduced, "instrument", "NXinstrument", canSAS_class="SASinstrument")
    _field(sas_instrument, "name", INSTRUMENTS[scan.beamline], short_name=scan.beamline)
    sasdata = _group(reduced, "sasdata", "NXdata", canSAS_class="SASdata", signal="I", I_axes="Q", axes="Q",
                     Q_indices=0)
    _field(sasdata, "Q", centres, "1/angstrom")
    _field(sasdata, "I", intensity, "1/cm", uncertainties="Idev")
    _field(sasdata, "Idev", errors, "1/cm")


# --- XAS -----------------------------------------------------------------------------------


def _write_xas(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    points = scan.params["points"]
    edge = 8979.0 + scan.params["shift_ev"]
    energy = np.concatenate([np.linspace(8779, 8959, points // 6, endpoint=False),
                             np.linspace(8959, 9029, points // 2, endpoint=False),
                             np.linspace(9029, 9779, points - points // 6 - points // 2)])
    entry = _entry(f, scan, "NXxas", f"{scan.sample} Cu K-edge transmission", len(energy) * 1.2)
    instrument = _instrument(entry, scan)
    mono = _group(instrument, "monochromator", "NXmonochromator")
    _field(mono, "energy", energy, "eV")
    _field(mono, "crystal", "Si(111)")
    k = np.sqrt(np.clip(energy - edge, 0, None) * 0.2625)
    chi = sum(amplitude * np.sin(2 * k * r + phase) * np.exp(-2 * 0.006 * k**2) / np.maximum(k * r**2, 1e-3)
              for amplitude, r, phase in ((8.0, 2.55, 0.3), (3.0, 3.61, 1.1), (2.0, 4.43, 2.0)))
    chi *= np.clip((energy - edge) / 30.0, 0, 1)
    step = 0.5 + np.arctan((energy - edge) / 2.0) / np.pi
    white = scan.params["white"] * np.exp(-0.5 * ((energy - edge - 8) / 4) ** 2)
    mu = 0.25 + 0.00002 * (energy - 8779) + step * (1 + white + 0.3 * chi)
    mu += rng.normal(0, 0.002, len(energy))
    incoming = rng.poisson(2e5, len(energy)).astype(np.float64)
    transmitted = incoming * np.exp(-mu)
    incoming_detector = _group(instrument, "incoming_beam", "NXdetector")
    _field(incoming_detector, "data", incoming, "counts")
    _field(incoming_detector, "description", "I0 ion chamber")
    absorbed = _group(instrument, "absorbed_beam", "NXdetector")
    _field(absorbed, "data", transmitted, "counts")
    _field(absorbed, "description", "It ion chamber")
    monitor = _group(entry, "monitor", "NXmonitor")
    _field(monitor, "mode", "timer")
    _field(monitor, "preset", 1.0, "s")
    _field(monitor, "data", incoming, "counts")
    sample = _group(entry, "sample", "NXsample")
    _field(sample, "name", scan.sample)
    _field(sample, "chemical_formula", {"cu_foil": "Cu", "cu2o": "Cu2O", "cuo": "CuO"}[scan.sample])
    _field(sample, "temperature", 295.0, "K")
    data = _nxdata(entry, "mu", ["energy"], name="data", energy=mono["energy"])
    _field(data, "mu", mu, "", long_name="absorption mu(E) = ln(I0/It)")
    data["absorbed_beam"] = absorbed["data"]
    data["incoming_beam"] = incoming_detector["data"]
    _field(data, "mode", "Transmission")


# --- tomography ----------------------------------------------------------------------------


def _write_tomo(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    projections, (rows, columns) = scan.params["projections"], scan.params["shape"]
    darks, flats = 10, 10
    total = darks + flats + projections + flats
    pixel = 3.25e-6
    entry = _entry(f, scan, "NXtomo", f"{scan.sample} micro-CT, {projections} projections", total * 0.1 + 30)
    instrument = _instrument(entry, scan)
    mono = _group(instrument, "monochromator", "NXmonochromator")
    _field(mono, "energy", 22.0, "keV")
    detector = _group(instrument, "detector", "NXdetector")
    _field(detector, "description", "pco.edge 5.5 with 4x objective (simulated)")
    _field(detector, "count_time", 0.08, "s")
    _field(detector, "distance", 0.05, "m")
    _field(detector, "x_pixel_size", pixel, "m")
    _field(detector, "y_pixel_size", pixel, "m")
    stack = detector.create_dataset("data", shape=(total, rows, columns), dtype="uint16",
                                    chunks=(1, rows, columns), compression="gzip", compression_opts=2)
    keys = np.array([2] * darks + [1] * flats + [0] * projections + [1] * flats, dtype=np.int32)
    _field(detector, "image_key", keys)
    angles = np.concatenate([np.zeros(darks + flats), np.linspace(0, 180, projections), np.full(flats, 180.0)])
    sample = _group(entry, "sample", "NXsample")
    _field(sample, "name", scan.sample)
    _field(sample, "rotation_angle", angles, "deg")
    _field(sample, "x_translation", np.zeros(total), "mm")
    _field(sample, "temperature", 294.0, "K")
    control = _group(entry, "control", "NXmonitor")
    _field(control, "data", np.full(total, 1.0e6), "counts")
    _nxdata(entry, "data", ["rotation_angle", ".", "."], data=stack, rotation_angle=sample["rotation_angle"],
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


WRITERS = {"mx": _write_mx, "saxs": _write_saxs, "xas": _write_xas, "tomo": _write_tomo}
