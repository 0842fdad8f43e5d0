"""What only the MongoDB store has: outages, SciCat's own documents, repair tools, the
server's identity and its differences from MongoDB.

The outage tests start a DocumentDB of their own (never the shared session server) and
stop and restart it for real.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
import os
from datetime import datetime, timezone

import pymongo
import pytest

from beamhub.catalogue import Identity, NotFound, PermissionDenied, SearchQuery, StoreUnavailable
from beamhub.catalogue.stores.mongo.store import MongoStore
from beamhub.catalogue.stores.mongo.documents import DATASETS as DATASET_COLLECTION
from beamhub.catalogue.stores.mongo.documents import VOTES, vote_id
from beamhub.catalogue.stores.mongo.server import UnsupportedServer, detect, index_plan
from tests.services.ports import free_port
from tests.services.require import missing

from .sample import ALICE, BOB, CAROL, DATASETS, OPERATOR, PROPOSALS, load_sample, numbers, pid

pytestmark = pytest.mark.mongodb


def _database_url(base: str) -> str:
    return base.rstrip("/") + f"/beamhub_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mongo(mongodb_url):
    store = MongoStore(_database_url(mongodb_url))
    yield store
    store.drop_database()
    store.close()


@pytest.fixture
def raw(mongo):
    """The store's database through plain pymongo, as SciCat or a crash would leave it."""
    client = pymongo.MongoClient(mongo.url, tz_aware=True)
    yield client.get_default_database()
    client.close()


@pytest.fixture(scope="module")
def own_server():
    """A DocumentDB only this module stops and restarts."""
    from tests.services.documentdb import DocumentDB

    try:
        server = DocumentDB().start()
    except Exception as exc:
        missing("DocumentDB", f"could not start it ({exc})")
    yield server
    server.close()


# --- outages -----------------------------------------------------------------------


def every_method(store):
    """One call of every store method, as (name, thunk)."""
    from beamhub.catalogue import SelectionChanges, StatusChange

    sel = "sel-" + "0" * 32
    return [
        ("ping", lambda: store.ping()),
        ("upsert_datasets", lambda: store.upsert_datasets(OPERATOR, DATASETS[:1])),
        ("delete_datasets", lambda: store.delete_datasets(OPERATOR, [pid(1)])),
        ("upsert_proposals", lambda: store.upsert_proposals(OPERATOR, PROPOSALS[:1])),
        ("search", lambda: store.search(ALICE, SearchQuery(text="lysozyme"))),
        ("get_dataset", lambda: store.get_dataset(ALICE, pid(1))),
        ("get_datasets", lambda: store.get_datasets(ALICE, [pid(1)])),
        ("derived_from", lambda: store.derived_from(ALICE, pid(1))),
        ("list_proposals", lambda: store.list_proposals(ALICE)),
        ("get_proposal", lambda: store.get_proposal(ALICE, "p1001")),
        ("stats", lambda: store.stats(ALICE)),
        ("set_vote", lambda: store.set_vote(ALICE, pid(2), "like")),
        ("my_votes", lambda: store.my_votes(ALICE)),
        ("votes_for_dataset", lambda: store.votes_for_dataset(CAROL, pid(1))),
        ("create_selection", lambda: store.create_selection(ALICE, "s", [pid(1)])),
        ("get_selection", lambda: store.get_selection(ALICE, sel)),
        ("list_selections", lambda: store.list_selections(ALICE)),
        ("update_selection", lambda: store.update_selection(ALICE, sel, SelectionChanges(name="x"))),
        ("delete_selection", lambda: store.delete_selection(ALICE, sel)),
        ("change_selection_status", lambda: store.change_selection_status(ALICE, sel, StatusChange("submitted"))),
        ("recount_votes", lambda: store.recount_votes(OPERATOR)),
        ("reindex", lambda: store.reindex(OPERATOR)),
    ]


