"""What beamhub may write into SciCat's own database, and how it writes it.

A MongoDB store is **SciCat's database** unless beamhub created it: the first beamhub
store to open an empty database marks it as beamhub's (``beamhub_meta``
``{_id: "catalogue"}``); a database that already has a ``Dataset`` collection and no
such mark is SciCat's (:func:`owned_by_scicat`). In SciCat's database beamhub

- never changes a field SciCat owns: it adds only ``beamhub_*`` fields to SciCat's
  documents (search fields, vote counters) and keeps its own data in ``beamhub_*``
  collections;
- writes no raw dataset and no proposal: ``beamhub ingest`` is refused before it reads
  a file (:data:`REFUSAL`), as SciCat's own ingestor makes SciCat's datasets;
- writes the **derived datasets** of fog-filter jobs as SciCat stores derived datasets
  (:func:`scicat_derived_document`): SciCat's v4 schema (``dataset.schema.ts`` and
  the ``OwnableClass``/``QueryableClass`` it extends) with every field it requires and
  those its v3 ``CreateDerivedDatasetObsoleteDto`` required (``investigator`` became
  v4's ``principalInvestigators``, ``inputDatasets``, ``usedSoftware``), so SciCat's
  UI lists them with their inputs. beamhub's own parts of them (files, default signal)
  are ``beamhub_*`` fields; only datasets beamhub created (``beamhub_createdBy``) are
  ever updated by it (a job's retry).
"""

from __future__ import annotations

from datetime import datetime

from ...errors import PermissionDenied
from ...model import Dataset
from .documents import DATASETS, DISLIKES, LIKES, SOURCE_UPDATED, proposal_ids

META = "beamhub_meta"
MARK_ID = "catalogue"
CREATED_BY = "beamhub_createdBy"
"""On a dataset beamhub created in SciCat's database: the writer (the only ones it updates)."""
FILES = "beamhub_files"
SIGNAL = "beamhub_signal"

REFUSAL = (
    "{url} is SciCat's database: beamhub reads SciCat's datasets and proposals there and adds "
    "only its own beamhub_* fields, it does not write SciCat's raw datasets or proposals. "
    "Catalogue raw data with SciCat's own ingestor (scicat-ingestor, or pyscicat and SciCat's "
    "REST API); beamhub's searches follow what SciCat writes within seconds. Nothing was written."
)

LIFECYCLE = {
    "archivable": True,
    "retrievable": False,
    "publishable": False,
    "isOnCentralDisk": True,
    "archiveStatusMessage": "datasetCreated",
    "retrieveStatusMessage": "",
    "retrieveIntegrityCheck": False,
}
"""SciCat's ``LifecycleClass`` defaults, as SciCat fills them on create."""


def owned_by_scicat(db, now: datetime) -> bool:
    """Whether ``db`` is SciCat's database (see the module docstring); marks an empty
    database as beamhub's."""
    meta = db[META]
    if meta.find_one({"_id": MARK_ID}) is not None:
        return False
    if DATASETS in db.list_collection_names():
        return True
    try:
        meta.insert_one({"_id": MARK_ID, "createdBy": "beamhub", "createdAt": now})
    except Exception as exc:  # another beamhub process marked it first
        if getattr(exc, "code", None) != 11000:
            raise
    return False


def refuse(url: str, what: str = "") -> PermissionDenied:
    """The error for a write beamhub does not make into SciCat's database."""
    message = REFUSAL.format(url=url)
    return PermissionDenied(f"{what}: {message}" if what else message)


def _investigators(inputs: list[dict]) -> list[str]:
    """The inputs' principal investigators, v4 (a list) and v3 (a string) alike."""
    found: list[str] = []
    for doc in inputs:
        values = doc.get("principalInvestigators")
        found += values if isinstance(values, list) else []
        for field in ("principalInvestigator", "investigator"):
            if isinstance(doc.get(field), str):
                found.append(doc[field])
    return list(dict.fromkeys(v for v in found if isinstance(v, str) and v))


def scicat_derived_document(dataset: Dataset, derived_fields: dict, inputs: list[dict], written: datetime,
                            writer: str) -> dict:
    """A derived dataset as SciCat stores it, with beamhub's ``beamhub_*`` fields beside.

    ``derived_fields``: beamhub's search fields (``mongo.documents.search_fields``);
    ``inputs``: the input datasets' stored documents (contact, investigators and API
    version are taken from them: a job's user is not a SciCat contact).
    """
    first = inputs[0] if inputs else {}
    contact = next((d.get("contactEmail") for d in inputs if isinstance(d.get("contactEmail"), str)), "")
    doc: dict = {
        "_id": dataset.pid,
        "createdBy": writer,
        "updatedBy": writer,
        "ownerGroup": dataset.ownerGroup,
        "accessGroups": list(dataset.accessGroups),
        "isPublished": dataset.isPublished,
        "pid": dataset.pid,
        "owner": dataset.owner,
        "contactEmail": contact,
        "sourceFolder": dataset.sourceFolder,
        "size": dataset.size,
        "packedSize": 0,
        "numberOfFiles": dataset.numberOfFiles,
        "numberOfFilesArchived": 0,
        "creationTime": dataset.creationTime,
        "type": "derived",
        "keywords": list(dataset.keywords),
        "description": dataset.description,
        "datasetName": dataset.datasetName,
        "version": first.get("version") if isinstance(first.get("version"), str) else "4.0.0",
        "datasetlifecycle": dict(LIFECYCLE),
        "techniques": [{"pid": t.pid, "name": t.name} for t in dataset.techniques],
        "relationships": [],
        "sharedWith": [],
        "scientificMetadata": {name: entry.model_dump() for name, entry in dataset.scientificMetadata.items()},
        "principalInvestigators": _investigators(inputs) or [dataset.owner],
    }
    if dataset.creationLocation:
        doc["creationLocation"] = dataset.creationLocation
    proposals = list(dict.fromkeys([*dataset.proposals, *(p for d in inputs for p in proposal_ids(d))]))
    if proposals:
        doc["proposalIds"] = proposals
    doc.update({
        "inputDatasets": list(dataset.inputDatasets),
        "usedSoftware": list(dataset.usedSoftware) or ["beamhub"],
        "jobParameters": dataset.jobParameters,
        "createdAt": written,
        "updatedAt": written,
    })
    doc.update({k: v for k, v in derived_fields.items() if k.startswith("beamhub_")})
    doc.update({
        LIKES: 0,
        DISLIKES: 0,
        SOURCE_UPDATED: written,
        CREATED_BY: writer,
        FILES: [f.model_dump() for f in dataset.files],
        SIGNAL: dataset.signal.model_dump() if dataset.signal else None,
    })
    return doc
