"""A synthetic facility catalogue of any size, for benchmarks and cross-backend checks.

Shaped like a real facility's: ten beamlines each holding a tenth of the data,
proposals of about a hundred datasets each, a few per cent published, some proposals
shared with a collaboration group, technique-specific scientific metadata. The same
``seed`` always gives the same catalogue.

Two benchmark identities: :func:`user_in_three_proposals` (sees ~300 datasets however
large the catalogue) and :func:`beamline_staff` (sees a tenth of everything).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from beamhub.catalogue import Dataset, Identity, MetadataCondition, Proposal, SearchQuery

BEAMLINES = {
    "i03": ["MX"], "i04": ["MX"], "i22": ["SAXS", "WAXS"], "b21": ["SAXS"], "i13": ["tomography"],
    "i12": ["tomography", "XRD"], "b18": ["XAS"], "i20": ["XAS", "XES"], "i11": ["XRD"], "i07": ["GISAXS", "XRR"],
}
SAMPLES = [
    "lysozyme", "thaumatin", "insulin", "trypsin", "myoglobin", "ferritin", "bsa", "apoferritin",
    "concanavalin", "glucose_isomerase", "proteinase_k", "catalase", "haemoglobin", "cutinase",
    "zeolite", "perovskite", "graphene", "silicon", "copper_foil", "iron_oxide", "titania", "ceria",
    "bone", "wood", "concrete", "battery_cathode", "polymer_film", "liquid_crystal", "micelle", "vesicle",
]
WORDS = [
    "native", "soak", "ligand", "apo", "holo", "mutant", "wildtype", "heated", "cooled", "annealed",
    "operando", "insitu", "reference", "calibration", "dark", "flat", "background", "buffer", "series",
    "gradient", "pressure", "humidity", "anneal", "quench", "radiation", "damage", "screening", "test",
]
START = datetime(2015, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = int((datetime(2026, 10, 1, tzinfo=timezone.utc) - START).total_seconds())
PER_PROPOSAL = 100
PREFIX = "20.500.99999/"


def proposal_id(index: int) -> str:
    return f"p{index:07d}"


def _beamline(index: int) -> str:
    return list(BEAMLINES)[index % len(BEAMLINES)]


def proposals(n_datasets: int, seed: int = 0) -> list[Proposal]:
    rng = random.Random(seed)
    out = []
    for index in range((n_datasets + PER_PROPOSAL - 1) // PER_PROPOSAL):
        beamline = _beamline(index)
        start = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        out.append(Proposal(
            proposalId=proposal_id(index), title=f"{rng.choice(SAMPLES).replace('_', ' ')} at {beamline}",
            ownerGroup=proposal_id(index), accessGroups=[f"collab-{index % 97}"] if index % 10 == 3 else [],
            members=[f"user{index % 5000:04d}"], beamline=beamline, startTime=start,
            endTime=start + timedelta(days=3), dataPath=f"/data/{beamline}/{proposal_id(index)}",
        ))
    return out


def datasets(n: int, seed: int = 0) -> Iterator[Dataset]:
    """``n`` datasets, proposal after proposal (``PER_PROPOSAL`` each)."""
    rng = random.Random(seed + 1)
    for i in range(n):
        index = i // PER_PROPOSAL
        if i % PER_PROPOSAL == 0:
            beamline = _beamline(index)
            techniques = BEAMLINES[beamline]
            base_time = START + timedelta(seconds=rng.randrange(SPAN_SECONDS - 5 * 86400))
            samples = rng.sample(SAMPLES, 3)
        sample = samples[i % 3]
        technique = techniques[i % len(techniques)]
        words = rng.sample(WORDS, 3)
        when = base_time + timedelta(seconds=(i % PER_PROPOSAL) * 1800 + rng.randrange(600))
        metadata = {
            "temperature": {"value": rng.choice([100, 100, 100, 293.15, 77, 350.5]), "unit": "K"},
            "exposure_time": {"value": rng.choice([0.001, 0.01, 0.1, 1.0]), "unit": "s"},
            "sample_state": {"value": rng.choice(["frozen", "solution", "powder", "film", "crystal"]), "unit": ""},
        }
        if technique in ("XAS", "XES"):
            metadata["energy"] = {"value": round(rng.uniform(5, 25), 3), "unit": "keV"}
        if technique in ("SAXS", "WAXS", "GISAXS"):
            metadata["detector_distance"] = {"value": rng.choice([1500, 3000, 7000]), "unit": "mm"}
            metadata["concentration"] = {"value": rng.choice([0, 1, 2, 5, 10]), "unit": "mg/mL"}
        yield Dataset(
            pid=f"{PREFIX}{i:08d}",
            datasetName=f"{sample}_{i % PER_PROPOSAL:04d}",
            description=f"{technique} {' '.join(words)} {sample.replace('_', ' ')} measured at {beamline}",
            type="derived" if i % 10 == 9 else "raw",
            owner=f"user{index % 5000:04d}",
            ownerGroup=proposal_id(index),
            accessGroups=[f"collab-{index % 97}"] if index % 10 == 3 else [],
            isPublished=(index % 50 == 7),
            proposalId=proposal_id(index),
            sampleId=f"{sample}-{index}",
            creationLocation=beamline,
            techniques=[{"name": technique}],
            creationTime=when,
            sourceFolder=f"/data/{beamline}/{proposal_id(index)}/{sample}_{i % PER_PROPOSAL:04d}",
            size=int(rng.lognormvariate(20, 2)),
            numberOfFiles=rng.randint(1, 2000),
            keywords=[sample, words[0]],
            scientificMetadata=metadata,
            inputDatasets=[f"{PREFIX}{i - 1:08d}"] if i % 10 == 9 else [],
        )


def user_in_three_proposals(n_datasets: int) -> Identity:
    """A user in three proposals spread over the catalogue (about 300 visible datasets
    plus the published ones)."""
    count = max(1, n_datasets // PER_PROPOSAL)
    picks = sorted({0, count // 2, count - 1})
    return Identity("bench-user", groups=frozenset(proposal_id(i) for i in picks))


def beamline_staff() -> Identity:
    """Staff of one beamline: a tenth of all datasets."""
    return Identity("bench-staff", staff_of=frozenset({"i22"}))


def query_mix(rng: random.Random, n: int) -> list[SearchQuery]:
    """``n`` searches as users make them: facet clicks, free text (often while typing),
    metadata conditions, and combinations. Every one asks for facet counts."""
    queries = []
    for _ in range(n):
        kind = rng.random()
        q: dict = {"limit": 25}
        if kind < 0.35:
            choice = rng.random()
            if choice < 0.4:
                q["beamline"] = [rng.choice(list(BEAMLINES))]
            elif choice < 0.7:
                q["technique"] = [rng.choice(["MX", "SAXS", "XAS", "tomography"])]
            else:
                q["year"] = [rng.randint(2015, 2026)]
        elif kind < 0.70:
            word = rng.choice(SAMPLES + WORDS).split("_")[0]
            q["text"] = word[: rng.randint(3, len(word))] if rng.random() < 0.5 else word
        elif kind < 0.85:
            q["conditions"] = [rng.choice([
                MetadataCondition.from_text("temperature < 150 K"),
                MetadataCondition.from_text("exposure_time >= 100 ms"),
                MetadataCondition.from_text("sample_state = frozen"),
                MetadataCondition.from_text("concentration > 1 mg/mL"),
            ]).model_dump()]
        else:
            q["text"] = rng.choice(SAMPLES).split("_")[0]
            q["year"] = [rng.randint(2015, 2026)]
            q["conditions"] = [MetadataCondition.from_text("temperature <= 100 K").model_dump()]
        if rng.random() < 0.1:
            q["sort"] = rng.choice(["datasetName", "-size", "-likes"])
        queries.append(SearchQuery.parse(q))
    return queries