def test_every_method_reports_an_outage_and_recovers_without_reopening(own_server):
    # a short server-selection timeout from the URL: the store keeps URL options
    url = own_server.url.rstrip("/") + "/beamhub_outage?serverSelectionTimeoutMS=1000"
    store = MongoStore(url)
    load_sample(store)
    store.set_vote(ALICE, pid(1), "like", comment="acknowledged before the outage")

    own_server.stop()
    try:
        late_store = MongoStore(url)  # opening while the server is down does not fail...
        for name, call in every_method(store) + [("first use", late_store.ping)]:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="cannot be reached") as raised:
                call()
                pytest.fail(f"{name} did not notice the outage")
            assert time.monotonic() - started < 15, f"{name} hung instead of failing"
            assert f"127.0.0.1:{own_server.port}" in raised.value.message, name
    finally:
        own_server.start()

    # ...and the same store objects work again, the acknowledged vote intact
    vote = store.my_votes(ALICE)[0]
    assert (vote.pid, vote.value, vote.comment) == (pid(1), "like", "acknowledged before the outage")
    assert store.get_dataset(ALICE, pid(1)).likes == 1
    assert store.set_vote(BOB, pid(6), "dislike").dislikes == 1
    assert late_store.get_dataset(ALICE, pid(1)).myVote == "like"
    late_store.close()
    store.drop_database()
    store.close()


def test_unavailable_message_hides_the_password():
    url = f"mongodb://beamhub:s3cret-pw@127.0.0.1:{free_port()}/catalogue?serverSelectionTimeoutMS=300"
    store = MongoStore(url)
    with pytest.raises(StoreUnavailable) as raised:
        store.search(ALICE, SearchQuery())
    assert "s3cret-pw" not in raised.value.message
    assert "beamhub:***@127.0.0.1" in raised.value.message
    store.close()


# --- SciCat's own documents --------------------------------------------------------


SCICAT_DATASET = {
    # as SciCat's backend writes it: _id is the pid, no beamhub fields, SciCat's others
    "_id": "20.500.12269/scicat-1",
    "datasetName": "Ferritin soak",
    "description": "written by SciCat",
    "type": "raw",
    "owner": "scicat-ingestor",
    "ownerGroup": "p1001",
    "accessGroups": [],
    "isPublished": False,
    "proposalId": "p1001",
    "creationLocation": "i03",
    "techniques": [{"pid": "PaNET01173", "name": "MX"}],
    "creationTime": datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc),
    "sourceFolder": "/data/i03/p1001/ferritin",
    "size": 123,
    "numberOfFiles": 2,
    "keywords": ["ferritin"],
    "scientificMetadata": {"temperature": {"value": 95, "unit": "K"}, "beam_energy": {"value": 12.7, "unit": "keV"}},
    "datasetlifecycle": {"archivable": True, "retrievable": False},
    "version": "4.5.0",
}


def test_scicat_documents_are_read_as_they_are_and_reindexed_for_search(mongo, raw):
    load_sample(mongo)
    raw[DATASET_COLLECTION].insert_one(dict(SCICAT_DATASET))
    scicat_pid = SCICAT_DATASET["_id"]

    # readable at once by pid, with SciCat's access rules
    dataset = mongo.get_dataset(ALICE, scicat_pid)
    assert (dataset.pid, dataset.datasetName, dataset.technique_names) == (scicat_pid, "Ferritin soak", ["MX"])
    with pytest.raises(NotFound):
        mongo.get_dataset(BOB, scicat_pid)
    # and searchable at once: the first search derives the fields of documents it never saw
    assert mongo.search(ALICE, SearchQuery(text="ferritin")).total == 1
    with pytest.raises(PermissionDenied):
        mongo.reindex(ALICE)
    assert mongo.reindex(OPERATOR) == 0  # only stale documents are rewritten
    # a SciCat write (a new updatedAt) is re-derived by reindex at once; one that bypassed
    # SciCat (updatedAt as it was) only by reindex --everything
    raw[DATASET_COLLECTION].update_one({"_id": scicat_pid}, {"$set": {"keywords": ["ferritin", "iron"],
                                                                      "updatedAt": datetime.now(timezone.utc)}})
    assert mongo.reindex(OPERATOR) == 1
    raw[DATASET_COLLECTION].update_one({"_id": scicat_pid}, {"$set": {"keywords": ["ferritin"]}})
    assert mongo.reindex(OPERATOR) == 0
    assert mongo.reindex(OPERATOR, everything=True) == 1 + len(DATASETS)

    page = mongo.search(ALICE, SearchQuery(text="ferr", conditions=[{"name": "temperature", "op": "<", "value": 100, "unit": "K"}]))
    assert [d.pid for d in page.items] == [scicat_pid]
    assert {f.value: f.count for f in page.facets["year"]} == {2024: 1}
    assert mongo.search(CAROL, SearchQuery(beamline=["i03"], year=[2024], text="ferritin")).total == 1

    # votes and re-ingestion keep SciCat's other fields
    assert mongo.set_vote(ALICE, scicat_pid, "like").likes == 1
    mongo.upsert_datasets(OPERATOR, [dataset.model_copy(update={"description": "updated by beamhub"})])
    stored = raw[DATASET_COLLECTION].find_one({"_id": scicat_pid})
    assert stored["datasetlifecycle"] == {"archivable": True, "retrievable": False}
    assert stored["version"] == "4.5.0"
    assert (stored["description"], stored["beamhub_likes"]) == ("updated by beamhub", 1)
    assert "likes" not in stored


