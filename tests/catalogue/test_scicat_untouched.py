"""beamhub never changes a field SciCat owns, and writes into SciCat's database only what
SciCat's schema accepts.

SciCat's database is made as SciCat leaves it (the fixture set, with plain pymongo).
Before anything else, every document's SciCat fields are taken as raw BSON elements
(name, type and bytes, in order). Then beamhub searches, shows, reindexes, votes,
selects and registers a fog-filter job's derived datasets there, as several
identities; afterwards every SciCat field of every document must be the same bytes in
the same order, proposals and samples whole. ``beamhub ingest`` into it is refused
with a message naming SciCat's ingestor, and writes nothing.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from beamhub.catalogue import Identity, SearchQuery, SelectionChanges, StatusChange
from beamhub.catalogue.stores.mongo.store import MongoStore
from beamhub.jobs.register import derived_datasets
from beamhub.jobs.spec import Manifest, OutputFile

from . import scicat_documents as scicat

pytestmark = pytest.mark.mongodb

OPERATOR = Identity.for_operator("test-operator")
ERIN = Identity(user="erin", groups=frozenset({"p2001"}))
FRANK = Identity(user="frank", groups=frozenset({"p2002"}))
RAMJET = Identity(user="ramjet", groups=frozenset({"p13388", "20170251-group"}))
EGON = Identity(user="egon", groups=frozenset({"p34123"}))
STRANGER = Identity(user="mallory", groups=frozenset({"p7777"}))
IDENTITIES = (ERIN, FRANK, RAMJET, EGON, STRANGER, OPERATOR)

# SciCat's Dataset fields (dataset.schema.ts with OwnableClass and QueryableClass; v3's
# obsolete ones still found in its databases) and what mongoose adds.
SCICAT_DATASET_FIELDS = {
    "_id", "__v", "createdBy", "updatedBy", "createdAt", "updatedAt", "ownerGroup", "accessGroups",
    "instrumentGroup", "isPublished", "pid", "owner", "ownerEmail", "orcidOfOwner", "contactEmail",
    "sourceFolder", "sourceFolderHost", "size", "packedSize", "numberOfFiles", "numberOfFilesArchived",
    "creationTime", "type", "validationStatus", "keywords", "description", "datasetName", "classification",
    "license", "version", "datasetlifecycle", "techniques", "relationships", "sharedWith", "scientificMetadata",
    "comment", "dataQualityMetrics", "principalInvestigators", "startTime", "endTime", "creationLocation",
    "dataFormat", "runNumber", "proposalIds", "sampleIds", "instrumentIds", "inputDatasets", "usedSoftware",
    "jobParameters", "jobLogData",
}
SCICAT_DERIVED_REQUIRED = {
    # v4 schema's required fields, with the v3 derived DTO's (investigator -> principalInvestigators)
    "pid": str, "owner": str, "contactEmail": str, "sourceFolder": str, "size": int, "numberOfFiles": int,
    "creationTime": datetime, "type": str, "datasetName": str, "version": str, "datasetlifecycle": dict,
    "ownerGroup": str, "accessGroups": list, "isPublished": bool, "createdBy": str, "updatedBy": str,
    "createdAt": datetime, "updatedAt": datetime, "principalInvestigators": list, "inputDatasets": list,
    "usedSoftware": list, "jobParameters": dict,
}

_FIXED = {0x01: 8, 0x06: 0, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16,
          0x7F: 0, 0xFF: 0}


def elements(raw: bytes) -> list[tuple[str, bytes]]:
    """A BSON document's top-level elements as (name, the element's bytes), in order."""
    raw = bytes(raw)
    out, at, end = [], 4, struct.unpack_from("<i", raw)[0] - 1
    while at < end:
        start, kind = at, raw[at]
        name_end = raw.index(b"\x00", at + 1)
        name, at = raw[at + 1:name_end].decode(), name_end + 1
        if kind in _FIXED:
            at += _FIXED[kind]
        elif kind in (0x02, 0x0D, 0x0E):
            at += 4 + struct.unpack_from("<i", raw, at)[0]
        elif kind in (0x03, 0x04, 0x0F):
            at += struct.unpack_from("<i", raw, at)[0]
        elif kind == 0x05:
            at += 5 + struct.unpack_from("<i", raw, at)[0]
        elif kind == 0x0B:
            at = raw.index(b"\x00", raw.index(b"\x00", at) + 1) + 1
        elif kind == 0x0C:
            at += 4 + struct.unpack_from("<i", raw, at)[0] + 12
        else:
            raise AssertionError(f"BSON type {kind:#x} of {name!r}")
        out.append((name, raw[start:at]))
    return out


def scicat_part(raw: bytes) -> list[tuple[str, bytes]]:
    return [(name, data) for name, data in elements(raw) if not name.startswith("beamhub_")]


def raw_collection(db, name: str):
    return db.get_collection(name, codec_options=CodecOptions(document_class=RawBSONDocument))


def snapshot(db) -> dict:
    return {
        "Dataset": {doc["_id"]: scicat_part(doc.raw) for doc in raw_collection(db, "Dataset").find()},
        "Proposal": {doc["_id"]: bytes(doc.raw) for doc in raw_collection(db, "Proposal").find()},
        "Sample": {doc["_id"]: bytes(doc.raw) for doc in raw_collection(db, "Sample").find()},
    }


def _job_outputs(tmp_path: Path, selection_id: str, pids: list[str]) -> tuple[Path, Manifest]:
    output_dir = tmp_path / "work" / "erin" / selection_id / "outputs"
    output_dir.mkdir(parents=True)
    outputs = []
    for number, input_pid in enumerate(pids):
        with h5py.File(output_dir / f"filtered-{number}.h5", "w") as f:
            f.create_dataset("entry/data/data", data=np.arange(16, dtype="float32").reshape(4, 4))
        outputs.append(OutputFile(path=f"filtered-{number}.h5", input_pid=input_pid, signal="/entry/data/data",
                                  shape=[4, 4], dtype="float32", summary={"mean_intensity": 7.5 + number}))
    return output_dir, Manifest(status="ok", step="denoise", outputs=outputs,
                                finished=datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc))


def test_no_scicat_field_changes_through_everything_beamhub_does(scicat_db, tmp_path):
    url, db = scicat_db
    before = snapshot(db)
    store = MongoStore(url)

    # searches, facets, shows, as every identity; reindexing
    for identity in IDENTITIES:
        for body in ({}, {"text": "lysozyme"}, {"sort": "-likes"}, {"sort": "datasetName"},
                     {"conditions": [{"name": "temperature", "op": "<", "value": 300, "unit": "K"}]}):
            for dataset in store.search(identity, SearchQuery(limit=200, **body)).items:
                store.get_dataset(identity, dataset.pid)
        store.stats(identity)
        store.list_proposals(identity)
    assert store.reindex(OPERATOR) == 0
    assert store.reindex(OPERATOR, everything=True) == len(scicat.DATASETS)

    # votes by several users, changed and taken back; a recount
    for identity, pid, value in [(ERIN, scicat.pid(4), "like"), (FRANK, scicat.pid(4), "dislike"),
                                 (ERIN, scicat.pid(5), "like"), (ERIN, scicat.pid(5), "dislike"),
                                 (RAMJET, scicat.pid(1), "like"), (RAMJET, scicat.pid(1), None),
                                 (STRANGER, scicat.pid(12), "like"), (EGON, scicat.pid(13), "like")]:
        store.set_vote(identity, pid, value)
    assert store.get_dataset(ERIN, scicat.pid(4)).likes == 1
    assert store.get_dataset(ERIN, scicat.pid(4)).dislikes == 1
    assert [d.pid for d in store.search(ERIN, SearchQuery(sort="-likes", limit=2)).items][0] == scicat.pid(4)
    store.recount_votes(OPERATOR)

    # a selection, edited and submitted, and its job's derived datasets registered (twice: a retry)
    inputs = [scicat.pid(4), scicat.pid(5), scicat.pid(6)]
    selection = store.create_selection(ERIN, "cold lysozyme", inputs[:2], "denoise", {"strength": 2})
    selection = store.update_selection(ERIN, selection.id, SelectionChanges(add=inputs[2:], name="cold ones",
                                                                             expected_version=selection.version))
    selection = store.change_selection_status(OPERATOR, selection.id, StatusChange("submitted", job_id="42"))
    selection = store.change_selection_status(OPERATOR, selection.id, StatusChange("running"))
    output_dir, manifest = _job_outputs(tmp_path, selection.id, inputs)
    derived = derived_datasets(selection=selection, inputs=store.get_datasets(OPERATOR, inputs),
                               manifest=manifest, output_dir=output_dir, parameters={"strength": 2},
                               step_title="Denoise", pid_prefix="20.500.12269/beamhub")
    assert len(derived) == 2  # dataset 4 shares with p2002; 5 and 6 are p2001's alone
    assert store.upsert_datasets(OPERATOR, derived).inserted == 2
    assert store.upsert_datasets(OPERATOR, derived).unchanged == 2
    store.change_selection_status(OPERATOR, selection.id, StatusChange(
        "done", derived_datasets=[d.pid for d in derived]))
    store.set_vote(ERIN, derived[0].pid, "like")

    after = snapshot(db)
    for pid, fields in before["Dataset"].items():
        assert after["Dataset"][pid] == fields, pid
    assert after["Proposal"] == before["Proposal"]
    assert after["Sample"] == before["Sample"]
    assert set(after["Dataset"]) - set(before["Dataset"]) == {d.pid for d in derived}
    # beamhub's additions are beamhub_* fields, and its counters are among them
    voted = db["Dataset"].find_one({"_id": scicat.pid(4)})
    assert (voted["beamhub_likes"], voted["beamhub_dislikes"]) == (1, 1)
    assert {k for k in voted if k not in SCICAT_DATASET_FIELDS} <= {k for k in voted if k.startswith("beamhub_")}
    assert {c for c in db.list_collection_names() if c not in ("Dataset", "Proposal", "Sample")} \
        <= {c for c in db.list_collection_names() if c.startswith("beamhub_")}
    assert store.scicat
    store.close()


def test_derived_datasets_are_written_as_scicat_stores_them(scicat_db, tmp_path):
    url, db = scicat_db
    store = MongoStore(url)
    inputs = [scicat.pid(5), scicat.pid(6)]
    selection = store.create_selection(ERIN, "warm lysozyme", inputs, "denoise", {})
    output_dir, manifest = _job_outputs(tmp_path, selection.id, inputs)
    (derived,) = derived_datasets(selection=selection, inputs=store.get_datasets(OPERATOR, inputs),
                                  manifest=manifest, output_dir=output_dir, parameters={"strength": 1},
                                  step_title="Denoise", pid_prefix="20.500.12269/beamhub")
    store.upsert_datasets(OPERATOR, [derived])

    doc = db["Dataset"].find_one({"_id": derived.pid})
    for field, kind in SCICAT_DERIVED_REQUIRED.items():
        assert isinstance(doc.get(field), kind), (field, doc.get(field))
    assert doc["pid"] == doc["_id"] == derived.pid
    assert doc["type"] == "derived"
    assert doc["inputDatasets"] == inputs
    assert doc["usedSoftware"] and all(isinstance(s, str) and "beamhub" in s for s in doc["usedSoftware"])
    assert doc["jobParameters"] == {"strength": 1}
    assert doc["contactEmail"] == "scicatingestor@your.site"  # the inputs' contact, not a made-up one
    assert doc["principalInvestigators"] == ["pi@your.site"]
    assert doc["proposalIds"] == ["p2001"]
    assert (doc["ownerGroup"], doc["accessGroups"], doc["creationLocation"]) == ("p2001", [], scicat.X06SA)
    assert doc["owner"] == "erin"
    assert doc["numberOfFiles"] == 2 and doc["size"] > 0
    assert set(doc) - SCICAT_DATASET_FIELDS <= {k for k in doc if k.startswith("beamhub_")}
    # beamhub reads it back whole, with its lineage
    shown = store.get_dataset(ERIN, derived.pid)
    assert (shown.inputDatasets, shown.type, len(shown.files), shown.signal.path) == (
        inputs, "derived", 2, "/entry/data/data")
    assert derived.pid in [d.pid for d in store.derived_from(ERIN, inputs[1])]
    assert derived.pid in [d.pid for d in store.search(ERIN, SearchQuery(type=["derived"])).items]
    with pytest.raises(Exception) as refused:
        store.get_dataset(FRANK, derived.pid)
    assert "no dataset" in str(refused.value)
    store.close()


def test_ingest_into_scicats_database_is_refused_and_writes_nothing(scicat_db, tmp_path):
    url, db = scicat_db
    MongoStore(url).close()  # as a running catalogue service would have: its indexes and collections made
    before = snapshot(db)
    collections = sorted(db.list_collection_names())
    data = tmp_path / "data"
    data.mkdir()
    with h5py.File(data / "scan.h5", "w") as f:
        f.create_dataset("entry/data", data=np.zeros((2, 2)))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "hub")}
    done = subprocess.run([sys.executable, "-m", "beamhub", "ingest", str(data), "--store", url,
                           "--owner-group", "p2001", "--beamline", "x06sa", "--no-progress"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    assert "SciCat's database" in done.stderr and "scicat-ingestor" in done.stderr and "pyscicat" in done.stderr
    assert "Nothing was written" in done.stderr
    assert snapshot(db) == before
    assert sorted(db.list_collection_names()) == collections
    # and through the API as well: no raw dataset, no proposal
    store = MongoStore(url)
    with pytest.raises(Exception) as raw_refused:
        store.upsert_datasets(OPERATOR, [{"pid": "20.500.12269/new-raw", "datasetName": "raw", "ownerGroup": "p2001",
                                          "creationLocation": "x06sa", "creationTime": "2026-01-01T00:00:00Z"}])
    assert "scicat-ingestor" in str(raw_refused.value)
    with pytest.raises(Exception) as proposal_refused:
        store.upsert_proposals(OPERATOR, [{"proposalId": "p3000", "ownerGroup": "p3000"}])
    assert "scicat-ingestor" in str(proposal_refused.value)
    with pytest.raises(Exception) as delete_refused:
        store.delete_datasets(OPERATOR, [scicat.pid(4)])
    assert "SciCat's dataset" in str(delete_refused.value)
    store.close()
    assert snapshot(db) == before
