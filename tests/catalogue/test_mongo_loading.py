"""The search columns' first load reads every document once, in a thread ahead of the applying (``mongo.loading``)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pymongo
import pytest

from beamhub.catalogue.stores.mongo import loading

pytestmark = pytest.mark.mongodb


@pytest.fixture
def collection(mongodb_url):
    """A collection of 5,001 documents (two and a half batches)."""
    url = mongodb_url.rstrip("/") + f"/beamhub_loading_{uuid.uuid4().hex[:8]}"
    client = pymongo.MongoClient(url, tz_aware=True)
    db = client.get_default_database()
    db["docs"].insert_many([{"_id": f"20.500.11935/{at:05d}", "n": at, "other": "x" * 10} for at in range(5001)])
    yield db["docs"], 5001
    client.drop_database(db.name)
    client.close()


@pytest.mark.parametrize("ahead", [True, False])
def test_every_document_is_read_once_in_batches_projected(collection, ahead):
    docs, total = collection
    read = Counter()
    sizes = []
    for batch in loading.load_batches(docs, {"n": 1}, ahead):
        sizes.append(len(batch))
        read.update(doc["n"] for doc in batch)
        assert all(set(doc) == {"_id", "n"} for doc in batch)  # the projection
    assert sizes == [loading.LOAD_BATCH, loading.LOAD_BATCH, 1001]
    assert sorted(read) == list(range(total)) and set(read.values()) == {1}


def test_the_thread_reads_ahead_while_the_caller_applies_and_stops_with_it(collection):
    docs, _ = collection
    batches = loading.load_batches(docs, {"n": 1})
    next(batches)  # the caller holds the first batch: the thread goes on reading the others
    reader = next(t for t in threading.enumerate() if t.name == "mongo-columns-load")
    reader.join(10)
    assert not reader.is_alive()  # done: the rest were read ahead (fewer than LOAD_AHEAD)
    assert sum(len(batch) for batch in batches) == 3001


def test_an_error_in_the_thread_is_raised_to_the_caller(collection):
    docs, _ = collection
    with pytest.raises(pymongo.errors.OperationFailure):
        for _ in loading.load_batches(docs, {"n": 1, "other": 0}):  # a projection the database refuses
            pass


def test_a_caller_that_stops_early_stops_the_thread(collection, monkeypatch):
    docs, _ = collection
    monkeypatch.setattr(loading, "LOAD_AHEAD", 1)
    batches = loading.load_batches(docs, {"n": 1})
    next(batches)
    reader = next(t for t in threading.enumerate() if t.name == "mongo-columns-load")
    batches.close()  # the caller gives up (an error while applying)
    reader.join(5)
    assert not reader.is_alive()


def test_workers_starting_together_without_a_snapshot_read_the_database_once(mongodb_url, tmp_path, monkeypatch):
    """Two workers of one service start at once with an empty snapshot folder: one reads
    every dataset, the other waits for it and takes its rows from the snapshot it wrote;
    both then answer as the database does."""
    from beamhub.catalogue import open_store
    from beamhub.catalogue.stores.mongo.columns import MongoColumns
    from tests.benchmarks import synthetic

    from .test_mongo_columns import N, STAFF, USER, catalogue, same

    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    load = MongoColumns._load

    def slow_load(self, *args, **kwargs):  # as at 1M datasets: longer than the workers take to start
        time.sleep(1.0)
        return load(self, *args, **kwargs)

    monkeypatch.setattr(MongoColumns, "_load", slow_load)
    folder = tmp_path / "search-columns"
    with open_store(url) as first, open_store(url) as second:
        starts = [store.keep_columns_warm(snapshot_dir=str(folder)) for store in (first, second)]
        assert all(columns.warmed.wait(60) for columns in starts)
        assert sorted(columns.restored for columns in starts) == [False, True]
        assert (folder / loading.LOAD_LOCK).exists()
        for store in (first, second):
            same(store, direct, STAFF, facets=True)
            same(store, direct, USER, facets=True)
    direct.close()


def test_a_worker_reaching_the_lock_after_the_first_released_it_takes_its_snapshot(mongodb_url, tmp_path,
                                                                                   monkeypatch):
    """A worker slow to start finds no snapshot, and then the lock free because the first
    worker has already read every dataset and written it: it takes that snapshot instead
    of reading every dataset again (under load this happened to the test above)."""
    from beamhub.catalogue import open_store
    from beamhub.catalogue.stores.mongo import columns as mongo_columns
    from tests.benchmarks import synthetic

    from .test_mongo_columns import N, STAFF, catalogue, same

    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    folder = tmp_path / "search-columns"
    first_done = threading.Event()
    real = mongo_columns.one_at_a_time

    def late(path):  # the second worker reaches the lock only once the first is done
        if getattr(threading.current_thread(), "late", False):
            assert first_done.wait(60)
        return real(path)

    monkeypatch.setattr(mongo_columns, "one_at_a_time", late)
    with open_store(url) as first, open_store(url) as second:
        started = threading.Thread.start

        def mark_late(thread):
            thread.late = True
            return started(thread)

        monkeypatch.setattr(threading.Thread, "start", mark_late)
        second_columns = second.keep_columns_warm(snapshot_dir=str(folder))
        monkeypatch.setattr(threading.Thread, "start", started)
        first_columns = first.keep_columns_warm(snapshot_dir=str(folder))
        assert first_columns.warmed.wait(60)
        first_done.set()
        assert second_columns.warmed.wait(60)
        assert (first_columns.restored, second_columns.restored) == (False, True)
        same(second, direct, STAFF, facets=True)
    direct.close()


def test_the_load_lock_is_held_by_one_and_released_when_it_is_done(tmp_path):
    order = []
    with loading.one_at_a_time(tmp_path) as waited:
        assert waited is False

        def other():
            with loading.one_at_a_time(tmp_path) as waited_there:
                order.append(("other", waited_there))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive()  # waiting for the lock
        order.append(("first", False))
    thread.join(5)
    assert order == [("first", False), ("other", True)]
    with loading.one_at_a_time(None) as waited:  # no folder: no lock
        assert waited is False
