"""A small catalogue whose every visibility, facet and vote answer is known by hand.

Proposals and who is in them:

=========  ========  ==========  =====================================
proposal   beamline  technique   members (groups)
=========  ========  ==========  =====================================
p1001      i03       MX          alice
p1002      i22       SAXS        alice, bob
p2001      b18       XAS         erin; also readable by group collab-x
p3001      i13       tomography  frank; d12 is published
p4001      i03       MX + SAXS   gina
=========  ========  ==========  =====================================

carol is staff of i03 (sees p1001 and p4001 data); dave is in no proposal.
"""

from __future__ import annotations

from datetime import datetime, timezone

from beamhub.catalogue import Dataset, Identity, Proposal

OPERATOR = Identity.for_operator("test-operator")
ALICE = Identity("alice", groups=frozenset({"p1001", "p1002"}))
BOB = Identity("bob", groups=frozenset({"p1002"}))
CAROL = Identity("carol", staff_of=frozenset({"i03"}))
DAVE = Identity("dave")
ERIN = Identity("erin", groups=frozenset({"p2001"}))
COLLAB = Identity("xavier", groups=frozenset({"collab-x"}))

PREFIX = "20.500.12269/"


def pid(n: int) -> str:
    return f"{PREFIX}d{n:02d}"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sm(**entries) -> dict:
    """``sm(temperature=(100, "K"), state="frozen")`` -> SciCat scientificMetadata."""
    out = {}
    for name, value in entries.items():
        if isinstance(value, tuple):
            out[name] = {"value": value[0], "unit": value[1]}
        else:
            out[name] = {"value": value, "unit": ""}
    return out


def _ds(n, name, proposal, beamline, techniques, when, **extra):
    doc = {
        "pid": pid(n),
        "datasetName": name,
        "type": "raw",
        "owner": "beamline-daq",
        "ownerGroup": proposal,
        "proposalId": proposal,
        "creationLocation": beamline,
        "techniques": techniques,
        "creationTime": t(when),
        "sourceFolder": f"/data/{beamline}/{proposal}/{name}",
        "size": 1000 * n,
        "numberOfFiles": 1,
    }
    doc.update(extra)
    return Dataset.parse(doc)


DATASETS = [
    _ds(1, "lysozyme_001", "p1001", "i03", ["MX"], "2024-03-01T10:00:00",
        description="Lysozyme native crystal, first sweep", keywords=["lysozyme", "native"],
        sampleId="lyso-a", scientificMetadata=sm(temperature=(100, "K"), exposure_time=(0.01, "s"),
                                                 sample_state="frozen")),
    _ds(2, "lysozyme_002", "p1001", "i03", ["MX"], "2024-03-01T11:00:00",
        description="Lysozyme at room temperature", keywords=["lysozyme"],
        scientificMetadata=sm(temperature=(293.15, "K"), sample_state="Room temperature")),
    _ds(3, "thaumatin_001", "p1001", "i03", ["MX"], "2024-03-02T09:00:00",
        description="Thaumatin reference crystal", keywords=["thaumatin"],
        scientificMetadata=sm(temperature=(100, "K"), sample_state="frozen")),
    _ds(4, "Müller crystal", "p1001", "i03", ["MX"], "2025-01-10T08:00:00",
        description="Named after Dr Müller", scientificMetadata=sm(temperature=(-173.15, "degC"))),
    _ds(5, "lysozyme_001 integrated", "p1001", "i03", ["MX"], "2025-01-11T08:00:00",
        type="derived", inputDatasets=[pid(1)], jobParameters={"binning": 2},
        description="Integrated intensities"),
    _ds(6, "bsa_saxs_01", "p1002", "i22", ["SAXS"], "2024-06-10T10:00:00",
        keywords=["bsa", "protein"],
        scientificMetadata=sm(temperature=(20, "degC"), concentration=(5, "mg/mL"))),
    _ds(7, "bsa_saxs_02", "p1002", "i22", ["SAXS"], "2024-06-10T12:00:00",
        keywords=["bsa", "protein"],
        scientificMetadata=sm(temperature=(20, "degC"), concentration=(10, "mg/mL"))),
    _ds(8, "buffer_saxs", "p1002", "i22", ["SAXS"], "2024-06-11T10:00:00",
        keywords=["buffer"], scientificMetadata=sm(concentration=(0, "mg/mL"))),
    _ds(9, "cu_k_edge_01", "p2001", "b18", ["XAS"], "2023-11-05T10:00:00",
        accessGroups=["collab-x"], scientificMetadata=sm(energy=(8.979, "keV"))),
    _ds(10, "cu_k_edge_02", "p2001", "b18", ["XAS"], "2023-11-05T11:00:00",
        accessGroups=["collab-x"], scientificMetadata=sm(energy=(8979, "eV"))),
    _ds(11, "secret catalyst", "p2001", "b18", ["XAS"], "2023-11-06T10:00:00",
        accessGroups=["collab-x"], description="Confidential catalyst, do not share"),
    _ds(12, "bone tomography", "p3001", "i13", ["tomography"], "2022-09-01T10:00:00",
        isPublished=True, keywords=["bone"], scientificMetadata=sm(voxel_size=(1.6, "um"))),
    _ds(13, "unpublished tomography", "p3001", "i13", ["tomography"], "2022-09-02T10:00:00",
        keywords=["bone"]),
    _ds(14, "insulin_001", "p4001", "i03", ["MX", "SAXS"], "2025-05-05T10:00:00",
        keywords=["insulin"], scientificMetadata=sm(temperature=(100, "K"), sample_state="frozen")),
]

