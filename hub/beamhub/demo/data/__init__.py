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

carol is staff of i03 (she sees p1001's data), grace staff of i22 (p1002's data, the
votes alice and bob cast there); dave is in no proposal. The physics is
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

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml

from . import mx, saxs, tomo, xas
from .facility import INSTRUMENTS, MAPPING, PROFILES, PROPOSALS, SIZES, USERS, UTC, Profile, Scan, scans
from .nexus import write_atomically

WRITERS = {"mx": mx.write, "saxs": saxs.write, "xas": xas.write, "tomo": tomo.write}
"""One writer a technique: ``write(h5py_file, scan, rng, report)``."""


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
        write_atomically(path, lambda f, scan=scan, rng=rng, report=report: WRITERS[scan.kind](f, scan, rng, report))
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


__all__ = ["DemoData", "INSTRUMENTS", "MAPPING", "PROFILES", "PROPOSALS", "SIZES", "USERS", "UTC", "WRITERS", "Profile",
           "Scan", "proposals_document", "scans", "write_demo_data"]
