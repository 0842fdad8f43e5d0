"""Searches during a restart's catch-up are the database's answers (``mongo.columns``).

A worker starting from its snapshot answers searches as soon as the file is read back and
what changed since is listed, while those changes are still read and applied: the rows
answer for every dataset but the changed ones not applied yet, the database for those,
and the two answers are merged (``MongoColumns._catch_up``, ``MongoStore._merge_behind``).
Here the catch-up is held half-way (some changes applied, the rest not) while searches
along every sort, for three identities, with and without filters, text and cursors, must
give what a store searching the database directly gives: total, every facet count, the
page and the next cursor. SciCat's and beamhub's writes during the catch-up (after the
listing) are seen by the very next search.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pymongo
import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.stores.mongo import columns as mongo_columns
from tests.benchmarks import synthetic

from .test_mongo_columns import N, STAFF, USER, catalogue

pytestmark = pytest.mark.mongodb

OPERATOR = Identity.for_operator()


def result(store, identity, **query) -> tuple:
    got = store.search(identity, SearchQuery(**query))
    facets = {name: [(f.value, f.count) for f in counts] for name, counts in got.facets.items()}
    return got.total, facets, [d.pid for d in got.items], got.next_cursor


def pages(columns, direct, identity, **query) -> list:
    """Two pages of a search through the columns, each checked against the direct store's
    (total, facets, page, next cursor) and to have come from the columns."""
    seen, cursor = [], None
    for _ in range(2):
        before = columns.columns.paths["columns"]
        got = result(columns, identity, **query, cursor=cursor)
        assert columns.columns.paths["columns"] == before + 1, "answered from the columns"
        assert got == result(direct, identity, **query, cursor=cursor), (identity.user, query)
        seen += got[2]
        cursor = got[3]
        if cursor is None:
            break
    return seen


@pytest.fixture
def held(mongodb_url, tmp_path, monkeypatch):
    """A worker restarted from its snapshot after 40 datasets were re-worded, one's access
    changed by SciCat and 3 deleted through beamhub, its catch-up held after the first
    batch of 8 changed documents (``release`` lets it go on); and a direct store."""
    monkeypatch.setattr(mongo_columns, "READ_BATCH", 8)
    monkeypatch.setattr(mongo_columns, "OVERLAP", timedelta(0))  # only what changed is read again
    datasets = list(synthetic.datasets(N))
    url, direct = catalogue(mongodb_url, datasets)
    snapshots = tmp_path / "columns"
    stores, raw = [], None
    release, halfway = threading.Event(), threading.Event()
    batches = mongo_columns._ReadAhead.batches

    def held_batches(self):
        for at, batch in enumerate(batches(self)):
            if at == 1:  # the first one applied
                halfway.set()
                release.wait(60)
            yield batch

    try:
        first = open_store(url)
        stores.append(first)
        assert first.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
        first.close()  # its rows written to the snapshot
        direct.upsert_datasets(OPERATOR, [d.model_copy(update={"description": f"{d.description} ketch"})
                                          for d in datasets[20:60]])
        assert direct.delete_datasets(OPERATOR, [d.pid for d in datasets[100:103]]) == 3
        raw = pymongo.MongoClient(url, tz_aware=True)
        raw.get_default_database()["Dataset"].update_one(
            {"_id": datasets[70].pid}, {"$set": {"ownerGroup": "p9999", "accessGroups": [], "isPublished": False,
                                                "updatedAt": datetime.now(timezone.utc)}})
        monkeypatch.setattr(mongo_columns._ReadAhead, "batches", held_batches)
        second = open_store(url)
        stores.append(second)
        columns = second.keep_columns_warm(snapshot_dir=str(snapshots))
        assert columns.answering.wait(30) and halfway.wait(30)
        yield second, direct, raw, release, datasets
    finally:
        release.set()
        if raw is not None:
            raw.close()
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()


QUERIES = ({}, {"type": ["raw"]}, {"text": "ketch"}, {"text": "ketch", "type": ["derived", "raw"]})


def test_searches_during_a_catch_up_are_the_databases_along_every_sort_and_identity(held):
    store, direct, raw, release, datasets = held
    columns = store.columns
    assert columns.catching_up and not columns.ready.is_set()
    behind = set(columns._behind)
    changed = {d.pid for d in datasets[20:60]} | {datasets[70].pid}
    # some changes applied (the first batch), the rest behind; the deleted ones behind too
    assert {d.pid for d in datasets[100:103]} <= behind and 0 < len(behind & changed) < len(changed)
    # what needs both halves: without the rows' stale copies left out the changed datasets
    # behind count twice, without the database's answer merged in they are missing
    assert result(store, OPERATOR, limit=1)[0] == N - 3
    assert result(store, OPERATOR, text="ketch", limit=1)[0] == 40
    for identity in (OPERATOR, STAFF, USER):
        for sort in mongo_columns.SORTS:
            for query in QUERIES:
                pages(store, direct, identity, sort=sort, limit=7, **query)
    assert datasets[70].pid not in pages(store, direct, STAFF, limit=200)  # revoked, whichever side it is on
    assert columns.catching_up, "all of it answered during the catch-up"
    release.set()
    assert columns.ready.wait(30) and columns._behind is None
    for identity in (OPERATOR, STAFF):
        for sort in ("-creationTime", "datasetName", "-size"):
            pages(store, direct, identity, sort=sort, limit=7)
            pages(store, direct, identity, sort=sort, limit=7, text="ketch")


def test_a_change_after_the_listing_is_seen_by_the_next_search_during_the_catch_up(held):
    # Datasets applied in the first batch, still behind, and as the snapshot has them are
    # changed by SciCat (size, then access) and deleted through beamhub after the listing:
    # the next search sees each change, whichever side answered the dataset before.
    store, direct, raw, release, datasets = held
    columns = store.columns
    behind = set(columns._behind)
    seen = [d for d in datasets if STAFF.can_see(d.to_stored())]
    applied = next(d for d in datasets[20:60] if d.pid not in behind)
    waiting = next(d for d in datasets[20:60] if d.pid in behind)
    untouched = next(d for d in seen if d in datasets[150:])
    collection = raw.get_default_database()["Dataset"]
    for at, dataset in enumerate((applied, waiting, untouched)):
        collection.update_one({"_id": dataset.pid}, {"$set": {"size": 10**12 + at,
                                                              "updatedAt": datetime.now(timezone.utc)}})
    for identity in (OPERATOR, STAFF):
        for sort in ("-size", "size", "-creationTime"):
            pages(store, direct, identity, sort=sort, limit=7)
    assert pages(store, direct, OPERATOR, sort="-size", limit=3)[:3] == [untouched.pid, waiting.pid, applied.pid]
    gone = next(d.pid for d in seen if d in datasets[150:] and d is not untouched)
    assert direct.delete_datasets(OPERATOR, [gone]) == 1
    assert gone not in pages(store, direct, STAFF, sort="-creationTime", limit=200)
    mine = [d.pid for d in datasets if USER.can_see(d.to_stored()) and d.pid != gone]
    revoked = {applied.pid, waiting.pid, untouched.pid, mine[0], mine[-1]}
    for pid in revoked:
        collection.update_one({"_id": pid}, {"$set": {
            "ownerGroup": "p9999", "accessGroups": [], "isPublished": False, "updatedAt": datetime.now(timezone.utc)}})
    assert gone not in pages(store, direct, STAFF, sort="-size", limit=200)
    assert not revoked & set(pages(store, direct, USER, sort="-size", limit=200))
    assert columns.catching_up, "all of it answered during the catch-up"
    release.set()
    assert columns.ready.wait(30) and columns._behind is None
    for identity in (OPERATOR, STAFF, USER):
        pages(store, direct, identity, sort="-size", limit=7)
        pages(store, direct, identity, sort="-creationTime", limit=7)


def test_a_search_between_the_catch_ups_end_and_the_rows_ready_waits_for_the_rows(held, monkeypatch):
    # The catch-up has ended (nothing behind any more) but the rows are not ready yet (their
    # orders being made): a search then waits for them, as before the catch-up answered,
    # instead of going to the database (seconds at 1M datasets).
    store, direct, raw, release, datasets = held
    columns = store.columns
    prepare, preparing, prepared = type(columns)._prepare, threading.Event(), threading.Event()

    def held_prepare(self):
        preparing.set()
        prepared.wait(30)
        prepare(self)

    monkeypatch.setattr(type(columns), "_prepare", held_prepare)
    release.set()
    assert preparing.wait(30) and columns._behind is None and not columns.ready.is_set()
    got, paths = [], dict(columns.paths)
    searching = threading.Thread(target=lambda: got.append(result(store, STAFF, limit=7)))
    searching.start()
    searching.join(0.5)
    prepared.set()
    searching.join(30)
    assert got == [result(direct, STAFF, limit=7)]
    assert columns.paths == {"columns": paths["columns"] + 1, "direct": paths["direct"]}, "answered from the rows"
