"""A catalogue of MX sweeps of known (hidden) quality with votes, for the suggestion tests."""

from __future__ import annotations

from pathlib import Path

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.ingest import ingest
from beamhub.demo.data.quality import write_quality_data
from beamhub.suggest.suggester import all_visible

STAFF = Identity("carol", staff_of=frozenset({"i03"}))


def voted_catalogue(work: Path):
    """36 MX sweeps in p5001-p5003 at i03 in a SQLite store under ``work``: p5001's and
    p5002's voted on by their members (like when the hidden quality is over 0.3), p5003's
    only twice (too few for a model). Returns (store, {proposal: pids})."""
    data = write_quality_data(work / "data", seed=2, datasets=36, proposals=3, voters=6, frames=4, shape=(64, 64))
    store = open_store(f"sqlite:///{work / 'catalogue.sqlite'}")
    report = ingest([data.directory], store, Identity.for_operator(), mapping=data.mapping, proposals=data.proposals)
    assert report.ok
    by_proposal: dict[str, set[str]] = {}
    for d in all_visible(store, STAFF):
        by_proposal.setdefault(d.proposalId, set()).add(d.pid)
        quality = data.quality[str(Path(d.signal.file).resolve())]
        voters = data.members[d.proposalId] if d.proposalId != "p5003" else data.members["p5003"][:1]
        if d.proposalId == "p5003" and len(by_proposal["p5003"]) > 2:
            continue  # two votes in p5003: not enough for a model
        for user in voters:
            store.set_vote(Identity(user, groups=frozenset({d.proposalId})), d.pid,
                           "like" if quality.score > 0.3 else "dislike")
    return store, by_proposal


def derived(n: int, source, sigma: float) -> dict:
    """A frame-score result of ``source`` made with ``sigma``, as beamhub registers one."""
    return {"pid": f"beamhub/derived-{n}", "datasetName": f"{source.datasetName} frame scores", "type": "derived",
            "ownerGroup": source.ownerGroup, "proposalId": source.proposalId, "creationLocation": "i03",
            "creationTime": "2026-10-01T08:00:00Z", "inputDatasets": [source.pid],
            "jobParameters": {"sigma": sigma, "min_score": 0.5},
            "scientificMetadata": {"processing_step": {"value": "frame-score", "unit": ""}}}
