"""A catalogue whose datasets' quality is known to the generator and hidden from everyone else.

For measuring the fog filter's suggestions (``beamhub suggest evaluate``,
:mod:`beamhub.suggest.evaluate`): :func:`write_quality_data` writes many small MX rotation
sweeps (the ordinary :mod:`.mx` writer) over a few proposals at i03, each sweep spoiled in
its own way:

- ``diffraction``: how strongly the crystal diffracts (spot intensities scale with it);
- ``noise``: how much higher the background is than a clean sweep's (air, solvent, a
  thick loop);
- ``ice``: the height of ice rings (3.90, 3.67, 3.44 angstrom) over the background;
- ``lost_after``: the fraction of the sweep after which the beam was lost (the rest of
  the frames are background only).

:attr:`Quality.score` combines them into one 0-1 number, what an expert would call
"worth processing". The quality is returned to the caller only: it is not written into
the NeXus files, the mapping or the proposals file, so nothing that is catalogued or
read by a model can see it. Proposals differ in their crystals (some proposals' samples
diffract better), as real ones do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import yaml

from .facility import MAPPING, UTC, Scan
from .mx import write as write_mx
from .nexus import write_atomically

ICE_RINGS = (3.897, 3.669, 3.441)
"""d-spacings (angstrom) of hexagonal ice's strongest rings."""


@dataclass(frozen=True)
class Quality:
    """What spoils one sweep (see the module docstring)."""

    diffraction: float = 1.0
    noise: float = 1.0
    ice: float = 0.0
    lost_after: float = 1.0

    @property
    def score(self) -> float:
        """0 (useless) to 1 (excellent)."""
        strength = min(1.0, max(0.0, math.log(self.diffraction / 0.08) / math.log(1.5 / 0.08)))
        noise = 1.0 / (1.0 + (self.noise - 1.0) / 5.0)
        ice = 1.0 - 0.5 * min(1.0, self.ice / 6.0)
        return strength * noise * ice * self.lost_after

    def beam_lost(self, index: int, frames: int) -> bool:
        return index >= round(self.lost_after * frames)

    def background(self, mean: np.ndarray, d: np.ndarray) -> np.ndarray:
        """The background's mean counts with this quality's noise and ice rings."""
        rings = sum(np.exp(-((d - ring) / 0.04) ** 2) for ring in ICE_RINGS)
        return mean * self.noise + self.ice * rings


@dataclass
class QualityData:
    """What :func:`write_quality_data` wrote, and the hidden truth."""

    directory: Path
    files: list[Path]
    mapping: Path
    proposals: Path
    quality: dict[str, Quality]
    """Hidden quality by the file's resolved path."""
    members: dict[str, list[str]] = field(default_factory=dict)
    """Proposal id -> its members (the simulated voters)."""


def random_quality(rng: np.random.Generator, crystals: float) -> Quality:
    """A sweep's quality; ``crystals`` shifts a proposal's typical diffraction strength."""
    diffraction = float(np.exp(rng.normal(math.log(0.35) + crystals, 0.9)))
    noise = float(1.0 + rng.exponential(3.0)) if rng.random() < 0.5 else 1.0
    ice = float(rng.uniform(2.0, 10.0)) if rng.random() < 0.25 else 0.0
    lost_after = float(rng.uniform(0.0, 0.6)) if rng.random() < 0.15 else 1.0
    return Quality(diffraction=round(min(diffraction, 3.0), 4), noise=round(noise, 3), ice=round(ice, 3),
                   lost_after=round(lost_after, 3))


def write_quality_data(directory, seed: int = 0, datasets: int = 160, proposals: int = 6,
                       voters: int = 8, frames: int = 8, shape: tuple[int, int] = (128, 128)) -> QualityData:
    """Write ``datasets`` MX sweeps over ``proposals`` proposals at i03 under ``directory``
    with a mapping and a proposals file (both as :func:`~beamhub.demo.data.write_demo_data`
    writes them); users ``v01``... are members of several proposals each. The same seed
    gives the same files and qualities."""
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 16])
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    users = [f"v{n:02d}" for n in range(1, voters + 1)]
    ids = [f"p{5001 + n}" for n in range(proposals)]
    crystals = {p: float(rng.normal(0.0, 0.7)) for p in ids}
    members = {p: sorted(rng.choice(users, size=min(4, voters), replace=False).tolist()) for p in ids}
    cells = {"lysozyme": (79.1, 79.1, 37.9), "thaumatin": (58.6, 58.6, 151.6)}
    files, truth = [], {}
    for index in range(datasets):
        proposal = ids[index % proposals]
        sample = "lysozyme" if rng.random() < 0.5 else "thaumatin"
        quality = random_quality(rng, crystals[proposal])
        scan = Scan("i03", proposal, sample, f"{sample}_{index:04d}", "mx", start + timedelta(minutes=10 * index),
                    {"frames": frames, "shape": shape, "cell": cells[sample], "quality": quality,
                     "owner": members[proposal][0]})
        path = root / "i03" / proposal / sample / f"{scan.name}.nxs"
        scan_rng = np.random.default_rng([seed, 16, index])
        write_atomically(path, lambda f, scan=scan, r=scan_rng: write_mx(f, scan, r, None))
        files.append(path)
        truth[str(path)] = quality
    mapping = root / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    document = {
        "proposals": [{"proposalId": p, "title": f"Evaluation proposal {p}", "abstract": "Simulated MX sweeps.",
                       "ownerGroup": p, "members": members[p], "beamline": "i03",
                       "startTime": start.isoformat(), "endTime": (start + timedelta(days=3)).isoformat(),
                       "dataPath": f"i03/{p}"} for p in ids],
        "users": [{"name": u, "fullName": f"Voter {u}", "groups": [p for p in ids if u in members[p]],
                   "staff_of": []} for u in users],
    }
    proposals_file = root / "proposals.yaml"
    proposals_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return QualityData(directory=root, files=files, mapping=mapping, proposals=proposals_file, quality=truth,
                       members=members)
