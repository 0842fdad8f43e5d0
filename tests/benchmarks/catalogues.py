"""Synthetic catalogues for benchmarks, built once and cached.

SQLite catalogues are files under ``~/.cache/beamhub/bench/`` (``$BEAMHUB_BENCH_CACHE``
overrides it), named by size, by the version of the generator (a hash of
``synthetic.py``) and by the store's schema version, so a change to either builds
new ones. A file is built under a temporary name and renamed when complete (a lock
file makes concurrent benchmarks wait for one build instead of each making its own).
MongoDB
catalogues are databases named the same way on the server given, written as SciCat
stores its datasets and proposals (:func:`scicat_document`), each with the derived
``beamhub_*`` fields the store's follower adds (``mongo.documents.index_update``): a
facility's SciCat database after beamhub caught up with it. The documents are inserted
first and the store then opened on them, which builds its indexes on the loaded
collection, as when beamhub first connects to a facility's database. One whose dataset
count is short (an interrupted load) is dropped and loaded again.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from beamhub.catalogue import Identity, open_store

from . import synthetic

OPERATOR = Identity.for_operator("bench")


def generator_version() -> str:
    return hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:10]


def cache_dir() -> Path:
    return Path(os.environ.get("BEAMHUB_BENCH_CACHE") or Path.home() / ".cache" / "beamhub" / "bench")


@dataclass
class Built:
    url: str
    seconds: float | None
    """Build time, or None when it came from the cache."""
    cpu_seconds: float | None = None
    """CPU time of this process for the build (the generator's and the store's)."""


def load(store, size: int) -> None:
    store.upsert_proposals(OPERATOR, synthetic.proposals(size))
    store.upsert_datasets(OPERATOR, synthetic.datasets(size))


def sqlite_catalogue(size: int) -> Built:
    from beamhub.catalogue.stores.sqlite.schema import SCHEMA_VERSION

    path = cache_dir() / f"search-{size}-g{generator_version()}-s{SCHEMA_VERSION}.sqlite"
    if path.exists():
        return Built(f"sqlite:///{path}", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another benchmark building the same one: wait for it
        if path.exists():
            return Built(f"sqlite:///{path}", None)
        partial = path.with_suffix(f".partial-{os.getpid()}")
        started, started_cpu = time.perf_counter(), time.process_time()
        store = open_store(f"sqlite:///{partial}")
        try:
            load(store, size)
        finally:
            store.close()
        for suffix in ("-wal", "-shm"):  # closed cleanly: nothing left, but be sure
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        partial.rename(path)
    return Built(f"sqlite:///{path}", time.perf_counter() - started, time.process_time() - started_cpu)


def scicat_document(dataset, written) -> dict:
    """A dataset as SciCat's backend stores it (``tests/catalogue/scicat_documents.py``
    describes the shape: v4 fields, ``_id`` = pid, BSON dates, timestamps, ``__v``)."""
    from beamhub.catalogue.stores.mongo.documents import truncate_to_millis
    from beamhub.catalogue.stores.mongo.scicat import scicat_derived_document

    doc = scicat_derived_document(dataset, {}, [], written, "ingestor")
    for field in [k for k in doc if k.startswith("beamhub_")]:
        del doc[field]
    doc.update(type=dataset.type, principalInvestigators=[dataset.owner], proposalIds=list(dataset.proposals),
               usedSoftware=list(dataset.usedSoftware), createdAt=dataset.creationTime, __v=0,
               **({"sampleIds": [dataset.sampleId]} if dataset.sampleId else {}))
    if dataset.type != "derived":
        for field in ("inputDatasets", "usedSoftware", "jobParameters"):
            doc.pop(field, None)
    return truncate_to_millis(doc)


def _followed(doc: dict) -> dict:
    """The document as the store's follower leaves it: SciCat's fields and beamhub's derived ones."""
    from beamhub.catalogue.stores.mongo.documents import SOURCE_UPDATED, index_update

    update, reason = index_update(doc)
    assert reason is None, reason
    return {**doc, **update["$set"], SOURCE_UPDATED: doc["updatedAt"]}


def mongo_catalogue(base_url: str, size: int) -> Built:
    from datetime import datetime, timezone
    from urllib.parse import urlsplit, urlunsplit

    import pymongo

    from beamhub.catalogue.stores.mongo.documents import DATASETS, PROPOSALS, proposal_fields

    parts = urlsplit(base_url)
    url = urlunsplit(parts._replace(path=f"/beamhub_bench_{size}_{generator_version()}_scicat"))
    client = pymongo.MongoClient(url, tz_aware=True)
    db = client.get_default_database()
    try:
        # DocumentDB's estimate comes from PostgreSQL's statistics (off by a few after a restart)
        if db[DATASETS].estimated_document_count() == size or db[DATASETS].count_documents({}) == size:
            return Built(url, None)
        client.drop_database(db.name)
        started, started_cpu = time.perf_counter(), time.process_time()
        written = datetime(2026, 1, 1, tzinfo=timezone.utc)
        db[PROPOSALS].insert_many([{**proposal_fields(p), "createdBy": "ingestor", "createdAt": written,
                                    "updatedAt": written, "__v": 0} for p in synthetic.proposals(size)])
        batch = []
        for dataset in synthetic.datasets(size):
            batch.append(_followed({**scicat_document(dataset, written), "updatedAt": written}))
            if len(batch) == 5000:
                db[DATASETS].insert_many(batch, ordered=False)
                batch = []
        if batch:
            db[DATASETS].insert_many(batch, ordered=False)
        loaded = time.perf_counter() - started
        open_store(url).close()  # beamhub connects for the first time: its indexes are built
        print(f"  loaded {size:,} SciCat documents in {loaded:.0f} s, indexes built in "
              f"{time.perf_counter() - started - loaded:.0f} s")
        return Built(url, time.perf_counter() - started, time.process_time() - started_cpu)
    finally:
        client.close()


def catalogue(backend: str, size: int, url: str | None = None) -> Built:
    if backend == "sqlite":
        return sqlite_catalogue(size)
    if not url:
        raise SystemExit("--backend mongo needs --url mongodb://HOST:PORT")
    return mongo_catalogue(url, size)