def test_default_database_name(mongodb_url):
    store = MongoStore(mongodb_url.rstrip("/") + "/")
    assert store.db.name == "beamhub"
    store.close()


def test_every_planned_index_exists(mongo, raw):
    plan = index_plan(mongo.server)
    for collection, models in plan.items():
        present = raw[collection].index_information()
        for model in models:
            spec = model.document
            assert spec["name"] in present, (collection, spec["name"])
            assert dict(present[spec["name"]]["key"]) == dict(spec["key"])
    assert present is not None
    # constructing again is harmless (idempotent index creation)
    MongoStore(mongo.url).close()


def test_a_missing_index_is_made_again_and_the_others_are_left_alone(mongo, raw):
    load_sample(mongo)
    found = numbers(mongo.search(ALICE, SearchQuery(text="lysozyme")).items)
    raw[DATASET_COLLECTION].drop_index("words")
    before = raw[DATASET_COLLECTION].index_information()
    assert "words" not in before
    MongoStore(mongo.url).close()
    after = raw[DATASET_COLLECTION].index_information()
    assert set(after) == set(before) | {"words"}
    assert found and numbers(mongo.search(ALICE, SearchQuery(text="lysozyme")).items) == found


# --- repair tools --------------------------------------------------------------------


def test_recount_votes_repairs_counters_left_wrong_by_a_crash(mongo, raw):
    load_sample(mongo)
    mongo.set_vote(ALICE, pid(1), "like")
    mongo.set_vote(CAROL, pid(1), "dislike")
    mongo.set_vote(BOB, pid(6), "like")
    # a crash after the vote was written but before the counters moved...
    raw[VOTES].insert_one({"_id": vote_id(pid(6), "alice"), "pid": pid(6), "user": "alice", "value": "like",
                           "comment": "", "createdAt": datetime.now(timezone.utc),
                           "updatedAt": datetime.now(timezone.utc)})
    # ...and counters moved for a vote that never got written
    raw[DATASET_COLLECTION].update_one({"_id": pid(12)}, {"$inc": {"beamhub_dislikes": 1}})
    assert mongo.get_dataset(OPERATOR, pid(6)).likes == 1

    with pytest.raises(PermissionDenied):
        mongo.recount_votes(ALICE)
    assert mongo.recount_votes(OPERATOR) == 2
    assert (mongo.get_dataset(OPERATOR, pid(6)).likes, mongo.get_dataset(OPERATOR, pid(6)).dislikes) == (2, 0)
    assert mongo.get_dataset(OPERATOR, pid(12)).dislikes == 0
    assert (mongo.get_dataset(OPERATOR, pid(1)).likes, mongo.get_dataset(OPERATOR, pid(1)).dislikes) == (1, 1)
    assert mongo.recount_votes(OPERATOR) == 0
    # votes go on from the repaired counts
    assert mongo.set_vote(ALICE, pid(6), None).likes == 1


