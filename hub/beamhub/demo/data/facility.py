"""The demo facility: its proposals, users, beamlines, scans and file sizes.

Everything here is data; the writers (one module a technique) turn a :class:`Scan` into a
NeXus file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

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
    {"name": "grace", "fullName": "Grace Green (i22 beamline scientist)", "groups": [], "staff_of": ["i22"]},
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

