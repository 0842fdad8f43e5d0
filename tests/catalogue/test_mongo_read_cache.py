"""MongoDB reads keep validated datasets per process, keyed by their stored bytes
(issue 18): another worker's rename and vote, SciCat's access change and even a direct
write that leaves every stamp alone are seen at once, and each reader gets its own vote
on its own copy; proposals likewise. On DocumentDB, the reader with its search columns as the service runs it."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pymongo
import pytest

from beamhub.catalogue import NotFound, SearchQuery, open_store
from beamhub.catalogue.stores.mongo.documents import DATASETS as DATASET_COLLECTION

from .read_cache import check_another_workers_vote_and_rename_are_read_at_once
from .sample import BOB, COLLAB, OPERATOR, PROPOSALS, load_sample, pid

pytestmark = pytest.mark.mongodb


def _pids(store, identity) -> set[str]:
    return {d.pid for d in store.search(identity, SearchQuery(limit=50)).items}


def test_reads_see_other_workers_and_scicats_writes_at_once_and_each_callers_own_vote(mongodb_url):
    url = mongodb_url.rstrip("/") + f"/beamhub_test_{uuid.uuid4().hex[:12]}"
    with open_store(url) as other_worker, open_store(url) as reader:
        load_sample(other_worker)
        assert reader.keep_columns_warm().warmed.wait(30)
        client = pymongo.MongoClient(url, tz_aware=True)
        try:
            assert pid(6) in _pids(reader, BOB) and pid(6) not in _pids(reader, COLLAB)
            check_another_workers_vote_and_rename_are_read_at_once(reader, other_worker)

            # SciCat moves the dataset to another proposal and shares it with a collaboration
            client.get_default_database()[DATASET_COLLECTION].update_one({"_id": pid(6)}, {"$set": {
                "ownerGroup": "p4001", "accessGroups": ["collab-x"], "updatedAt": datetime.now(timezone.utc)}})
            with pytest.raises(NotFound):
                reader.get_dataset(BOB, pid(6))
            assert pid(6) not in _pids(reader, BOB)
            collab = reader.get_dataset(COLLAB, pid(6))
            assert (collab.ownerGroup, collab.accessGroups, collab.likes, collab.myVote) == (
                "p4001", ["collab-x"], 1, None)
            assert pid(6) in _pids(reader, COLLAB)

            # a write that changes no stamp at all (neither SciCat's nor beamhub's)
            client.get_default_database()[DATASET_COLLECTION].update_one(
                {"_id": pid(6)}, {"$set": {"description": "edited in the database"}})
            assert reader.get_dataset(COLLAB, pid(6)).description == "edited in the database"

            # proposals are kept the same way: another worker's new title is read at once
            assert {p.proposalId: p.title for p in reader.list_proposals(BOB)}["p1002"] == "SAXS of protein solutions"
            retitled = next(p for p in PROPOSALS if p.proposalId == "p1002").model_copy(update={"title": "BSA series"})
            other_worker.upsert_proposals(OPERATOR, [retitled])
            assert {p.proposalId: p.title for p in reader.list_proposals(BOB)}["p1002"] == "BSA series"
        finally:
            client.close()
            reader.drop_database()