def test_a_vote_whose_counting_failed_is_counted_once_by_the_retry(mongo, monkeypatch):
    """The database goes away after the vote document is written but before the dataset
    counts it (simulated by failing the counting step once): the request fails, and the
    user's retry counts the vote exactly once, also when the first counting did land."""
    load_sample(mongo)
    mongo.set_vote(BOB, pid(6), "like")
    real = MongoStore._count_vote
    failures = {"before": 1, "after": 0}

    def flaky(self, pid_, user):
        if failures["before"]:
            failures["before"] -= 1
            raise pymongo.errors.AutoReconnect("connection lost")
        if failures["after"]:  # counted, but the answer never arrived
            failures["after"] -= 1
            real(self, pid_, user)
            raise pymongo.errors.AutoReconnect("connection lost")
        return real(self, pid_, user)

    monkeypatch.setattr(MongoStore, "_count_vote", flaky)
    with pytest.raises(StoreUnavailable):
        mongo.set_vote(ALICE, pid(6), "like")
    assert mongo.get_dataset(OPERATOR, pid(6)).likes == 1        # written, not yet counted
    assert mongo.set_vote(ALICE, pid(6), "like").likes == 2      # the retry counts it
    assert mongo.set_vote(ALICE, pid(6), "like").likes == 2      # and only once

    failures["after"] = 1
    with pytest.raises(StoreUnavailable):
        mongo.set_vote(ALICE, pid(6), "dislike")
    state = mongo.set_vote(ALICE, pid(6), "dislike")             # retried after a lost answer
    assert (state.likes, state.dislikes) == (1, 1)
    assert mongo.recount_votes(OPERATOR) == 0                    # nothing left to repair


# --- votes across processes (atomic single-document updates on the server) ---


def _vote_in_process(url: str, worker: int, targets: list[str], rounds: int, start_at: float) -> dict:
    store = MongoStore(url)
    final = {}
    time.sleep(max(0.0, start_at - time.time()))  # all processes race from the same moment
    for voter in range(5):
        identity = Identity(f"proc{worker}-voter{voter}", groups=frozenset({"p1002"}))
        for step in range(rounds):
            for target in targets:
                value = ("like", "dislike", None)[(step + voter + worker) % 3]
                store.set_vote(identity, target, value)
                final[f"{identity.user}|{target}"] = value
    store.close()
    return final


def test_votes_stay_exact_with_voters_in_several_processes(mongo):
    load_sample(mongo)
    targets = [pid(6), pid(7)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        start_at = time.time() + 3
        results = pool.starmap(_vote_in_process, [(mongo.url, worker, targets, 8, start_at) for worker in range(3)])
    final = {k: v for result in results for k, v in result.items()}
    for target in targets:
        dataset = mongo.get_dataset(OPERATOR, target)
        expected = [v for k, v in final.items() if k.endswith("|" + target)]
        assert (dataset.likes, dataset.dislikes) == (expected.count("like"), expected.count("dislike"))


# --- server detection --------------------------------------------------------------


def test_detects_documentdb_and_mongodb_and_refuses_ferretdb_v1():
    documentdb = detect({"version": "7.0.0", "versionArray": [7, 0, 0, 0], "bits": 64},
                        {"msg": "isdbgrid", "internal": {"clusterVersion": "0.108"}, "ok": 1.0})
    assert documentdb.is_documentdb and documentdb.index_builds_in_background
    assert detect({"version": "7.0.0", "ferretdbVersion": "v2.5.0"}).is_documentdb  # FerretDB 2 runs on it
    mongodb = detect({"version": "7.0.14", "versionArray": [7, 0, 14, 0], "gitVersion": "ce59cfc"},
                     {"isWritablePrimary": True, "ok": 1.0})
    assert not mongodb.is_documentdb and not mongodb.index_builds_in_background
    with pytest.raises(UnsupportedServer, match="FerretDB 1.24.2 is not supported"):
        detect({"version": "7.0.42", "ferretdbVersion": "v1.24.2"})


def test_the_test_server_is_detected(mongo):
    expected = "documentdb" if not os.environ.get("BEAMHUB_TEST_MONGODB_URL") else mongo.server.name
    assert mongo.server.name == expected


def test_search_finds_sample_after_reopening(mongo):
    load_sample(mongo)
    again = MongoStore(mongo.url)
    assert numbers(again.search(ALICE, SearchQuery(limit=200)).items) == {1, 2, 3, 4, 5, 6, 7, 8, 12}
    again.close()


def test_reindex_rewrites_in_bulk(mongo, raw):
    raw[DATASET_COLLECTION].insert_many([dict(SCICAT_DATASET, _id=f"20.500.12269/scicat-{i}") for i in range(3)])
    assert mongo.reindex(OPERATOR) == 3
    assert mongo.search(ALICE, SearchQuery(text="ferritin soak")).total == 3
    assert mongo.reindex(OPERATOR) == 0
    assert mongo.reindex(OPERATOR, everything=True) == 3