PROPOSALS = [
    Proposal.parse({"proposalId": "p1001", "title": "Enzyme soaking series", "ownerGroup": "p1001",
                    "members": ["alice"], "beamline": "i03", "dataPath": "/data/i03/p1001",
                    "startTime": t("2024-03-01T00:00:00"), "endTime": t("2024-03-03T00:00:00")}),
    Proposal.parse({"proposalId": "p1002", "title": "SAXS of protein solutions", "ownerGroup": "p1002",
                    "members": ["alice", "bob"], "beamline": "i22", "dataPath": "/data/i22/p1002"}),
    Proposal.parse({"proposalId": "p2001", "title": "XAS of catalysts", "ownerGroup": "p2001",
                    "accessGroups": ["collab-x"], "members": ["erin"], "beamline": "b18",
                    "dataPath": "/data/b18/p2001"}),
    Proposal.parse({"proposalId": "p3001", "title": "Bone tomography", "ownerGroup": "p3001",
                    "members": ["frank"], "beamline": "i13", "dataPath": "/data/i13/p3001"}),
    Proposal.parse({"proposalId": "p4001", "title": "Insulin", "ownerGroup": "p4001",
                    "members": ["gina"], "beamline": "i03", "dataPath": "/data/i03/p4001"}),
]

VISIBLE = {
    "alice": {1, 2, 3, 4, 5, 6, 7, 8, 12},
    "bob": {6, 7, 8, 12},
    "carol": {1, 2, 3, 4, 5, 12, 14},
    "dave": {12},
    "erin": {9, 10, 11, 12},
    "xavier": {9, 10, 11, 12},
    "test-operator": set(range(1, 15)),
}
"""Which sample datasets (by number) each identity may see."""

IDENTITIES = [ALICE, BOB, CAROL, DAVE, ERIN, COLLAB, OPERATOR]


def load_sample(store) -> None:
    store.upsert_proposals(OPERATOR, PROPOSALS)
    store.upsert_datasets(OPERATOR, DATASETS)


def numbers(items) -> set[int]:
    """Sample numbers of datasets (or pids) returned by a store."""
    out = set()
    for item in items:
        value = item if isinstance(item, str) else item.pid
        out.add(int(value.rsplit("d", 1)[1]))
    return out
